package cli_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
)

func TestTokensCommands(t *testing.T) {
	t.Parallel()
	dbURL := apptest.NewDatabaseURL(t)
	run := runEvidenceCLI(t, dbURL, "tokens", "create", "--name", "Workday sync", "--scope", "employees:write", "--scope", "assignments:read,completions:read")
	if run.code != 0 {
		t.Fatalf("create: %d %s", run.code, run.stderr)
	}
	secret := strings.TrimSpace(run.stdout)
	if !regexp.MustCompile(`^onr_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !strings.Contains(run.stderr, "not shown again") {
		t.Fatalf("create printed %q / %q", run.stdout, run.stderr)
	}

	env := apptest.New(t, apptest.Options{DatabaseURL: dbURL})
	store := &apitoken.Store{DB: env.App.DB}
	tok, err := store.Authenticate(context.Background(), secret, env.Clock.Now())
	if err != nil {
		t.Fatalf("the printed token does not work: %v", err)
	}
	if !tok.Has(apitoken.ScopeEmployeesWrite) || !tok.Has(apitoken.ScopeCompletionsRead) || tok.Has(apitoken.ScopeReportsRead) {
		t.Errorf("scopes = %v", tok.ScopeList())
	}

	run = runEvidenceCLI(t, dbURL, "tokens", "list")
	if run.code != 0 || !strings.Contains(run.stdout, tok.ID) || !strings.Contains(run.stdout, "Workday sync") || strings.Contains(run.stdout, secret) ||
		!strings.Contains(run.stdout, secret[:10]+"…") {
		t.Errorf("list: %d\n%s", run.code, run.stdout)
	}
	run = runEvidenceCLI(t, dbURL, "tokens", "revoke", tok.ID)
	if run.code != 0 || !strings.Contains(run.stdout, "Revoked") {
		t.Errorf("revoke: %d %s %s", run.code, run.stdout, run.stderr)
	}
	if _, err := store.Authenticate(context.Background(), secret, env.Clock.Now()); err == nil {
		t.Error("a revoked token still works")
	}
	if run := runEvidenceCLI(t, dbURL, "tokens", "list"); !strings.Contains(run.stdout, "revoked") {
		t.Errorf("list after revoking:\n%s", run.stdout)
	}

	for _, bad := range [][]string{
		{"tokens", "create", "--scope", "reports:read"},
		{"tokens", "create", "--name", "x"},
		{"tokens", "create", "--name", "x", "--scope", "root"},
		{"tokens", "create", "--name", "x", "--scope", "reports:read", "--expires", "soon"},
		{"tokens", "revoke"},
		{"tokens", "frobnicate"},
		{"tokens"},
	} {
		if run := runEvidenceCLI(t, dbURL, bad...); run.code != 2 || run.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, run.code, run.stderr)
		}
	}
	if run := runEvidenceCLI(t, dbURL, "tokens", "revoke", "nope"); run.code != 66 {
		t.Errorf("revoke unknown: %d", run.code)
	}
}
