package apitoken

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

// MaxNameLength is the longest name a token may have, in characters.
const MaxNameLength = 100

// lastUsedResolution is how stale last_used_at may be: a busy integration
// writes it once a minute, not on every call.
const lastUsedResolution = time.Minute

// Store creates, lists, revokes and checks tokens.
type Store struct {
	DB *db.DB
}

// Actor is who creates or revokes a token, for the audit trail: an HR
// admin (ID and name) or the command line (empty ID).
type Actor struct {
	ID   string
	Name string
}

// NewToken is what HR chooses for a token.
type NewToken struct {
	Name   string
	Scopes []Scope
	// ExpiresAt is when the token stops working; nil for never.
	ExpiresAt *time.Time
}

// Check validates a new token's settings at now.
func (n NewToken) Check(now time.Time) error {
	name := strings.TrimSpace(n.Name)
	switch {
	case name == "":
		return &InputError{Field: "name", Message: "Give the token a name that says what uses it, e.g. “Workday nightly sync”."}
	case utf8.RuneCountInString(name) > MaxNameLength:
		return &InputError{Field: "name", Message: fmt.Sprintf("The name is too long; keep it under %d characters.", MaxNameLength)}
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return &InputError{Field: "name", Message: "The name contains a control character (such as a line break); remove it."}
	case len(n.Scopes) == 0:
		return &InputError{Field: "scopes", Message: "Choose at least one thing the token may do."}
	case n.ExpiresAt != nil && !n.ExpiresAt.After(now):
		return &InputError{Field: "expires_at", Message: "The expiry date must be in the future, or left empty for a token that does not expire."}
	}
	for _, s := range n.Scopes {
		if _, ok := ParseScope(string(s)); !ok {
			return &InputError{Field: "scopes", Message: fmt.Sprintf("%q is not a scope; use %s.", s, scopeNames())}
		}
	}
	if slices.Contains(n.Scopes, ScopeSCIM) && slices.ContainsFunc(n.Scopes, func(s Scope) bool { return s != ScopeSCIM }) {
		return &InputError{Field: "scopes", Message: "A scim token is for the identity provider alone: choose scim on its own, and make a second token for the HR system."}
	}
	return nil
}

func scopeNames() string {
	names := make([]string, len(Scopes))
	for i, s := range Scopes {
		names[i] = string(s.Scope)
	}
	return strings.Join(names, ", ")
}

// Create stores a new token and returns it with its secret, which is never
// available again. The audit trail records who created it with which scopes.
func (s *Store) Create(ctx context.Context, n NewToken, by Actor, now time.Time) (*Token, string, error) {
	if err := n.Check(now); err != nil {
		return nil, "", err
	}
	secret := newSecret()
	t := &Token{
		ID: db.NewID(), Name: strings.TrimSpace(n.Name), TokenHash: Hash(secret), Prefix: secret[:ShownPrefixLength],
		Scopes: encodeScopes(n.Scopes), CreatedByName: by.Name, CreatedAt: now.UTC(),
	}
	if by.ID != "" {
		t.CreatedBy = &by.ID
	}
	if n.ExpiresAt != nil {
		exp := n.ExpiresAt.UTC()
		t.ExpiresAt = &exp
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		details := map[string]any{"name": t.Name, "scopes": t.ScopeList(), "prefix": t.Prefix}
		if t.ExpiresAt != nil {
			details["expires_at"] = t.ExpiresAt
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionCreate, EntityType: "token", EntityID: t.ID,
			Summary: fmt.Sprintf("API token “%s” created with %s.", t.Name, strings.Join(scopeStrings(t.ScopeList()), ", ")),
			Details: details,
		})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

func scopeStrings(scopes []Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

// List returns every token, newest first, revoked ones included.
func (s *Store) List(ctx context.Context) ([]*Token, error) {
	var ts []*Token
	if err := s.DB.WithContext(ctx).Order("created_at DESC, id DESC").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return ts, nil
}

// ByID returns one token.
func (s *Store) ByID(ctx context.Context, id string) (*Token, error) {
	var t Token
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load API token: %w", err)
	}
	return &t, nil
}

// Revoke stops a token from working from now on and records who did it.
// Revoking a revoked token changes nothing and is not an error.
func (s *Store) Revoke(ctx context.Context, id string, by Actor, now time.Time) (*Token, error) {
	var t Token
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ?", id).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load API token: %w", err)
		}
		if t.Revoked() {
			return nil
		}
		at := now.UTC()
		res := tx.Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": at, "revoked_by_name": by.Name})
		if res.Error != nil {
			return fmt.Errorf("revoke API token: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // revoked by someone else meanwhile
		}
		t.RevokedAt, t.RevokedByName = &at, by.Name
		return audit.Record(tx, audit.Event{
			At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionRevoke, EntityType: "token", EntityID: t.ID,
			Summary: fmt.Sprintf("API token “%s” revoked.", t.Name),
			Details: map[string]any{"name": t.Name, "prefix": t.Prefix, "scopes": t.ScopeList()},
		})
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Authenticate returns the usable token whose secret was presented, and
// notes that it was used. Any other secret gives ErrInvalid.
func (s *Store) Authenticate(ctx context.Context, secret string, now time.Time) (*Token, error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 200 {
		return nil, ErrInvalid
	}
	// The token is found by the hash of what was presented: the lookup
	// learns nothing from how much of a secret matched.
	want := Hash(secret)
	var t Token
	err := s.DB.WithContext(ctx).Where("token_hash = ?", want).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("look up API token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(t.TokenHash), []byte(want)) != 1 || !t.Usable(now) {
		return nil, ErrInvalid
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedResolution {
		at := now.UTC()
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&Token{}).Where("id = ?", t.ID).Update("last_used_at", at).Error
		})
		if err != nil {
			return nil, fmt.Errorf("note API token use: %w", err)
		}
		t.LastUsedAt = &at
	}
	return &t, nil
}
