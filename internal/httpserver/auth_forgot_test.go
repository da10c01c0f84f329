package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// outboxTexts returns the rendered plain-text bodies of the outbox rows of
// kind for the employee, oldest first.
func outboxTexts(t *testing.T, env *apptest.Env, employeeID string, kind notify.Kind) []string {
	t.Helper()
	var rows []notify.Entry
	q := env.App.DB.Where("recipient_employee_id = ?", employeeID)
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if err := q.Order("created_at, id").Find(&rows).Error; err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	var out []string
	for _, r := range rows {
		e, err := env.App.Notify.Outbox.Get(context.Background(), r.ID)
		if err != nil {
			t.Fatalf("render outbox row %s: %v", r.ID, err)
		}
		out = append(out, e.TextBody)
	}
	return out
}

// linkIn finds the path of the one link with prefix (/reset/ or /invite/)
// in an e-mail's text.
func linkIn(t *testing.T, env *apptest.Env, text, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(env.Server.URL+prefix)+`[A-Za-z0-9_-]{43}`).FindAllString(text, -1)
	if len(m) == 0 {
		t.Fatalf("no %s link in the e-mail:\n%s", prefix, text)
	}
	return strings.TrimPrefix(m[0], env.Server.URL)
}

func noWait(env *apptest.Env) {
	env.App.Auth.Sleep = func(context.Context, time.Duration) error { return nil }
}

// The answer to "forgot your password" is the same page, with the same
// status, for an active person's address, an unknown address and a
// deactivated person's address, and takes at least the padded time; only
// the active person gets an e-mail.
func TestForgotPasswordAnswerDoesNotRevealTheAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	known := env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	gone := env.CreateEmployee("gone@example.org", "Gone", "Away", people.RoleLearner, authPassword)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", gone.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	res := c.Get("/login")
	authWantStatus(t, res, http.StatusOK)
	if authDoc(t, res).Find(`a[href="/forgot-password"]`).Length() == 0 {
		t.Fatal(`/login has no "Forgot your password?" link`)
	}
	res = c.Get("/forgot-password")
	authWantStatus(t, res, http.StatusOK)
	authWantAccessibleForm(t, authDoc(t, res))

	answer := func(email string) (int, string) {
		start := time.Now()
		res := c.Post("/forgot-password", url.Values{"email": {email}})
		if took := time.Since(start); took < 400*time.Millisecond {
			t.Errorf("%s: answered in %v, before the padded 400ms", email, took)
		}
		main := authDoc(t, res).Find("main").Text()
		return res.StatusCode, strings.ReplaceAll(main, email, "ADDRESS")
	}
	ks, kb := answer("amara@example.org")
	us, ub := answer("nobody@example.org")
	gs, gb := answer("gone@example.org")
	if ks != http.StatusOK || us != ks || gs != ks {
		t.Errorf("statuses: known %d, unknown %d, deactivated %d; want 200 for all", ks, us, gs)
	}
	if kb != ub || kb != gb {
		t.Errorf("the answers differ:\nknown: %s\nunknown: %s\ndeactivated: %s", kb, ub, gb)
	}
	if !strings.Contains(kb, "Check your e-mail") {
		t.Errorf("answer: %s", kb)
	}
	if n := len(outboxTexts(t, env, known.ID, notify.KindPasswordReset)); n != 1 {
		t.Errorf("reset e-mails to the known address: %d, want 1", n)
	}
	if n := len(outboxTexts(t, env, gone.ID, notify.KindPasswordReset)); n != 0 {
		t.Errorf("reset e-mails to the deactivated person: %d, want 0", n)
	}
	var all int64
	env.App.DB.Model(&notify.Entry{}).Where("kind = ?", notify.KindPasswordReset).Count(&all)
	if all != 1 {
		t.Errorf("reset e-mails in all: %d, want 1", all)
	}

	res = c.Post("/forgot-password", url.Values{"email": {""}})
	authWantStatus(t, res, http.StatusUnprocessableEntity)
	if authDoc(t, res).Find(`[data-testid=error-summary] a[href="#email"]`).Length() != 1 {
		t.Error("an empty address is not named in the error summary")
	}
}

