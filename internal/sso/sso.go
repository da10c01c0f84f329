// Package sso signs people in through an OpenID Connect identity provider
// (Service: the authorization code flow with PKCE, state and nonce, Begin
// and Finish) or a SAML 2.0 identity provider (SAML: SP-initiated sign-in,
// signed assertions checked for issuer, audience, validity window and
// replay), and keeps the link between the provider's immutable subject and an employee
// (identity_links). The first sign-in links the subject to the employee
// whose employee_id the configured claim carries; later sign-ins use the
// subject alone, so an e-mail address never decides who someone is.
//
// Every refusal is a *Refusal with a sentence for the person, and is
// recorded in the audit trail (RefusalAudit collapses floods from one
// address into summary entries).
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// FlowTTL is how long a sign-in may take between leaving for the provider
// and coming back.
const FlowTTL = 10 * time.Minute

// CallbackPath is the redirect URI's path, registered with the provider.
const CallbackPath = "/auth/oidc/callback"

// Audit actions and the entity type of sign-in entries.
const (
	ActionLink    = "link"
	ActionRefuse  = "refuse_sign_in"
	EntitySignIn  = "sign_in"
	EntityLinkRow = "identity_link"
)

// Reasons a sign-in is refused (Refusal.Reason, and in the audit entry).
const (
	ReasonState         = "state"          // unknown, spent or expired state, or another browser's
	ReasonProvider      = "provider_error" // the provider answered with an error
	ReasonExchange      = "code_exchange"  // the code could not be exchanged
	ReasonToken         = "id_token"       // signature, issuer, audience or expiry wrong
	ReasonNonce         = "nonce"          // the ID token's nonce is not this sign-in's
	ReasonNoClaim       = "no_employee_id" // the employee_id claim is missing
	ReasonUnknown       = "unknown_employee"
	ReasonInactive      = "inactive_employee"
	ReasonLinkedToOther = "linked_to_another"
	ReasonCreate        = "create_failed"
)

// Refusal is a sign-in that must not go through. Message is for the person.
type Refusal struct {
	Reason  string
	Message string
	// Detail is for the audit trail and the log (never a token).
	Detail string
	// EmployeeID is the employee concerned, when one is known.
	EmployeeID string
}

func (r *Refusal) Error() string { return "sign-in refused (" + r.Reason + "): " + r.Detail }

// AppError makes a Refusal a Forbidden apperr.Error with its message for
// the person (never the detail).
func (r *Refusal) AppError() *apperr.Error {
	return &apperr.Error{Code: apperr.Forbidden, Message: r.Message, Err: r}
}

// ErrUnavailable: the identity provider could not be reached or its
// discovery document is wrong.
var ErrUnavailable = apperr.New(apperr.Unavailable, "the identity provider cannot be reached")

// Flow is what Begin hands the caller: the provider's URL to send the
// browser to, and the cookie value that binds the sign-in to this browser.
type Flow struct {
	AuthURL       string
	BrowserSecret string
}

// Service is OIDC sign-in for one provider.
type Service struct {
	Config config.OIDC
	// RedirectURL is <base-url>/auth/oidc/callback.
	RedirectURL string
	DB          *db.DB
	Clock       clock.Clock
	// HTTPClient talks to the provider; nil uses a client with a 15-second timeout.
	HTTPClient *http.Client
	// Create, when set (ONRAMP_SSO_CREATE=on), adds an unknown person with
	// a valid employee_id as a learner through the same path as HR's form.
	Create func(ctx context.Context, d people.Details) (*people.Employee, error)
	// Refusals audits refused sign-ins, collapsing floods; nil records
	// each one.
	Refusals *RefusalAudit

	mu       sync.Mutex
	provider *oidc.Provider
}

func (s *Service) client() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return &http.Client{Timeout: 15 * time.Second}
}

func (s *Service) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.client())
}

// discover fetches the provider's discovery document at first use, and
// again after a failure.
func (s *Service) discover(ctx context.Context) (*oidc.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(s.ctx(ctx), s.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnavailable, s.Config.Issuer, err)
	}
	s.provider = p
	return p, nil
}

func (s *Service) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.Config.ClientID, ClientSecret: s.Config.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: s.RedirectURL,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

// login is a row of sso_logins: a sign-in under way.
type login struct {
	ID          string // SHA-256 of the state
	BrowserHash string
	Nonce       string
	Verifier    string
	NextPath    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (login) TableName() string { return "sso_logins" }

// Begin starts a sign-in that returns to next (a local path): it stores
// the state, nonce and PKCE verifier server-side and returns the URL to
// send the browser to and the secret for its cookie.
func (s *Service) Begin(ctx context.Context, next string) (Flow, error) {
	p, err := s.discover(ctx)
	if err != nil {
		return Flow{}, err
	}
	now := s.Clock.Now()
	state, nonce, secret, verifier := random(), random(), random(), oauth2.GenerateVerifier()
	row := login{
		ID: hash(state), BrowserHash: hash(secret), Nonce: nonce, Verifier: verifier, NextPath: next,
		CreatedAt: now, ExpiresAt: now.Add(FlowTTL),
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&login{}).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return Flow{}, fmt.Errorf("store sign-in: %w", err)
	}
	u := s.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return Flow{AuthURL: u, BrowserSecret: secret}, nil
}

