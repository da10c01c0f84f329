package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
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
	// These tests refuse many sign-ins from 127.0.0.1: more than the
	// flood limit, past which refusals are counted, not audited one by one.
	env.App.SSO.Refusals.PerAddress = 1000
	return env, idp
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
	wantLinked(t, env, idp.URL, "sub-ada", ada)

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
// employee, an employee already linked to another subject, no claim, and a
// linked person deactivated later (wantPeopleRefused).
func TestSSORefusesPeopleItCannotTrust(t *testing.T) {
	t.Parallel()
	env, idp := ssoEnv(t, nil)
	wantPeopleRefused(t, env, ssoProvider{protocol: "OpenID Connect", addUser: idp.AddUser,
		signIn: func(c *apptest.Client, user string) (*http.Response, string) {
			return getURLBody(t, c, ssoToProvider(t, env, c, idp, user))
		}})
}

// TestSSORefusesTokensItCannotTrust: state of another browser, a replayed
// callback, a nonce that is not ours, a token for another client (wrong
// audience), from another issuer, not yet valid, unsigned, signed with
// another key or changed after signing, and an expired one.
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
	t.Run("not yet valid", func(t *testing.T) {
		// go-oidc allows 5 minutes of clock skew on "nbf".
		idp.ChangeIDToken(func(claims map[string]any) { claims["nbf"] = env.Clock.Now().Add(10 * time.Minute).Unix() })
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonToken)
		wantRefusalDetail(t, env, "nbf")
	})
	t.Run("unsigned", func(t *testing.T) {
		idp.IDTokenUnsigned()
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonToken)
	})
	t.Run("signed with another key", func(t *testing.T) {
		idp.IDTokenSignedWithOtherKey()
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonToken)
		wantRefusalDetail(t, env, "signature")
	})
	t.Run("changed after signing", func(t *testing.T) {
		idp.IDTokenChangedAfterSigning("sub-someone-else")
		defer idp.Reset()
		wantRefused(t, env, ssoSignIn(t, env, env.Client(), idp, "ada"), sso.ReasonToken)
		wantRefusalDetail(t, env, "signature")
	})
	t.Run("the hooks re-sign as the provider would", func(t *testing.T) {
		// A token re-signed unchanged is accepted: the refusals above are
		// the changes', not the test's re-signing.
		idp.ChangeIDToken(func(map[string]any) {})
		defer idp.Reset()
		c := env.Client()
		if res := ssoSignIn(t, env, c, idp, "ada"); res.StatusCode != http.StatusSeeOther || whoAmI(t, env, c) != "ada@example.org" {
			t.Fatalf("a re-signed, unchanged token: status %d (refusals %v)", res.StatusCode, refusals(t, env))
		}
	})
	t.Run("expired token", func(t *testing.T) {
		c := env.Client()
		callback := ssoToProvider(t, env, c, idp, "ada")
		env.Clock.Advance(ssotest.IDTokenLifetime + time.Minute) // still within sso.FlowTTL
		wantRefused(t, env, getURL(t, c, callback), sso.ReasonToken)
		wantRefusalDetail(t, env, "expired")
	})
}
