package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// authInvite adds an employee without a password and returns the path of their
// set-password link.
func authInvite(t *testing.T, env *apptest.Env, email, first, last string) string {
	t.Helper()
	emp := env.CreateEmployee(email, first, last, people.RoleLearner, "")
	var token string
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		token, err = env.App.Auth.CreateInvitation(tx, emp.ID)
		return err
	})
	if err != nil {
		t.Fatalf("create invitation: %v", err)
	}
	return "/invite/" + token
}

func TestInvitationSetsPasswordAndSignsIn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	link := authInvite(t, env, "amara@example.org", "Amara", "Okafor")
	c := env.Client()

	res := c.Get(link)
	authWantStatus(t, res, http.StatusOK)
	if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("invite page headers: Referrer-Policy %q, Cache-Control %q", res.Header.Get("Referrer-Policy"), res.Header.Get("Cache-Control"))
	}
	doc := authDoc(t, res)
	authWantAccessibleForm(t, doc)
	if got := doc.Find("h1").Text(); got != "Set your password" {
		t.Errorf("h1 = %q", got)
	}
	if !strings.Contains(doc.Find("main").Text(), "Welcome, Amara") || doc.Find("[data-testid=invite-email]").Text() != "amara@example.org" {
		t.Errorf("the page does not greet Amara with her address:\n%s", doc.Find("main").Text())
	}
	for _, name := range []string{"password", "password_confirm"} {
		if got, _ := doc.Find("input[name=" + name + "]").Attr("autocomplete"); got != "new-password" {
			t.Errorf("%s autocomplete = %q", name, got)
		}
	}
	if got, _ := doc.Find("input[name=password]").Attr("aria-describedby"); got != "password-hint" || !strings.Contains(doc.Find("#password-hint").Text(), "12 characters") {
		t.Errorf("password aria-describedby = %q; hint %q", got, doc.Find("#password-hint").Text())
	}

	for _, tc := range []struct {
		password, confirm, field, message string
	}{
		{"too short", "too short", "password", "at least 12 characters"},
		{"amara@example.org", "amara@example.org", "password", "not your e-mail address"},
		{"password1234", "password1234", "password", "It is a very common password."},
		{"123456789012", "123456789012", "password", "commonly used password"},
		{"aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", `Repeated characters like "aaa" are easy to guess.`},
		{"Password123!", "Password123!", "password", "harder to guess"},
		{"amaraokafor2026", "amaraokafor2026", "password", "your own name or e-mail address"},
		{authPassword, "", "password_confirm", "Type the password again"},
		{authPassword, authPassword + "!", "password_confirm", "different"},
	} {
		res := c.Post(link, url.Values{"password": {tc.password}, "password_confirm": {tc.confirm}})
		authWantStatus(t, res, http.StatusUnprocessableEntity)
		doc := authDoc(t, res)
		if !strings.Contains(doc.Find("#"+tc.field+"-error").Text(), tc.message) {
			t.Errorf("%q/%q: %s error = %q, want %q", tc.password, tc.confirm, tc.field, doc.Find("#"+tc.field+"-error").Text(), tc.message)
		}
		if doc.Find(`[data-testid=error-summary] a[href="#`+tc.field+`"]`).Length() != 1 {
			t.Errorf("%q/%q: the summary does not link to #%s", tc.password, tc.confirm, tc.field)
		}
		if got, _ := doc.Find("input[name=" + tc.field + "]").Attr("aria-invalid"); got != "true" {
			t.Errorf("%s not marked aria-invalid", tc.field)
		}
	}

	res = c.Post(link, url.Values{"password": {authPassword}, "password_confirm": {authPassword}})
	authWantRedirect(t, res, "/")
	if !authSignedIn(t, c) {
		t.Fatal("not signed in after setting the password")
	}
	env.Client().Login("amara@example.org", authPassword)

	// The link works once.
	res = env.Client().Get(link)
	authWantStatus(t, res, http.StatusGone)
	if !strings.Contains(res.Body, "expired or was already used") || !strings.Contains(res.Body, "HR") {
		t.Errorf("the spent-link page does not explain:\n%s", res.Body)
	}
	other := env.Client()
	other.Get("/login")
	res = other.Post(link, url.Values{"password": {"a different passphrase"}, "password_confirm": {"a different passphrase"}})
	authWantStatus(t, res, http.StatusGone)
	env.Client().Login("amara@example.org", authPassword)
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	link := authInvite(t, env, "amara@example.org", "Amara", "Okafor")
	c := env.Client()
	authWantStatus(t, c.Get(link), http.StatusOK)
	env.Clock.Advance(7 * 24 * time.Hour)
	authWantStatus(t, c.Get(link), http.StatusGone)
	res := c.Post(link, url.Values{"password": {authPassword}, "password_confirm": {authPassword}})
	authWantStatus(t, res, http.StatusGone)
	if authCookie(c, "onramp_session") != "" {
		t.Error("signed in through an expired link")
	}
}

func TestInvitationUnknownAndCSRF(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	link := authInvite(t, env, "amara@example.org", "Amara", "Okafor")
	c := env.Client()
	authWantStatus(t, c.Get("/invite/not-a-real-token"), http.StatusGone)
	authWantStatus(t, c.Get("/invite/"+strings.Repeat("A", 43)), http.StatusGone)
	res := c.PostRaw(link, url.Values{"password": {authPassword}, "password_confirm": {authPassword}})
	authWantStatus(t, res, http.StatusForbidden)
	authWantStatus(t, c.Get(link), http.StatusOK) // the refused post did not use the link up
}
