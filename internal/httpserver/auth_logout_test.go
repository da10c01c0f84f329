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

func TestLogout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	session := authCookie(c, "onramp_session")

	res := c.Post("/logout", nil)
	authWantRedirect(t, res, "/login")
	if ck := authSetCookie(res, "onramp_session"); ck == nil || ck.MaxAge >= 0 {
		t.Error("sign-out did not clear the session cookie")
	}
	page := c.Get("/login")
	authWantStatus(t, page, http.StatusOK)
	if got := authDoc(t, page).Find(".flash").Text(); !strings.Contains(got, "You have signed out.") {
		t.Errorf("the sign-in page after sign-out says %q", got)
	}
	if strings.Contains(c.Get("/login").Body, "You have signed out.") {
		t.Error("the sign-out notice shows twice")
	}

	// The old cookie is dead on the server, not only forgotten by the browser.
	replay := env.Client()
	authPlantCookie(replay, "onramp_session", session)
	if authSignedIn(t, replay) {
		t.Fatal("the session cookie still works after sign-out")
	}
	authPlantCookie(replay, "onramp_session", session)
	res = replay.Get("/")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("GET / with a signed-out cookie: %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestLogoutNeedsTheCSRFToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	res := c.PostRaw("/logout", url.Values{})
	authWantStatus(t, res, http.StatusForbidden)
	if !authSignedIn(t, c) {
		t.Error("a sign-out without the CSRF token signed the person out")
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	env.Clock.Advance(29 * time.Minute)
	if !authSignedIn(t, c) {
		t.Fatal("signed out after 29 minutes")
	}
	env.Clock.Advance(29 * time.Minute)
	if !authSignedIn(t, c) {
		t.Fatal("signed out after 29 idle minutes (the request before counts as activity)")
	}
	env.Clock.Advance(30 * time.Minute)
	if authSignedIn(t, c) {
		t.Fatal("still signed in after 30 idle minutes")
	}
	if authCookie(c, "onramp_session") != "" {
		t.Error("the expired session cookie was not cleared")
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	for i := 1; i < 36; i++ { // 35 × 20 minutes = 11h40m
		env.Clock.Advance(20 * time.Minute)
		if !authSignedIn(t, c) {
			t.Fatalf("signed out after %v of activity", time.Duration(i)*20*time.Minute)
		}
	}
	env.Clock.Advance(20 * time.Minute) // 12h after sign-in
	if authSignedIn(t, c) {
		t.Fatal("still signed in 12 hours after sign-in")
	}
}
