package apitoken_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

func openStore(t *testing.T) (*apitoken.Store, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &apitoken.Store{DB: d}, d
}

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, d := openStore(t)
	hr := apitoken.Actor{Name: "Hana Resources"}
	tok, secret, err := store.Create(ctx, apitoken.NewToken{
		Name: "  Workday sync ", Scopes: []apitoken.Scope{apitoken.ScopeEmployeesWrite, apitoken.ScopeAssignmentsRead, apitoken.ScopeEmployeesWrite},
	}, hr, day0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "onr_") || len(secret) != 47 {
		t.Errorf("secret %q: want onr_ and 43 characters", secret)
	}
	if tok.Name != "Workday sync" || tok.Prefix != secret[:apitoken.ShownPrefixLength] || tok.Scopes != `["assignments:read","employees:write"]` {
		t.Errorf("stored token = %+v", tok)
	}
	// Only the hash is kept.
	var stored apitoken.Token
	if err := d.Where("id = ?", tok.ID).Take(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored.TokenHash != apitoken.Hash(secret) || strings.Contains(stored.TokenHash, secret[4:]) {
		t.Errorf("the table holds %q, want the SHA-256 of the secret", stored.TokenHash)
	}

	got, err := store.Authenticate(ctx, secret, day0.Add(time.Hour))
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if !got.Has(apitoken.ScopeEmployeesWrite) || got.Has(apitoken.ScopeReportsRead) {
		t.Errorf("scopes = %v", got.ScopeList())
	}
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(day0.Add(time.Hour)) {
		t.Errorf("last used = %v", got.LastUsedAt)
	}
	for _, bad := range []string{"", "onr_", secret + "x", secret[:len(secret)-1], strings.ToUpper(secret), "Bearer " + secret} {
		if _, err := store.Authenticate(ctx, bad, day0); !errors.Is(err, apitoken.ErrInvalid) {
			t.Errorf("authenticate %q: %v, want ErrInvalid", bad, err)
		}
	}

	if _, err := store.Revoke(ctx, tok.ID, hr, day0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(ctx, secret, day0.Add(3*time.Hour)); !errors.Is(err, apitoken.ErrInvalid) {
		t.Errorf("a revoked token authenticated: %v", err)
	}
	// Revoking again changes nothing; an unknown ID is not found.
	if _, err := store.Revoke(ctx, tok.ID, hr, day0.Add(4*time.Hour)); err != nil {
		t.Errorf("revoke twice: %v", err)
	}
	if _, err := store.Revoke(ctx, "nope", hr, day0); !errors.Is(err, apitoken.ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}

	// Creating and revoking are in the audit trail, once each, and the
	// chain holds.
	var entries []audit.Entry
	if err := d.Where("entity_type = ?", "token").Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != audit.ActionCreate || entries[1].Action != audit.ActionRevoke ||
		entries[0].ActorName != "Hana Resources" || entries[0].EntityID != tok.ID {
		t.Fatalf("audit entries = %+v", entries)
	}
	if strings.Contains(entries[0].Details, secret) || strings.Contains(entries[0].Details, stored.TokenHash) {
		t.Error("the audit trail holds the secret or its hash")
	}
	if res, err := audit.Verify(ctx, d); err != nil || !res.OK() {
		t.Errorf("verify: %+v %v", res, err)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := openStore(t)
	exp := day0.AddDate(0, 0, 7)
	_, secret, err := store.Create(ctx, apitoken.NewToken{Name: "short", Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}, ExpiresAt: &exp},
		apitoken.Actor{}, day0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(ctx, secret, exp.Add(-time.Second)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	if _, err := store.Authenticate(ctx, secret, exp); !errors.Is(err, apitoken.ErrInvalid) {
		t.Errorf("at expiry: %v, want ErrInvalid", err)
	}
}

func TestNewTokenChecks(t *testing.T) {
	t.Parallel()
	past := day0.Add(-time.Hour)
	cases := []struct {
		name  string
		token apitoken.NewToken
		field string
	}{
		{"no name", apitoken.NewToken{Name: "  ", Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}}, "name"},
		{"long name", apitoken.NewToken{Name: strings.Repeat("n", 101), Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}}, "name"},
		{"control character", apitoken.NewToken{Name: "a\nb", Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}}, "name"},
		{"no scope", apitoken.NewToken{Name: "x"}, "scopes"},
		{"unknown scope", apitoken.NewToken{Name: "x", Scopes: []apitoken.Scope{"admin:all"}}, "scopes"},
		{"expired", apitoken.NewToken{Name: "x", Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}, ExpiresAt: &past}, "expires_at"},
	}
	for _, tc := range cases {
		var ie *apitoken.InputError
		if err := tc.token.Check(day0); !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: %v, want an InputError on %s", tc.name, err, tc.field)
		}
	}
	if err := (apitoken.NewToken{Name: "ok", Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}}).Check(day0); err != nil {
		t.Errorf("a good token: %v", err)
	}
}
