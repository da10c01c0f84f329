// Package apitoken keeps the bearer tokens HR systems use to call Onramp's
// JSON API: who created each one, what it may do (its scopes), when it was
// last used, and whether it was revoked or has expired. The secret is shown
// once at creation; only its SHA-256 is stored, and a token is found by that
// hash, so checking a presented secret takes the same time whatever it is.
// Creating and revoking a token is written to the audit trail in the same
// transaction. It knows nothing of HTTP.
package apitoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// Scope is one thing a token may do.
type Scope string

// The scopes. A token holds one or more.
const (
	ScopeEmployeesWrite  Scope = "employees:write"
	ScopeAssignmentsRead Scope = "assignments:read"
	ScopeCompletionsRead Scope = "completions:read"
	ScopeReportsRead     Scope = "reports:read"
	ScopeAttemptsWrite   Scope = "attempts:write"
	// ScopeSCIM is SCIM 2.0 provisioning at /scim/v2, for an identity
	// provider. It stands alone: a scim token holds no other scope, so the
	// identity provider's credential never reaches /api/v1 and an HR
	// system's never reaches /scim/v2.
	ScopeSCIM Scope = "scim"
)

// ScopeInfo is a scope with what it allows, in words for the tokens page.
type ScopeInfo struct {
	Scope       Scope
	Description string
}

// Scopes lists every scope in the order the tokens page shows them.
var Scopes = []ScopeInfo{
	{ScopeEmployeesWrite, "add and update employees (the staff list from the HR system)"},
	{ScopeAssignmentsRead, "list who must take which course, and by when"},
	{ScopeCompletionsRead, "list completions with their scores and content versions"},
	{ScopeReportsRead, "download reports as CSV or JSON"},
	{ScopeAttemptsWrite, "grant a person more attempts at a quiz, with a reason"},
	{ScopeSCIM, "SCIM provisioning at /scim/v2 for an identity provider (Entra ID, Okta): create, update and deactivate people; on its own, with no other scope"},
}

// ParseScope returns the scope named s, or false.
func ParseScope(s string) (Scope, bool) {
	s = strings.TrimSpace(s)
	for _, info := range Scopes {
		if string(info.Scope) == s {
			return info.Scope, true
		}
	}
	return "", false
}

// secretPrefix starts every secret, so secret scanners and people can tell
// an Onramp token from other strings.
const secretPrefix = "onr_"

// ShownPrefixLength is how much of a secret the tokens list shows.
const ShownPrefixLength = len(secretPrefix) + 6

// ErrInvalid is returned by Authenticate for a secret that is unknown,
// revoked or expired. Callers answer 401 and never say which.
var ErrInvalid = apperr.New(apperr.Unauthorized, "The token is not valid: it is unknown, revoked or expired.")

// ErrNotFound is returned when no token has the given ID.
var ErrNotFound = apperr.New(apperr.NotFound, "There is no API token with this ID.")

// InputError says what is wrong with a new token's settings.
type InputError struct {
	// Field is "name", "scopes" or "expires_at".
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

// AppError makes an InputError an Invalid apperr.Error about its field.
func (e *InputError) AppError() *apperr.Error { return apperr.Field(e.Field, e.Message) }

// Token is one API token as stored.
type Token struct {
	ID   string
	Name string
	// TokenHash is the hex SHA-256 of the secret.
	TokenHash string
	// Prefix is the start of the secret, shown in the list.
	Prefix string
	// Scopes is a JSON list of scope names.
	Scopes        string
	CreatedBy     *string
	CreatedByName string
	CreatedAt     time.Time
	LastUsedAt    *time.Time
	RevokedAt     *time.Time
	RevokedByName string
	ExpiresAt     *time.Time
}

// TableName tells GORM the table.
func (Token) TableName() string { return "api_tokens" }

// ScopeList returns the token's scopes; unknown names are dropped.
func (t *Token) ScopeList() []Scope {
	var names []string
	_ = json.Unmarshal([]byte(t.Scopes), &names)
	var out []Scope
	for _, n := range names {
		if s, ok := ParseScope(n); ok {
			out = append(out, s)
		}
	}
	return out
}

// Has reports whether the token holds scope s.
func (t *Token) Has(s Scope) bool { return slices.Contains(t.ScopeList(), s) }

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return t.RevokedAt != nil }

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool { return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) }

// Usable reports whether the token can authenticate a call at now.
func (t *Token) Usable(now time.Time) bool { return !t.Revoked() && !t.Expired(now) }

// Hash returns the hex SHA-256 of a secret: what the table stores.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a fresh secret: the prefix and 256 random bits.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// encodeScopes stores scopes as a sorted JSON list without duplicates.
func encodeScopes(scopes []Scope) string {
	names := make([]string, 0, len(scopes))
	for _, s := range scopes {
		names = append(names, string(s))
	}
	slices.Sort(names)
	names = slices.Compact(names)
	b, _ := json.Marshal(names)
	return string(b)
}
