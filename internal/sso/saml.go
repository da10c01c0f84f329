package sso

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// The SAML service provider's endpoints. The entity ID is the metadata URL.
const (
	SAMLMetadataPath = "/saml/metadata"
	SAMLACSPath      = "/saml/acs"
	SAMLStartPath    = "/saml/start"
)

// Reasons only SAML sign-ins are refused for (with ReasonState, ReasonNoClaim
// and the account reasons SignIn shares with OIDC).
const (
	ReasonUnsolicited = "unsolicited"   // no RelayState of ours: IdP-initiated, or forged
	ReasonIssuer      = "issuer"        // not the configured identity provider
	ReasonAudience    = "audience"      // an assertion for another service provider
	ReasonExpired     = "expired"       // past its validity window (with the clock skew)
	ReasonNotYetValid = "not_yet_valid" // before its validity window (with the clock skew)
	ReasonSignature   = "signature"     // unsigned, or not signed by the provider's key
	ReasonReplayed    = "replayed"      // an assertion already used
	ReasonAssertion   = "assertion"     // anything else wrong with the response
	ReasonNameID      = "name_id"       // not a persistent NameID
)

// The SAML library checks validity windows against its package-level
// clock skew; Onramp sets that to the largest skew it allows and applies the
// configured one itself (checkWindow), so every Service keeps its own.
// The IssueInstant may be up to samlIssueDelay old, plus the skew.
const samlIssueDelay = 90 * time.Second

func init() {
	saml.MaxClockSkew = config.MaxSAMLClockSkew
	saml.MaxIssueDelay = samlIssueDelay + config.MaxSAMLClockSkew
}

// ErrSAMLUnavailable: the identity provider's metadata cannot be read.
var ErrSAMLUnavailable = apperr.New(apperr.Unavailable, "the SAML identity provider's metadata cannot be read")

// SAML is sign-in through a SAML 2.0 identity provider, as a service
// provider (crewjam/saml): SP-initiated sign-in over the HTTP-Redirect
// binding, answers over HTTP-POST at the ACS. Assertions must be signed by
// a key in the provider's metadata, be for this SP (audience), within their
// validity window (Config.ClockSkew) and never seen before (saml_assertions,
// shared by every instance). IdP-initiated (unsolicited) responses are
// refused: they cannot be tied to the browser that receives them.
type SAML struct {
	Config config.SAML
	// BaseURL is Onramp's public URL; the entity ID is
	// <base>/saml/metadata and the ACS <base>/saml/acs.
	BaseURL *url.URL
	DB      *db.DB
	Clock   clock.Clock
	// Accounts matches the verified subject to an employee (Service.SignIn).
	Accounts *Service
	// Refusals audits refused sign-ins, collapsing floods.
	Refusals *RefusalAudit
	// HTTPClient fetches metadata from a URL; nil uses a 15-second timeout.
	HTTPClient *http.Client

	key  *rsa.PrivateKey
	cert *x509.Certificate

	mu        sync.Mutex
	idp       *saml.EntityDescriptor
	idpLoaded time.Time
}

// metadataRefresh is how often metadata from a URL is read again, so a
// rolled-over signing certificate is picked up.
const metadataRefresh = 24 * time.Hour