// Callback is what the provider sent back to the redirect URI.
type Callback struct {
	State, Code             string
	Error, ErrorDescription string
	BrowserSecret           string // the cookie set by Begin
	ClientIP                string
}

// Finish completes a sign-in: it checks the state against this browser's,
// exchanges the code (with the PKCE verifier), verifies the ID token
// (signature, issuer, audience, expiry, nonce) and finds the employee by
// the linked subject, linking it at the first sign-in. It returns the
// employee and the local path to go to. Every refusal is audited.
func (s *Service) Finish(ctx context.Context, cb Callback) (*people.Employee, string, error) {
	emp, next, err := s.finish(ctx, cb)
	var r *Refusal
	if errors.As(err, &r) {
		if aerr := s.refusals().Record(ctx, cb.ClientIP, "OpenID Connect", s.Config.Issuer, r); aerr != nil {
			return nil, "", aerr
		}
	}
	return emp, next, err
}

func (s *Service) finish(ctx context.Context, cb Callback) (*people.Employee, string, error) {
	now := s.Clock.Now()
	if cb.State == "" {
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the callback has no state"}
	}
	// The row is used once: deleting it first means a replayed callback
	// finds nothing.
	var row login
	var found bool
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ?", hash(cb.State)).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return tx.Where("id = ?", row.ID).Delete(&login{}).Error
	})
	if err != nil {
		return nil, "", fmt.Errorf("load sign-in: %w", err)
	}
	switch {
	case !found:
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the state is unknown or already used"}
	case cb.BrowserSecret == "" || hash(cb.BrowserSecret) != row.BrowserHash:
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the state belongs to another browser"}
	case !now.Before(row.ExpiresAt):
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the sign-in took longer than " + FlowTTL.String()}
	}
	if cb.Error != "" {
		return nil, "", &Refusal{Reason: ReasonProvider, Message: "The identity provider did not sign you in (" + clip(cb.Error+": "+cb.ErrorDescription, 200) + "). Try again, or ask your IT service desk.",
			Detail: clip(cb.Error+": "+cb.ErrorDescription, 500)}
	}
	p, err := s.discover(ctx)
	if err != nil {
		return nil, "", err
	}
	tok, err := s.oauth(p).Exchange(s.ctx(ctx), cb.Code, oauth2.VerifierOption(row.Verifier))
	if err != nil {
		return nil, "", &Refusal{Reason: ReasonExchange, Message: msgStart, Detail: clip(err.Error(), 500)}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, "", &Refusal{Reason: ReasonToken, Message: msgProvider, Detail: "the token response has no id_token"}
	}
	idt, err := p.VerifierContext(s.ctx(ctx), &oidc.Config{ClientID: s.Config.ClientID, Now: s.Clock.Now}).Verify(s.ctx(ctx), raw)
	if err != nil {
		return nil, "", &Refusal{Reason: ReasonToken, Message: msgProvider, Detail: clip(err.Error(), 500)}
	}
	if idt.Nonce != row.Nonce {
		return nil, "", &Refusal{Reason: ReasonNonce, Message: msgStart, Detail: "the ID token's nonce is not the one this sign-in sent"}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, "", &Refusal{Reason: ReasonToken, Message: msgProvider, Detail: "ID token claims: " + clip(err.Error(), 200)}
	}
	if missing(claims, s.Config.EmployeeClaim, "email", "given_name", "family_name") {
		// Providers often keep extra claims for the userinfo endpoint.
		if ui, err := p.UserInfo(s.ctx(ctx), oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
			extra := map[string]any{}
			if ui.Claims(&extra) == nil {
				for k, v := range extra {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
			}
		}
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, EmployeeID: claimString(claims[s.Config.EmployeeClaim]),
		Email: claimString(claims["email"]), GivenName: claimString(claims["given_name"]), FamilyName: claimString(claims["family_name"])}
	emp, err := s.SignIn(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return emp, row.NextPath, nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Issuer, Subject string
	// EmployeeID is the configured claim's value; empty when missing.
	EmployeeID                   string
	Email, GivenName, FamilyName string
}

// link is a row of identity_links.
type link struct {
	ID         string
	Issuer     string
	Subject    string
	EmployeeID string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

func (link) TableName() string { return "identity_links" }

// SignIn finds the employee for a verified identity: by its linked
// subject, or (first sign-in) by the employee_id claim, linking the subject
// to them. It refuses an unknown or inactive employee, and an employee
// already linked to another subject of this issuer.
func (s *Service) SignIn(ctx context.Context, id Identity) (*people.Employee, error) {
	emp, err := s.signIn(ctx, id)
	if errors.Is(err, errCreate) && s.Create != nil {
		_, cerr := s.Create(ctx, people.Details{
			EmployeeNumber: id.EmployeeID, Email: id.Email, FirstName: id.GivenName, LastName: id.FamilyName, Role: people.RoleLearner,
		})
		if cerr != nil {
			return nil, &Refusal{Reason: ReasonCreate, Message: "You are not in Onramp yet, and your account could not be added from your identity provider's details: " + clip(cerr.Error(), 300) + ". Ask your HR team to add you.",
				Detail: subjectDetail(id) + ": " + clip(cerr.Error(), 300)}
		}
		emp, err = s.signIn(ctx, id)
	}
	if errors.Is(err, errCreate) {
		err = &Refusal{Reason: ReasonUnknown, Message: "Your identity provider says your employee ID is " + strconv.Quote(id.EmployeeID) + ", but nobody in Onramp has it. Ask your HR team to add you or correct your employee ID.",
			Detail: subjectDetail(id) + ": no employee has employee_id " + strconv.Quote(id.EmployeeID)}
	}
	return emp, err
}

var errCreate = errors.New("no such employee")

func (s *Service) signIn(ctx context.Context, id Identity) (*people.Employee, error) {
	now := s.Clock.Now()
	var emp people.Employee
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var l link
		err := tx.Where("issuer = ? AND subject = ?", id.Issuer, id.Subject).Take(&l).Error
		switch {
		case err == nil:
			if err := tx.Where("id = ?", l.EmployeeID).Take(&emp).Error; err != nil {
				return fmt.Errorf("load linked employee: %w", err)
			}
			if !emp.Active() {
				return inactive(id, &emp)
			}
			return tx.Model(&link{}).Where("id = ?", l.ID).Update("last_used_at", now).Error
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("load identity link: %w", err)
		}
		if id.EmployeeID == "" {
			return &Refusal{Reason: ReasonNoClaim, Message: msgNoClaim, Detail: subjectDetail(id) + ": the token carries no employee_id claim"}
		}
		err = tx.Where("employee_number = ?", id.EmployeeID).Take(&emp).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errCreate
		}
		if err != nil {
			return fmt.Errorf("find employee: %w", err)
		}
		if !emp.Active() {
			return inactive(id, &emp)
		}
		var other int64
		if err := tx.Model(&link{}).Where("issuer = ? AND employee_id = ?", id.Issuer, emp.ID).Count(&other).Error; err != nil {
			return err
		}
		if other > 0 {
			return &Refusal{Reason: ReasonLinkedToOther, EmployeeID: emp.ID,
				Message: "The employee ID your identity provider gives (" + id.EmployeeID + ") already belongs to another account there, which is linked to it in Onramp. Ask your IT service desk to check your account's employee ID.",
				Detail:  subjectDetail(id) + " claims employee_id " + strconv.Quote(id.EmployeeID) + ", which is linked to another subject"}
		}
		if err := tx.Create(&link{ID: db.NewID(), Issuer: id.Issuer, Subject: id.Subject, EmployeeID: emp.ID, CreatedAt: now, LastUsedAt: now}).Error; err != nil {
			return fmt.Errorf("link identity: %w", err)
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: emp.ID, ActorName: emp.FullName(), Action: ActionLink, EntityType: "employee", EntityID: emp.ID,
			Summary: fmt.Sprintf("Linked %s's single sign-on account to them at their first sign-in, by employee ID %s.", emp.FullName(), id.EmployeeID),
			Details: map[string]any{"issuer": id.Issuer, "subject": id.Subject, "employee_id": id.EmployeeID},
		})
	})
	if err != nil {
		return nil, err
	}
	return &emp, nil
}

