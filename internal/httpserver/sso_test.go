package httpserver_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
	"github.com/onramp-lms/onramp/internal/sso/ssotest"
)

// ssoEnv is Onramp with OIDC sign-in through a test provider. The fake
// clock starts at the real time, since the provider stamps its tokens with
// it.
func ssoEnv(t *testing.T, configure func(*config.Config)) (*apptest.Env, *ssotest.IdP) {
	t.Helper()
	var idp *ssotest.IdP
	env := apptest.New(t, apptest.Options{Now: time.Now().UTC().Truncate(time.Second), Configure: func(c *config.Config) {
		idp = ssotest.New(t, c.BaseURL.String()+sso.CallbackPath)
		c.OIDC = config.OIDC{Issuer: idp.URL, ClientID: ssotest.ClientID, ClientSecret: ssotest.ClientSecret, EmployeeClaim: "employee_id", Name: "Hospital Login"}
		if configure != nil {
			configure(c)
		}
	}})
	return env, idp
}

// getURL fetches an absolute URL with the client's cookies, not following
// redirects.
func getURL(t *testing.T, c *apptest.Client, u string) *http.Response {
	t.Helper()
	res, err := c.HTTP.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// ssoToProvider starts a sign-in at Onramp, signs in on the provider's own
// login page as username, and returns the URL the provider sends the
// browser back to (Onramp's callback with code and state), unfollowed.
func ssoToProvider(t *testing.T, env *apptest.Env, c *apptest.Client, idp *ssotest.IdP, username string) string {
	t.Helper()
	res := getURL(t, c, env.Server.URL+"/auth/oidc/start?next=/courses")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /auth/oidc/start: status %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, idp.URL+"/auth?") {
		t.Fatalf("sign-in goes to %q, not the provider's authorize endpoint", loc)
	}
	q, _ := url.Parse(loc)
	for _, p := range []string{"state", "nonce", "code_challenge"} {
		if q.Query().Get(p) == "" {
			t.Fatalf("the authorize request has no %s: %s", p, loc)
		}
	}
	if q.Query().Get("code_challenge_method") != "S256" {
		t.Fatalf("PKCE method %q, want S256", q.Query().Get("code_challenge_method"))
	}
	for range 10 {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("bad Location %q", loc)
		}
		if u.Host == "" {
			u, _ = url.Parse(idp.URL + loc)
		}
		if strings.HasPrefix(u.String(), env.Server.URL+sso.CallbackPath) {
			return u.String()
		}
		if u.Path == "/login/username" {
			// The provider's own login form.
			form := url.Values{"username": {username}, "password": {ssotest.Password}, "id": {u.Query().Get("authRequestID")}}
			r, err := c.HTTP.PostForm(idp.URL+"/login/username", form)
			if err != nil {
				t.Fatalf("provider login: %v", err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusFound {
				t.Fatalf("provider login: status %d", r.StatusCode)
			}
			loc = r.Header.Get("Location")
			continue
		}
		r := getURL(t, c, u.String())
		if r.StatusCode/100 != 3 {
			t.Fatalf("GET %s: status %d, want a redirect", u, r.StatusCode)
		}
		loc = r.Header.Get("Location")
	}
	t.Fatalf("the provider never sent the browser back to Onramp")
	return ""
}

// ssoSignIn goes through the whole sign-in and returns Onramp's answer to
// the callback.
func ssoSignIn(t *testing.T, env *apptest.Env, c *apptest.Client, idp *ssotest.IdP, username string) *http.Response {
	t.Helper()
	return getURL(t, c, ssoToProvider(t, env, c, idp, username))
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

func setEmployeeNumber(t *testing.T, env *apptest.Env, emp *people.Employee, number string) {
	t.Helper()
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("employee_number", number).Error; err != nil {
		t.Fatal(err)
	}
}

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

// TestSSOFirstSignInLinksThenUsesTheSubject: the first sign-in links the
// provider's subject through the employee_id claim; after the claim
// changes, the stored subject still decides who signs in.
func TestSSOFirstSignInLinksThenUsesTheSubject(t *testing.T) {
	t.Parallel()
	env, idp := ssoEnv(t, nil)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	bob := env.CreateEmployee("bob@example.org", "Bob", "Other", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	setEmployeeNumber(t, env, bob, "E200")
	idp.AddUser("sub-ada", "ada", "Ada", "Lovelace", "ada.lovelace@idp.example", "E100")

	c := env.Client()
	c.Get("/login") // an old session cookie and CSRF token, to see them rotated
	before := authCookie(c, "onramp_csrf")
	res := ssoSignIn(t, env, c, idp, "ada")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/courses" {
		t.Fatalf("callback: status %d to %q, want 303 to /courses", res.StatusCode, res.Header.Get("Location"))
	}
	if got := whoAmI(t, env, c); got != "ada@example.org" {
		t.Fatalf("signed in as %q, want ada@example.org", got)
	}
	if authCookie(c, "onramp_csrf") == before {
		t.Fatal("the CSRF token was not rotated at sign-in")
	}
	var links int64
	env.App.DB.Table("identity_links").Where("issuer = ? AND subject = ? AND employee_id = ?", idp.URL, "sub-ada", ada.ID).Count(&links)
	if links != 1 {
		t.Fatalf("identity links for Ada: %d, want 1", links)
	}
	var linked int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", sso.ActionLink, ada.ID).Count(&linked)
	if linked != 1 {
		t.Fatalf("audit entries for the link: %d, want 1", linked)
	}

	// The provider now says E200 (Bob's number): the subject still is Ada.
	idp.Storage.SetEmployeeID("sub-ada", "E200")
	c2 := env.Client()
	res = ssoSignIn(t, env, c2, idp, "ada")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: status %d", res.StatusCode)
	}
	if got := whoAmI(t, env, c2); got != "ada@example.org" {
		t.Fatalf("after the claim changed, signed in as %q, want ada@example.org (by subject)", got)
	}
	if r := refusals(t, env); len(r) != 0 {
		t.Fatalf("refusals %v, want none", r)
	}
}

// TestSSORefusesPeopleItCannotTrust: unknown employee, deactivated
// employee, an employee already linked to another subject, and no claim.
func TestSSORefusesPeopleItCannotTrust(t *testing.T) {
	t.Parallel()
	env, idp := ssoEnv(t, nil)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	gone := env.CreateEmployee("gone@example.org", "Gone", "Away", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	setEmployeeNumber(t, env, gone, "E300")
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", gone.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
	idp.AddUser("sub-ada", "ada", "Ada", "Lovelace", "ada@example.org", "E100")
	idp.AddUser("sub-x", "stranger", "Stra", "Nger", "x@example.org", "E999")
	idp.AddUser("sub-gone", "gone", "Gone", "Away", "gone@example.org", "E300")
	idp.AddUser("sub-fake", "impostor", "Ada", "Lovelace", "ada@example.org", "E100")
	idp.AddUser("sub-none", "noclaim", "No", "Claim", "none@example.org", "")

	if res := ssoSignIn(t, env, env.Client(), idp, "ada"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ada's first sign-in: status %d", res.StatusCode)
	}
	for _, tc := range []struct{ user, reason string }{
		{"stranger", sso.ReasonUnknown},
		{"gone", sso.ReasonInactive},
		{"impostor", sso.ReasonLinkedToOther},
		{"noclaim", sso.ReasonNoClaim},
	} {
		c := env.Client()
		wantRefused(t, env, ssoSignIn(t, env, c, idp, tc.user), tc.reason)
		if got := whoAmI(t, env, c); got != "" {
			t.Fatalf("%s: signed in as %q after a refusal", tc.user, got)
		}
	}
	// Ada deactivated later: her linked subject is refused too.
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
	wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonInactive)
}

// TestSSORefusesTokensItCannotTrust: state of another browser, a replayed
// callback, a nonce that is not ours, a token for another client (wrong
// audience), from another issuer, and an expired one.
func TestSSORefusesTokensItCannotTrust(t *testing.T) {
	t.Parallel()
	env, idp := ssoEnv(t, nil)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	idp.AddUser("sub-ada", "ada", "Ada", "Lovelace", "ada@example.org", "E100")

	t.Run("state from another browser", func(t *testing.T) {
		callback := ssoToProvider(t, env, env.Client(), idp, "ada")
		victim := env.Client()
		wantRefused(t, env, getURL(t, victim, callback), sso.ReasonState)
	})
	t.Run("state changed", func(t *testing.T) {
		c := env.Client()
		callback := ssoToProvider(t, env, c, idp, "ada")
		u, _ := url.Parse(callback)
		q := u.Query()
		q.Set("state", "not-the-state")
		u.RawQuery = q.Encode()
		wantRefused(t, env, getURL(t, c, u.String()), sso.ReasonState)
	})
	t.Run("provider said no", func(t *testing.T) {
		c := env.Client()
		callback := ssoToProvider(t, env, c, idp, "ada")
		u, _ := url.Parse(callback)
		q := u.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		q.Set("error_description", "the user is not assigned to the application")
		u.RawQuery = q.Encode()
		res := c.Get(u.RequestURI())
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "You could not be signed in") || !strings.Contains(res.Body, "not assigned to the application") {
			t.Fatalf("status %d, want 403 with the provider's reason; body: %.400s", res.StatusCode, res.Body)
		}
		if got := refusals(t, env); got[len(got)-1] != sso.ReasonProvider {
			t.Fatalf("audited refusals %v, want the last to be %q", got, sso.ReasonProvider)
		}
	})
	t.Run("replayed callback", func(t *testing.T) {
		c := env.Client()
		callback := ssoToProvider(t, env, c, idp, "ada")
		if res := getURL(t, c, callback); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: status %d", res.StatusCode)
		}
		wantRefused(t, env, getURL(t, c, callback), sso.ReasonState)
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		idp.RewriteAuthorize(func(q url.Values) { q.Set("nonce", "an-attackers-nonce") })
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonNonce)
	})
	t.Run("wrong audience", func(t *testing.T) {
		idp.RewriteAuthorize(func(q url.Values) { q.Set("client_id", ssotest.OtherClientID) })
		idp.RewriteToken(func(r *http.Request) { r.SetBasicAuth(ssotest.OtherClientID, ssotest.ClientSecret) })
		defer idp.Reset()
		res := ssoSignIn(t, env, env.Client(), idp, "ada")
		wantRefused(t, env, res, sso.ReasonToken)
		wantRefusalDetail(t, env, "audience")
	})
	t.Run("wrong issuer", func(t *testing.T) {
		idp.TokensFromOtherIssuer()
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonToken)
		wantRefusalDetail(t, env, "issued by a different provider")
	})
	t.Run("expired token", func(t *testing.T) {
		c := env.Client()
		callback := ssoToProvider(t, env, c, idp, "ada")
		env.Clock.Advance(ssotest.IDTokenLifetime + time.Minute) // still within sso.FlowTTL
		wantRefused(t, env, getURL(t, c, callback), sso.ReasonToken)
		wantRefusalDetail(t, env, "expired")
	})
}

func wantRefusalDetail(t *testing.T, env *apptest.Env, words string) {
	t.Helper()
	var e audit.Entry
	if err := env.App.DB.Where("action = ?", sso.ActionRefuse).Order("seq DESC").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Summary, words) {
		t.Fatalf("refusal %q does not say %q", e.Summary, words)
	}
}