// NewSAML loads (or generates, into dataDir/saml) the SP key and
// certificate, and reads the identity provider's metadata when it is a
// file; metadata from a URL is fetched at the first sign-in.
func NewSAML(cfg config.SAML, baseURL *url.URL, dataDir string, d *db.DB, clk clock.Clock, accounts *Service, refusals *RefusalAudit) (*SAML, error) {
	key, cert, err := loadOrCreateKeyPair(cfg, dataDir, baseURL, clk.Now())
	if err != nil {
		return nil, err
	}
	s := &SAML{Config: cfg, BaseURL: baseURL, DB: d, Clock: clk, Accounts: accounts, Refusals: refusals, key: key, cert: cert}
	if !isURL(cfg.IdPMetadata) {
		if _, err := s.idpMetadata(context.Background()); err != nil {
			return nil, fmt.Errorf("ONRAMP_SAML_IDP_METADATA: %w", errors.Unwrap(err))
		}
	}
	return s, nil
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// EntityID is Onramp's entity ID (its metadata URL).
func (s *SAML) EntityID() string { return s.url(SAMLMetadataPath) }

// ACSURL is the assertion consumer service URL.
func (s *SAML) ACSURL() string { return s.url(SAMLACSPath) }

func (s *SAML) url(path string) string {
	return strings.TrimSuffix(s.BaseURL.String(), "/") + path
}

// idpMetadata reads the identity provider's metadata: once from a file,
// and from a URL at first use, after a failure, and daily.
func (s *SAML) idpMetadata(ctx context.Context) (*saml.EntityDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	if s.idp != nil && (!isURL(s.Config.IdPMetadata) || now.Sub(s.idpLoaded) < metadataRefresh) {
		return s.idp, nil
	}
	var ed *saml.EntityDescriptor
	var err error
	if isURL(s.Config.IdPMetadata) {
		u, perr := url.Parse(s.Config.IdPMetadata)
		if perr != nil {
			return nil, fmt.Errorf("%w: %v", ErrSAMLUnavailable, perr)
		}
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		client := s.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 15 * time.Second}
		}
		ed, err = samlsp.FetchMetadata(ctx, client, *u)
	} else {
		var data []byte
		if data, err = os.ReadFile(s.Config.IdPMetadata); err == nil {
			ed, err = samlsp.ParseMetadata(data)
		}
	}
	if err == nil && len(ed.IDPSSODescriptors) == 0 {
		err = errors.New("it describes no identity provider (no IDPSSODescriptor)")
	}
	if err != nil {
		if s.idp != nil {
			// Keep the metadata we have; try again at the next refresh.
			s.idpLoaded = now.Add(-metadataRefresh + 5*time.Minute)
			return s.idp, nil
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrSAMLUnavailable, s.Config.IdPMetadata, err)
	}
	s.idp, s.idpLoaded = ed, now
	return ed, nil
}

// serviceProvider is the crewjam/saml service provider for one request;
// idp may be nil (metadata only).
func (s *SAML) serviceProvider(ctx context.Context, idp *saml.EntityDescriptor) *saml.ServiceProvider {
	metadataURL, _ := url.Parse(s.EntityID())
	acsURL, _ := url.Parse(s.ACSURL())
	return &saml.ServiceProvider{
		EntityID:    s.EntityID(),
		Key:         s.key,
		Certificate: s.cert,
		MetadataURL: *metadataURL,
		AcsURL:      *acsURL,
		IDPMetadata: idp,
		// A persistent NameID is the immutable subject accounts are linked by.
		AuthnNameIDFormat:                saml.PersistentNameIDFormat,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		RejectSHA1Signatures:             true,
		Clock:                            dsig.NewFakeClock(clockOf{Clock: clockwork.NewRealClock(), now: s.Clock.Now}),
		ReplayCache:                      replayCache{ctx: ctx, s: s, issuer: entityID(idp)},
		AllowIDPInitiated:                false,
	}
}

// clockOf is Onramp's clock as the clockwork.Clock the SAML library reads.
type clockOf struct {
	clockwork.Clock
	now func() time.Time
}

func (c clockOf) Now() time.Time { return c.now() }

// Metadata is Onramp's SP metadata (XML), for the identity provider.
func (s *SAML) Metadata() ([]byte, error) {
	sp := s.serviceProvider(context.Background(), nil)
	sp.MetadataValidDuration = 7 * 24 * time.Hour
	return xmlBytes(sp.Metadata())
}