// The reset link works once, ends every session of the person, is audited,
// and expires after an hour.
func TestResetLinkIsSingleUseEndsSessionsAndExpires(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	noWait(env)
	emp := env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	elsewhere := env.Client()
	elsewhere.Login("amara@example.org", authPassword)
	if !authSignedIn(t, elsewhere) {
		t.Fatal("not signed in elsewhere")
	}

	c := env.Client()
	authWantStatus(t, c.Post("/forgot-password", url.Values{"email": {"Amara@Example.org"}}), http.StatusOK)
	texts := outboxTexts(t, env, emp.ID, notify.KindPasswordReset)
	if len(texts) != 1 {
		t.Fatalf("reset e-mails: %d", len(texts))
	}
	link := linkIn(t, env, texts[0], "/reset/")
	res := c.Get(link)
	authWantStatus(t, res, http.StatusOK)
	if h1 := authDoc(t, res).Find("h1").Text(); h1 != "Choose a new password" {
		t.Errorf("h1 = %q", h1)
	}
	// The rules apply.
	res = c.Post(link, url.Values{"password": {"password1234"}, "password_confirm": {"password1234"}})
	authWantStatus(t, res, http.StatusUnprocessableEntity)

	const newPassword = "violet kettle harbour 42"
	authWantRedirect(t, c.Post(link, url.Values{"password": {newPassword}, "password_confirm": {newPassword}}), "/")
	if !authSignedIn(t, c) {
		t.Error("not signed in after choosing a new password")
	}
	if authSignedIn(t, elsewhere) {
		t.Error("the other session survived the reset")
	}
	var n int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", audit.ActionPasswordReset, emp.ID).Count(&n)
	if n != 1 {
		t.Errorf("password_reset audit entries: %d, want 1", n)
	}
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", audit.ActionResetRequest, emp.ID).Count(&n)
	if n != 1 {
		t.Errorf("reset_request audit entries: %d, want 1", n)
	}
	// Single use.
	authWantStatus(t, c.Get(link), http.StatusGone)
	authWantStatus(t, env.Client().Post(link, url.Values{"password": {"another long passphrase 7"}, "password_confirm": {"another long passphrase 7"}}), http.StatusGone)
	fresh := env.Client()
	fresh.Login("amara@example.org", newPassword)
	if !authSignedIn(t, fresh) {
		t.Error("cannot sign in with the new password")
	}

	// Expiry: a new link is dead an hour later.
	authWantStatus(t, env.Client().Post("/forgot-password", url.Values{"email": {"amara@example.org"}}), http.StatusOK)
	texts = outboxTexts(t, env, emp.ID, notify.KindPasswordReset)
	link = linkIn(t, env, texts[len(texts)-1], "/reset/")
	env.Clock.Advance(59 * time.Minute)
	authWantStatus(t, env.Client().Get(link), http.StatusOK)
	env.Clock.Advance(time.Minute)
	res = env.Client().Get(link)
	authWantStatus(t, res, http.StatusGone)
	if authDoc(t, res).Find(`a[href="/forgot-password"]`).Length() == 0 {
		t.Error("the expired-link page does not offer a new link")
	}
}

// Requests are throttled like sign-ins: a client asking too often is told
// to wait, and one address gets at most MaxResetsPerAddress links in the
// window, whoever asks, with the same answer as ever.
func TestForgotPasswordIsThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	noWait(env)
	emp := env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	for i := 0; i < auth.MaxResetsPerIP; i++ {
		authWantStatus(t, c.Post("/forgot-password", url.Values{"email": {"amara@example.org"}}), http.StatusOK)
	}
	if n := len(outboxTexts(t, env, emp.ID, notify.KindPasswordReset)); n != auth.MaxResetsPerAddress {
		t.Errorf("reset e-mails after %d requests: %d, want %d", auth.MaxResetsPerIP, n, auth.MaxResetsPerAddress)
	}
	res := c.Post("/forgot-password", url.Values{"email": {"someone@example.org"}})
	authWantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(authDoc(t, res).Find("[data-testid=error-summary]").Text(), "Wait 15 minutes") {
		t.Error("the throttled answer does not say how long to wait")
	}
	// Reset requests are not failed sign-ins: the owner still signs in.
	owner := env.Client()
	owner.Login("amara@example.org", authPassword)
	if !authSignedIn(t, owner) {
		t.Error("reset requests locked the owner out of signing in")
	}
	env.Clock.Advance(auth.ThrottleWindow + time.Second)
	authWantStatus(t, c.Post("/forgot-password", url.Values{"email": {"amara@example.org"}}), http.StatusOK)
	if n := len(outboxTexts(t, env, emp.ID, notify.KindPasswordReset)); n != auth.MaxResetsPerAddress+1 {
		t.Errorf("reset e-mails after the window: %d, want %d", n, auth.MaxResetsPerAddress+1)
	}
}
