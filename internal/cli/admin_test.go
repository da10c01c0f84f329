package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/people"
)

type adminRun struct {
	code           int
	stdout, stderr string
}

// runAdmin runs `onramp admin …` against the database at dbPath.
func runAdmin(t *testing.T, dbPath string, args ...string) adminRun {
	t.Helper()
	vars := map[string]string{
		"ONRAMP_DATABASE_URL": dbPath,
		"ONRAMP_DATA_DIR":     filepath.Dir(dbPath),
		"ONRAMP_CONTENT_DIR":  filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
		"ONRAMP_BASE_URL":     "https://onramp.example.org/",
		"ONRAMP_LOG_LEVEL":    "error",
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"admin"}, args...), cli.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
	})
	return adminRun{code, stdout.String(), stderr.String()}
}

var inviteLink = regexp.MustCompile(`https://onramp\.example\.org/invite/([A-Za-z0-9_-]{43})\n`)

func TestAdminCreate(t *testing.T) {
	t.Parallel()
	dbPath := apptest.NewDatabaseURL(t)
	run := runAdmin(t, dbPath, "create", "--email", "Grace.Hopper@Example.org", "--name", "Grace Brewster Hopper")
	if run.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", run.code, run.stderr)
	}
	m := inviteLink.FindStringSubmatch(run.stdout)
	if m == nil {
		t.Fatalf("no set-password link in the output:\n%s", run.stdout)
	}
	if !strings.Contains(run.stdout, "Grace Brewster Hopper <grace.hopper@example.org>") || !strings.Contains(run.stdout, "UTC") {
		t.Errorf("output does not name the admin or the link's expiry:\n%s", run.stdout)
	}

	// The link works on the site, and the person it signs in is an HR admin.
	env := apptest.New(t, apptest.Options{DatabaseURL: dbPath, Now: time.Now()})
	emp, err := env.App.People.ByEmail(context.Background(), "grace.hopper@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if emp.Role != people.RoleHRAdmin || !emp.Active() || emp.FirstName != "Grace Brewster" || emp.LastName != "Hopper" || emp.PasswordHash != "" {
		t.Errorf("created %+v", emp)
	}
	c := env.Client()
	path := "/invite/" + m[1]
	if res := c.Get(path); res.StatusCode != http.StatusOK {
		t.Fatalf("GET the printed link: %d", res.StatusCode)
	}
	pw := "a long enough passphrase"
	res := c.Post(path, url.Values{"password": {pw}, "password_confirm": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d\n%s", res.StatusCode, res.Body)
	}
	env.Client().Login("grace.hopper@example.org", pw)

	// The same address again: refused, exit 1, nothing changed.
	again := runAdmin(t, dbPath, "create", "--email", "grace.hopper@example.org", "--name", "Someone Else")
	if again.code != 1 || !strings.Contains(again.stderr, "already exists") {
		t.Errorf("second create: exit %d, stderr %q", again.code, again.stderr)
	}
	if inviteLink.MatchString(again.stdout) {
		t.Error("a link was printed for an address that already exists")
	}
}

func TestAdminCreateBadUsage(t *testing.T) {
	t.Parallel()
	dbPath := apptest.NewDatabaseURL(t)
	for name, tc := range map[string]struct {
		args   []string
		stderr string
	}{
		"one-word name":   {[]string{"create", "--email", "hr@example.org", "--name", "Grace"}, "first and a last name"},
		"no name":         {[]string{"create", "--email", "hr@example.org"}, "first and a last name"},
		"no email":        {[]string{"create", "--name", "Grace Hopper"}, "--email"},
		"not an address":  {[]string{"create", "--email", "grace", "--name", "Grace Hopper"}, "--email"},
		"no subcommand":   {nil, "usage: onramp admin create"},
		"unknown command": {[]string{"delete"}, "usage: onramp admin create"},
	} {
		run := runAdmin(t, dbPath, tc.args...)
		if run.code != 2 || !strings.Contains(run.stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", name, run.code, run.stderr, tc.stderr)
		}
	}
}