func inactive(id Identity, emp *people.Employee) error {
	return &Refusal{Reason: ReasonInactive, EmployeeID: emp.ID,
		Message: "Your Onramp account is no longer active, so you cannot sign in. If you have come back, ask your HR team to reactivate you.",
		Detail:  subjectDetail(id) + ": " + emp.FullName() + " is inactive"}
}

func (s *Service) refusals() *RefusalAudit {
	if s.Refusals != nil {
		return s.Refusals
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Refusals == nil {
		s.Refusals = &RefusalAudit{DB: s.DB, Clock: s.Clock}
	}
	return s.Refusals
}

const (
	msgStart    = "This sign-in could not be finished: it was started in another browser or tab, took too long, or was already used. Go back to the sign-in page and try again."
	msgProvider = "The answer from your identity provider could not be trusted, so you were not signed in. Try again; if it keeps happening, tell your IT service desk the time it happened."
	msgNoClaim  = "Your identity provider did not send your employee ID, so Onramp cannot tell who you are. Ask your IT service desk to add the employee ID claim (or SAML attribute) for Onramp."
)

func subjectDetail(id Identity) string {
	return "subject " + strconv.Quote(id.Subject) + " of " + id.Issuer
}

// missing reports whether any of the claims is absent.
func missing(claims map[string]any, names ...string) bool {
	for _, n := range names {
		if _, ok := claims[n]; !ok {
			return true
		}
	}
	return false
}

// claimString is a claim's value as text: strings as they are, numbers
// without exponent.
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool, nil:
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