// samlRequest is a row of saml_requests: an SP-initiated sign-in under way.
type samlRequest struct {
	ID          string // SHA-256 of the RelayState
	RequestID   string // the AuthnRequest's ID, answered as InResponseTo
	BrowserHash string
	NextPath    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (samlRequest) TableName() string { return "saml_requests" }

// Begin starts an SP-initiated sign-in that returns to next: it stores the
// AuthnRequest ID under a fresh RelayState and returns the identity
// provider's URL (a signed HTTP-Redirect AuthnRequest) and the secret for
// the browser's cookie.
func (s *SAML) Begin(ctx context.Context, next string) (Flow, error) {
	idp, err := s.idpMetadata(ctx)
	if err != nil {
		return Flow{}, err
	}
	sp := s.serviceProvider(ctx, idp)
	dest := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if dest == "" {
		return Flow{}, fmt.Errorf("%w: its metadata offers no HTTP-Redirect single sign-on service", ErrSAMLUnavailable)
	}
	req, err := sp.MakeAuthenticationRequest(dest, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return Flow{}, fmt.Errorf("make AuthnRequest: %w", err)
	}
	now := s.Clock.Now()
	relayState, secret := random(), random()
	row := samlRequest{ID: hash(relayState), RequestID: req.ID, BrowserHash: hash(secret), NextPath: next, CreatedAt: now, ExpiresAt: now.Add(FlowTTL)}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&samlRequest{}).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return Flow{}, fmt.Errorf("store sign-in: %w", err)
	}
	u, err := req.Redirect(relayState, sp)
	if err != nil {
		return Flow{}, fmt.Errorf("AuthnRequest redirect: %w", err)
	}
	return Flow{AuthURL: u.String(), BrowserSecret: secret}, nil
}

// ACS is what arrived at the assertion consumer service.
type ACS struct {
	// Request is the POST from the browser (SAMLResponse, RelayState).
	Request       *http.Request
	BrowserSecret string // the cookie set by Begin
	ClientIP      string
}

// Finish completes a sign-in at the ACS: the RelayState must be one of
// ours, unused, unexpired and begun in this browser; the response must
// answer that AuthnRequest, and its assertion be signed by the identity
// provider, for this audience, within its validity window and new. The
// persistent NameID is the subject SignIn links or finds. Every refusal is
// audited (floods collapsed, see RefusalAudit).
func (s *SAML) Finish(ctx context.Context, in ACS) (*people.Employee, string, error) {
	emp, next, err := s.finish(ctx, in)
	var r *Refusal
	if errors.As(err, &r) {
		if aerr := s.Refusals.Record(ctx, in.ClientIP, "SAML", s.issuer(), r); aerr != nil {
			return nil, "", aerr
		}
	}
	return emp, next, err
}

func (s *SAML) finish(ctx context.Context, in ACS) (*people.Employee, string, error) {
	now := s.Clock.Now()
	if err := in.Request.ParseForm(); err != nil {
		return nil, "", &Refusal{Reason: ReasonAssertion, Message: msgProvider, Detail: "the answer is not a form: " + clip(err.Error(), 200)}
	}
	relayState := in.Request.PostForm.Get("RelayState")
	if relayState == "" {
		return nil, "", &Refusal{Reason: ReasonUnsolicited, Message: msgUnsolicited,
			Detail: "a SAML response without a RelayState (IdP-initiated sign-in is not accepted)"}
	}
	var row samlRequest
	var found bool
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ?", hash(relayState)).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// Deleting it first means a replayed POST finds nothing; of two
		// instances racing for one row, only one deletes it.
		res := tx.Where("id = ?", row.ID).Delete(&samlRequest{})
		found = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return nil, "", fmt.Errorf("load sign-in: %w", err)
	}
	switch {
	case !found:
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the RelayState is unknown or already used"}
	case in.BrowserSecret == "" || hash(in.BrowserSecret) != row.BrowserHash:
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the RelayState belongs to another browser"}
	case !now.Before(row.ExpiresAt):
		return nil, "", &Refusal{Reason: ReasonState, Message: msgStart, Detail: "the sign-in took longer than " + FlowTTL.String()}
	}
	idp, err := s.idpMetadata(ctx)
	if err != nil {
		return nil, "", err
	}
	sp := s.serviceProvider(ctx, idp)
	a, err := sp.ParseResponse(in.Request, []string{row.RequestID})
	if err != nil {
		return nil, "", refusalFor(err)
	}
	if err := checkWindow(a, now, s.Config.ClockSkew); err != nil {
		return nil, "", err
	}
	id, err := s.identity(a)
	if err != nil {
		return nil, "", err
	}
	emp, err := s.Accounts.SignIn(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return emp, row.NextPath, nil
}

