package httpserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
)

// What the OpenID Connect (sso_test.go) and SAML (saml_test.go) sign-in
// tests share: reading Onramp's answers and the audit trail, and the
// people each provider must refuse.

// getURL fetches an absolute URL with the client's cookies, not following
// redirects.
func getURL(t *testing.T, c *apptest.Client, u string) *http.Response {
	t.Helper()
	res, _ := getURLBody(t, c, u)
	return res
}

// getURLBody is getURL with the body read.
func getURLBody(t *testing.T, c *apptest.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.HTTP.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// whoAmI returns the e-mail of the signed-in person per the session, or "".
func whoAmI(t *testing.T, env *apptest.Env, c *apptest.Client) string {
	t.Helper()
	token := authCookie(c, "onramp_session")
	if token == "" {
		return ""
	}
	emp, _, err := env.App.Auth.SessionEmployee(t.Context(), token)
	if err != nil {
		return ""
	}
	return emp.Email
}

// refusals returns the audit trail's refused sign-ins' reasons, in order.
func refusals(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	var entries []audit.Entry
	if err := env.App.DB.Where("action = ?", sso.ActionRefuse).Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		i := strings.Index(e.Details, `"reason":"`)
		if i < 0 {
			t.Fatalf("refusal entry without a reason: %s", e.Details)
		}
		rest := e.Details[i+len(`"reason":"`):]
		out = append(out, rest[:strings.Index(rest, `"`)])
	}
	return out
}

// lastRefusal is the audit trail's latest refused sign-in.
func lastRefusal(t *testing.T, env *apptest.Env) audit.Entry {
	t.Helper()
	var e audit.Entry
	if err := env.App.DB.Where("action = ?", sso.ActionRefuse).Order("seq DESC").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	return e
}

func setEmployeeNumber(t *testing.T, env *apptest.Env, emp *people.Employee, number string) {
	t.Helper()
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("employee_number", number).Error; err != nil {
		t.Fatal(err)
	}
}

// setInactive marks emp inactive in the database: all a sign-in looks at.
func setInactive(t *testing.T, env *apptest.Env, emp *people.Employee) {
	t.Helper()
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
}

// wantRefused checks Onramp refused a sign-in (403) and audited it with
// the reason.
func wantRefused(t *testing.T, env *apptest.Env, res *http.Response, reason string) {
	t.Helper()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("callback: status %d, want 403 (refused: %s)", res.StatusCode, reason)
	}
	got := refusals(t, env)
	if len(got) == 0 || got[len(got)-1] != reason {
		t.Fatalf("audited refusals %v, want the last to be %q", got, reason)
	}
}

// wantRefusalDetail checks the latest refusal's audit entry says words.
func wantRefusalDetail(t *testing.T, env *apptest.Env, words string) {
	t.Helper()
	if e := lastRefusal(t, env); !strings.Contains(e.Summary, words) {
		t.Fatalf("refusal %q does not say %q", e.Summary, words)
	}
}

// wantLinked checks the provider's subject is linked to emp, and the link
// audited once.
func wantLinked(t *testing.T, env *apptest.Env, issuer, subject string, emp *people.Employee) {
	t.Helper()
	var links int64
	env.App.DB.Table("identity_links").Where("issuer = ? AND subject = ? AND employee_id = ?", issuer, subject, emp.ID).Count(&links)
	if links != 1 {
		t.Fatalf("identity links of %s to %s at %s: %d, want 1", subject, emp.Email, issuer, links)
	}
	var linked int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", sso.ActionLink, emp.ID).Count(&linked)
	if linked != 1 {
		t.Fatalf("audit entries for the link: %d, want 1", linked)
	}
}

// ssoProvider is what the shared tests need of a test identity provider.
type ssoProvider struct {
	// protocol is as refusal entries name it ("OpenID Connect", "SAML").
	protocol string
	// addUser adds a person to the provider; number is the employee_id
	// claim or attribute ("" for none).
	addUser func(subject, username, first, last, email, number string)
	// signIn goes through a whole sign-in in c as username and returns
	// Onramp's answer to the callback, with its body.
	signIn func(c *apptest.Client, username string) (*http.Response, string)
}

// wantPeopleRefused: an unknown employee, a deactivated one, a subject
// whose employee is linked to another subject, no employee_id, and a
// linked person deactivated later are each refused with the 403 page, an
// audit entry with the reason, and no session.
func wantPeopleRefused(t *testing.T, env *apptest.Env, p ssoProvider) {
	t.Helper()
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	gone := env.CreateEmployee("gone@example.org", "Gone", "Away", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	setEmployeeNumber(t, env, gone, "E300")
	setInactive(t, env, gone)
	p.addUser("sub-ada", "ada", "Ada", "Lovelace", "ada@example.org", "E100")
	p.addUser("sub-x", "stranger", "Stra", "Nger", "x@example.org", "E999")
	p.addUser("sub-gone", "gone", "Gone", "Away", "gone@example.org", "E300")
	p.addUser("sub-fake", "impostor", "Ada", "Lovelace", "ada@example.org", "E100")
	p.addUser("sub-none", "noclaim", "No", "Claim", "none@example.org", "")

	if res, _ := p.signIn(env.Client(), "ada"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ada's first sign-in: status %d (refusals %v)", res.StatusCode, refusals(t, env))
	}
	for _, tc := range []struct{ user, reason string }{
		{"stranger", sso.ReasonUnknown},
		{"gone", sso.ReasonInactive},
		{"impostor", sso.ReasonLinkedToOther},
		{"noclaim", sso.ReasonNoClaim},
	} {
		c := env.Client()
		res, body := p.signIn(c, tc.user)
		wantRefused(t, env, res, tc.reason)
		if !strings.Contains(body, "You could not be signed in") {
			t.Fatalf("%s: the refusal page does not say so: %.500s", tc.user, body)
		}
		if got := whoAmI(t, env, c); got != "" {
			t.Fatalf("%s: signed in as %q after a refusal", tc.user, got)
		}
	}
	// Ada deactivated later: her linked subject is refused too.
	setInactive(t, env, ada)
	res, _ := p.signIn(env.Client(), "ada")
	wantRefused(t, env, res, sso.ReasonInactive)
	if e := lastRefusal(t, env); e.EntityID != ada.ID || !strings.Contains(e.Details, `"protocol":"`+p.protocol+`"`) {
		t.Fatalf("the refusal entry is not about Ada over %s: entity %q, details %s", p.protocol, e.EntityID, e.Details)
	}
}
