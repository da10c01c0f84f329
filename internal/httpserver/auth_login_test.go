package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

func TestLoginPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	c := env.Client()
	res := c.Get("/login?next=%2Fcourses%2Fsocial-media")
	authWantStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	doc := authDoc(t, res)
	authWantAccessibleForm(t, doc)
	form := doc.Find(`form[action="/login"][method=post]`)
	for sel, want := range map[string]string{
		`input[name=email][type=email]`:       "email",
		`input[name=password][type=password]`: "current-password",
	} {
		if got, _ := form.Find(sel).Attr("autocomplete"); got != want {
			t.Errorf("%s autocomplete = %q, want %q", sel, got, want)
		}
	}
	if got, _ := form.Find("input[name=email]").Attr("inputmode"); got != "email" {
		t.Errorf("email inputmode = %q", got)
	}
	if got, _ := form.Find("input[name=csrf_token]").Attr("value"); got == "" || got != authCookie(c, "onramp_csrf") {
		t.Errorf("csrf_token field %q does not match the cookie %q", got, authCookie(c, "onramp_csrf"))
	}
	if got, _ := form.Find("input[name=next]").Attr("value"); got != "/courses/social-media" {
		t.Errorf("next field = %q", got)
	}
	if doc.Find(`[data-testid=error-summary]`).Length() != 0 {
		t.Error("an error summary on a fresh form")
	}
}

func TestLoginStartsANewSession(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	env.CreateEmployee("ben@example.org", "Ben", "Adeyemi", people.RoleLearner, authPassword)
	c := env.Client()

	// A session cookie planted before sign-in (session fixation) is replaced.
	authPlantCookie(c, "onramp_session", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	csrfBefore := c.CSRF()
	res := c.Post("/login", url.Values{"email": {"Amara@Example.org"}, "password": {authPassword}})
	authWantRedirect(t, res, "/")
	first := authCookie(c, "onramp_session")
	if first == "" || first == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" {
		t.Fatalf("session cookie after sign-in = %q: not a new session", first)
	}
	if authCookie(c, "onramp_csrf") == csrfBefore {
		t.Error("the CSRF token was not rotated at sign-in")
	}
	for _, name := range []string{"onramp_session", "onramp_csrf"} {
		ck := authSetCookie(res, name)
		if ck == nil {
			t.Fatalf("sign-in set no %s cookie", name)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
			t.Errorf("%s: HttpOnly=%v SameSite=%v Path=%q, want HttpOnly, Lax, /", name, ck.HttpOnly, ck.SameSite, ck.Path)
		}
	}
	if !authSignedIn(t, c) {
		t.Fatal("not signed in after a successful sign-in")
	}

	// Signing in again (here as someone else on a shared computer) gives
	// another new session and ends the one before.
	c.Login("ben@example.org", authPassword)
	second := authCookie(c, "onramp_session")
	if second == first {
		t.Fatal("the session ID did not change at the second sign-in")
	}
	old := env.Client()
	authPlantCookie(old, "onramp_session", first)
	if authSignedIn(t, old) {
		t.Error("the session cookie from before the second sign-in still works")
	}
}

func TestLoginRefusesWrongCredentials(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	env.CreateEmployee("new@example.org", "New", "Starter", people.RoleLearner, "")
	for name, form := range map[string]url.Values{
		"wrong password":    {"email": {"amara@example.org"}, "password": {"correct horse battery stapler"}},
		"unknown address":   {"email": {"nobody@example.org"}, "password": {authPassword}},
		"no password set":   {"email": {"new@example.org"}, "password": {authPassword}},
		"address with case": {"email": {"AMARA@example.org"}, "password": {strings.ToUpper(authPassword)}},
	} {
		t.Run(name, func(t *testing.T) {
			c := env.Client()
			res := c.Post("/login", form)
			authWantStatus(t, res, http.StatusUnauthorized)
			if ck := authSetCookie(res, "onramp_session"); ck != nil && ck.MaxAge >= 0 {
				t.Errorf("a failed sign-in set a session cookie %q", ck.Value)
			}
			if authCookie(c, "onramp_session") != "" {
				t.Error("the client holds a session cookie after a failed sign-in")
			}
			doc := authDoc(t, res)
			authWantAccessibleForm(t, doc)
			summary := doc.Find(`[data-testid=error-summary]`)
			if !strings.Contains(summary.Text(), "e-mail address or password is not right") {
				t.Errorf("error summary = %q", summary.Text())
			}
			if n := strings.Count(res.Body, "e-mail address or password is not right"); n != 1 {
				t.Errorf("the message appears %d times, want once", n)
			}
			if _, ok := summary.Attr("autofocus"); !ok {
				t.Error("the error summary does not take focus")
			}
			if got, _ := doc.Find("input[name=email]").Attr("value"); got != form.Get("email") {
				t.Errorf("the e-mail typed was not kept: %q", got)
			}
			if got, _ := doc.Find("input[name=password]").Attr("value"); got != "" {
				t.Error("the password was echoed back")
			}
			if !strings.HasPrefix(doc.Find("title").Text(), "Error: ") {
				t.Errorf("title %q does not start with Error:", doc.Find("title").Text())
			}
		})
	}
}