// issuer is the identity provider's entity ID, or its metadata's location
// before the metadata has been read.
func (s *SAML) issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idp != nil {
		return s.idp.EntityID
	}
	return s.Config.IdPMetadata
}

// refusalFor names what the SAML library found wrong.
func refusalFor(err error) *Refusal {
	detail := err.Error()
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		detail = ire.PrivateErr.Error()
	}
	r := &Refusal{Reason: ReasonAssertion, Message: msgProvider, Detail: clip(detail, 500)}
	var bad saml.ErrBadStatus
	switch {
	case errors.Is(err, saml.ErrAssertionReplayed):
		r.Reason, r.Message = ReasonReplayed, msgStart
	case errors.Is(err, saml.ErrInvalidSignature):
		r.Reason = ReasonSignature
	case errors.Is(err, saml.ErrIssuerMismatch):
		r.Reason = ReasonIssuer
	case errors.Is(err, saml.ErrAudienceMismatch):
		r.Reason = ReasonAudience
	case errors.Is(err, saml.ErrExpired):
		r.Reason, r.Message = ReasonExpired, msgClock
	case errors.Is(err, saml.ErrNotYetValid):
		r.Reason, r.Message = ReasonNotYetValid, msgClock
	case errors.Is(err, saml.ErrRequestIDMismatch):
		r.Reason, r.Message = ReasonState, msgStart
	case errors.As(err, &bad):
		r.Reason = ReasonProvider
		r.Message = "Your identity provider did not sign you in (" + clip(bad.Status, 200) + "). Try again, or ask your IT service desk."
	case strings.Contains(detail, "signature"), strings.Contains(detail, "Signature"):
		// An assertion with no signature (and no signed Response around it).
		r.Reason = ReasonSignature
	}
	return r
}

// checkWindow applies the configured clock skew to the assertion's
// validity window (the library checked it with the largest skew allowed).
func checkWindow(a *saml.Assertion, now time.Time, skew time.Duration) error {
	notYet := func(what string, t time.Time) error {
		return &Refusal{Reason: ReasonNotYetValid, Message: msgClock,
			Detail: fmt.Sprintf("the assertion's %s %s is later than now (%s) plus the clock skew %s", what, t.UTC().Format(time.RFC3339), now.Format(time.RFC3339), skew)}
	}
	expired := func(what string, t time.Time) error {
		return &Refusal{Reason: ReasonExpired, Message: msgClock,
			Detail: fmt.Sprintf("the assertion expired: its %s %s plus the clock skew %s is before now (%s)", what, t.UTC().Format(time.RFC3339), skew, now.Format(time.RFC3339))}
	}
	if a.IssueInstant.Add(-skew).After(now) {
		return notYet("IssueInstant", a.IssueInstant)
	}
	if !now.Before(a.IssueInstant.Add(samlIssueDelay + skew)) {
		return expired("IssueInstant (plus "+samlIssueDelay.String()+")", a.IssueInstant)
	}
	if c := a.Conditions; c != nil {
		if !c.NotBefore.IsZero() && c.NotBefore.Add(-skew).After(now) {
			return notYet("NotBefore", c.NotBefore)
		}
		if !c.NotOnOrAfter.IsZero() && !now.Before(c.NotOnOrAfter.Add(skew)) {
			return expired("NotOnOrAfter", c.NotOnOrAfter)
		}
	}
	if a.Subject != nil {
		ok, seen := false, false
		var last time.Time
		for _, sc := range a.Subject.SubjectConfirmations {
			d := sc.SubjectConfirmationData
			if sc.Method != "urn:oasis:names:tc:SAML:2.0:cm:bearer" || d == nil {
				continue
			}
			seen = true
			if d.NotOnOrAfter.After(last) {
				last = d.NotOnOrAfter
			}
			if now.Before(d.NotOnOrAfter.Add(skew)) && (d.NotBefore.IsZero() || !d.NotBefore.Add(-skew).After(now)) {
				ok = true
			}
		}
		if seen && !ok {
			return expired("SubjectConfirmationData NotOnOrAfter", last)
		}
	}
	return nil
}

