package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
)

// TestPasswordLoginModes: hr-only keeps password sign-in for HR admins
// only, off for nobody; the server refuses, not just the page, and the
// login page says so next to the "Sign in with" button.
func TestPasswordLoginModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode              string
		learnerOK, hrOK   bool
		formShown         bool
		explanationTestID string
	}{
		{config.PasswordOn, true, true, true, ""},
		{config.PasswordHROnly, false, true, true, "password-hr-only"},
		{config.PasswordOff, false, false, false, "password-off"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			env, _ := ssoEnv(t, func(c *config.Config) { c.PasswordLogin = tc.mode })
			env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, authPassword)
			env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, authPassword)

			page := env.Client().Get("/login")
			doc := authDoc(t, page)
			if got := strings.TrimSpace(doc.Find(`[data-testid="sso-sign-in"]`).Text()); got != "Sign in with Hospital Login" {
				t.Errorf("SSO button %q, want \"Sign in with Hospital Login\"", got)
			}
			if shown := doc.Find(`form[action="/login"]`).Length() == 1; shown != tc.formShown {
				t.Errorf("password form shown: %v, want %v", shown, tc.formShown)
			}
			if tc.explanationTestID != "" && doc.Find(`[data-testid="`+tc.explanationTestID+`"]`).Length() != 1 {
				t.Errorf("no %s explanation on the login page", tc.explanationTestID)
			}
			for _, who := range []struct {
				email string
				ok    bool
			}{{"ada@example.org", tc.learnerOK}, {"hr@example.org", tc.hrOK}} {
				c := env.Client()
				res := c.Post("/login", url.Values{"email": {who.email}, "password": {authPassword}})
				if got := res.StatusCode == http.StatusSeeOther; got != who.ok {
					t.Errorf("%s signs in with a password: %v (status %d), want %v", who.email, got, res.StatusCode, who.ok)
				}
				if !who.ok && whoAmI(t, env, c) != "" {
					t.Errorf("%s got a session although password sign-in is %s", who.email, tc.mode)
				}
			}
		})
	}
}

// TestPasswordLoginOffRefusesInvitations: a set-password link is not made
// for someone who cannot use a password.
func TestPasswordLoginOffRefusesInvitations(t *testing.T) {
	t.Parallel()
	env, _ := ssoEnv(t, func(c *config.Config) { c.PasswordLogin = config.PasswordHROnly })
	env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, authPassword)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	hr := env.Client()
	hr.Login("hr@example.org", authPassword)
	res := hr.Post("/admin/people/"+ada.ID+"/invite", nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("invite a learner with hr-only passwords: status %d, want 409", res.StatusCode)
	}
	var n int64
	env.App.DB.Table("invitations").Where("employee_id = ?", ada.ID).Count(&n)
	if n != 0 {
		t.Fatalf("%d invitations made, want 0", n)
	}

	// A link made before passwords were limited cannot set one, nor sign in.
	var token string
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		token, err = env.App.Auth.CreateInvitation(tx, ada.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	if res := c.Get("/invite/" + token); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "Sign in with Hospital Login") {
		t.Fatalf("GET an old invitation: status %d, want 409 pointing to single sign-on", res.StatusCode)
	}
	res = c.Post("/invite/"+token, url.Values{"password": {authPassword}, "password_confirm": {authPassword}})
	if res.StatusCode != http.StatusConflict || whoAmI(t, env, c) != "" {
		t.Fatalf("POST an old invitation: status %d, signed in as %q; want 409 and no session", res.StatusCode, whoAmI(t, env, c))
	}
	if emp, _ := env.App.People.ByID(t.Context(), ada.ID); emp.PasswordHash != "" {
		t.Fatal("the old invitation set a password")
	}
}

// TestSSOProviderUnreachable: discovery happens at first use; an
// unreachable issuer gives a page that says so (and is tried again at the
// next sign-in).
func TestSSOProviderUnreachable(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) {
		c.OIDC = config.OIDC{Issuer: "http://127.0.0.1:1/nowhere", ClientID: "onramp", EmployeeClaim: "employee_id", Name: "Hospital Login"}
	}})
	res := env.Client().Get("/auth/oidc/start")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "Hospital Login cannot be reached") {
		t.Fatalf("status %d, want 503 saying the provider cannot be reached; body: %.300s", res.StatusCode, res.Body)
	}
}

// TestSSOCreatesUnknownPerson: with ONRAMP_SSO_CREATE=on an unknown person
// with an employee_id is added as a learner (audited, through HR's path),
// then linked.
func TestSSOCreatesUnknownPerson(t *testing.T) {
	t.Parallel()
	env, idp := ssoEnv(t, func(c *config.Config) { c.SSOCreate = true })
	idp.AddUser("sub-new", "newbie", "New", "Starter", "new.starter@example.org", "E555")
	c := env.Client()
	if res := ssoSignIn(t, env, c, idp, "newbie"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d, want 303", res.StatusCode)
	}
	emp, err := env.App.People.ByEmail(t.Context(), "new.starter@example.org")
	if err != nil {
		t.Fatalf("the person was not created: %v", err)
	}
	if emp.Role != people.RoleLearner || emp.EmployeeNumber == nil || *emp.EmployeeNumber != "E555" || emp.FirstName != "New" {
		t.Fatalf("created %+v, want learner New Starter with E555", emp)
	}
	if whoAmI(t, env, c) != "new.starter@example.org" {
		t.Fatal("not signed in as the created person")
	}
	var created int64
	env.App.DB.Table("audit_log").Where("action = ? AND entity_id = ?", "create", emp.ID).Count(&created)
	if created != 1 {
		t.Fatalf("audit entries for the creation: %d, want 1", created)
	}
	// Without a valid e-mail the person is not created, and that is said.
	idp.AddUser("sub-bad", "bad", "Bad", "Mail", "not-an-address", "E556")
	wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "bad"), sso.ReasonCreate)
}