func TestLoginIncompleteForm(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	c := env.Client()
	res := c.Post("/login", url.Values{"email": {" "}, "password": {""}})
	authWantStatus(t, res, http.StatusUnprocessableEntity)
	doc := authDoc(t, res)
	if doc.Find(`[data-testid=error-summary] a[href="#email"]`).Length() != 1 || doc.Find(`[data-testid=error-summary] a[href="#password"]`).Length() != 1 {
		t.Errorf("the summary does not link to both fields:\n%s", res.Body)
	}
	if got, _ := doc.Find("input[name=email]").Attr("aria-describedby"); got != "email-error" || doc.Find("#email-error").Length() != 1 {
		t.Errorf("email aria-describedby = %q, or no #email-error", got)
	}
}

func TestLoginNeedsTheCSRFToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	c.CSRF()
	for name, token := range map[string]string{"missing": "", "wrong": strings.Repeat("x", 43)} {
		form := url.Values{"email": {"amara@example.org"}, "password": {authPassword}}
		if token != "" {
			form.Set("csrf_token", token)
		}
		res := c.PostRaw("/login", form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, res.StatusCode)
		}
		if authCookie(c, "onramp_session") != "" {
			t.Errorf("%s token: signed in anyway", name)
		}
	}
	// A visitor with no CSRF cookie at all (a cross-site form post) is refused too.
	fresh := env.Client()
	res := fresh.PostRaw("/login", url.Values{"email": {"amara@example.org"}, "password": {authPassword}, "csrf_token": {strings.Repeat("x", 43)}})
	authWantStatus(t, res, http.StatusForbidden)
}

func TestLoginThrottlesFailures(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	for i := 1; i <= 5; i++ {
		res := c.Post("/login", url.Values{"email": {"amara@example.org"}, "password": {"guess number " + string(rune('0'+i))}})
		authWantStatus(t, res, http.StatusUnauthorized)
	}
	// Throttled: even the right password is refused, with its own message.
	res := c.Post("/login", url.Values{"email": {"amara@example.org"}, "password": {authPassword}})
	authWantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(authDoc(t, res).Find(`[data-testid=error-summary]`).Text(), "too many failed sign-ins") {
		t.Errorf("429 page does not say why:\n%s", res.Body)
	}
	if authCookie(c, "onramp_session") != "" {
		t.Fatal("signed in while throttled")
	}
	env.Clock.Advance(15 * time.Minute)
	c.Login("amara@example.org", authPassword)
}

func TestLoginNextStaysOnTheSite(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	for next, want := range map[string]string{
		"//evil.example":                 "/",
		"https://evil.example":           "/",
		"/\\evil":                        "/",
		"https:/evil.example":            "/",
		"javascript:alert(1)":            "/",
		"/%0d%0aSet-Cookie:x=y":          "/%0d%0aSet-Cookie:x=y",
		"/\r\nSet-Cookie:x=y":            "/",
		"":                               "/",
		"/courses/social-media?module=2": "/courses/social-media?module=2",
	} {
		c := env.Client()
		res := c.Post("/login", url.Values{"email": {"amara@example.org"}, "password": {authPassword}, "next": {next}})
		authWantRedirect(t, res, want)
	}
	// Already signed in: /login sends the visitor on, never off-site.
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	authWantRedirect(t, c.Get("/login"), "/")
	authWantRedirect(t, c.Get("/login?next="+url.QueryEscape("//evil.example")), "/")
	authWantRedirect(t, c.Get("/login?next="+url.QueryEscape("/certificates")), "/certificates")
}

func TestLoginInactiveEmployee(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp := env.CreateEmployee("gone@example.org", "Gone", "Away", people.RoleLearner, authPassword)
	c := env.Client()
	c.Login("gone@example.org", authPassword)
	err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("status", people.StatusInactive).Error
	if err != nil {
		t.Fatal(err)
	}
	if authSignedIn(t, c) {
		t.Error("a deactivated employee's session still works")
	}
	res := env.Client().Post("/login", url.Values{"email": {"gone@example.org"}, "password": {authPassword}})
	authWantStatus(t, res, http.StatusUnauthorized)
}