// Attribute names identity providers use for e-mail and names (for
// ONRAMP_SSO_CREATE): their short names, and the claim URIs Entra ID and
// ADFS send.
var (
	attrEmail  = []string{"email", "mail", "emailaddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"}
	attrGiven  = []string{"given_name", "givenName", "firstName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"}
	attrFamily = []string{"family_name", "sn", "surname", "lastName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"}
)

// identity is the verified assertion's subject: the identity provider's
// entity ID and the persistent NameID, and the attributes.
func (s *SAML) identity(a *saml.Assertion) (Identity, error) {
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return Identity{}, &Refusal{Reason: ReasonNameID, Message: msgNameID, Detail: "the assertion has no NameID"}
	}
	n := a.Subject.NameID
	if n.Format != string(saml.PersistentNameIDFormat) {
		return Identity{}, &Refusal{Reason: ReasonNameID, Message: msgNameID,
			Detail: "the NameID " + strconv.Quote(clip(n.Value, 100)) + " has format " + strconv.Quote(n.Format) + ", not persistent"}
	}
	get := func(names ...string) string {
		for _, name := range names {
			for _, st := range a.AttributeStatements {
				for _, at := range st.Attributes {
					if (at.Name == name || at.FriendlyName == name) && len(at.Values) > 0 {
						if v := strings.TrimSpace(at.Values[0].Value); v != "" {
							return v
						}
					}
				}
			}
		}
		return ""
	}
	return Identity{
		Issuer: a.Issuer.Value, Subject: n.Value,
		EmployeeID: get(s.Config.EmployeeAttribute),
		Email:      get(attrEmail...), GivenName: get(attrGiven...), FamilyName: get(attrFamily...),
	}, nil
}

// samlAssertion is a row of saml_assertions: an assertion ID already used.
type samlAssertion struct {
	ID        string
	Issuer    string
	UsedAt    time.Time
	ExpiresAt time.Time
}

func (samlAssertion) TableName() string { return "saml_assertions" }

// replayCache is the SAML library's replay cache on saml_assertions, so
// every instance refuses an assertion any of them accepted.
type replayCache struct {
	ctx    context.Context
	s      *SAML
	issuer string
}

func entityID(ed *saml.EntityDescriptor) string {
	if ed == nil {
		return ""
	}
	return ed.EntityID
}

func (r replayCache) Consume(id string, expiresAt time.Time) error {
	res := r.s.DB.WithContext(r.ctx).Exec(
		"INSERT INTO saml_assertions (id, issuer, used_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
		replayKey(id), r.issuer, r.s.Clock.Now(), expiresAt)
	if res.Error != nil {
		return fmt.Errorf("record assertion: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return saml.ErrAssertionReplayed
	}
	return nil
}

// replayKey is the assertion ID as stored: as it is, or its SHA-256 when
// it is too long to be a sensible key (never a prefix, which two IDs could
// share).
func replayKey(id string) string {
	if len(id) <= 200 {
		return id
	}
	return "sha256:" + hash(id)
}

// Prune forgets sign-ins under way and used assertion IDs that have
// expired (an expired assertion is refused anyway).
func (s *SAML) Prune(ctx context.Context) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&samlRequest{}).Error; err != nil {
			return err
		}
		return tx.Where("expires_at < ?", now).Delete(&samlAssertion{}).Error
	})
}

const (
	msgUnsolicited = "Sign-ins that start at your identity provider's portal are not accepted by Onramp. Open Onramp's sign-in page and choose the sign-in button there."
	msgClock       = "The answer from your identity provider is outside its validity time, so you were not signed in. Try again; if it keeps happening, tell your IT service desk that the clocks of the identity provider and Onramp may differ."
	msgNameID      = "Your identity provider did not send a permanent identifier for your account, so Onramp cannot tell who you are. Ask your IT service desk to send a persistent NameID to Onramp."
)
