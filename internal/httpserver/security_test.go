package httpserver_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
)

// The security checks of issue 7 that are not about who may use which route
// (access_test.go has those): CSRF, sessions, cookies, headers, redirects,
// sign-in throttling and body limits. What the auth tests already check is
// named where it lives rather than repeated.

// databaseSnapshot renders every row of every table, so a test can tell
// that a refused request changed nothing at all.
func databaseSnapshot(t testing.TB, env *apptest.Env) string {
	t.Helper()
	tables, err := env.App.DB.Migrator().GetTables()
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	sort.Strings(tables)
	var sb strings.Builder
	for _, table := range tables {
		var rows []map[string]any
		if err := env.App.DB.Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		lines := make([]string, len(rows))
		for i, r := range rows {
			lines[i] = sortedRow(r)
		}
		sort.Strings(lines)
		fmt.Fprintf(&sb, "%s (%d rows)\n  %s\n", table, len(rows), strings.Join(lines, "\n  "))
	}
	return sb.String()
}

// TestCSRFRefusedOnEveryPost posts to every form route (API routes use
// bearer tokens and are exempt) without a CSRF token, with a made-up one,
// with another visitor's real one, and with a wrong X-CSRF-Token header, as
// an anonymous visitor and as HR (who could do the most harm). Each must be
// refused with 403 and a page, and change nothing: not one row, not the
// session. TestLoginNeedsTheCSRFToken and TestLogoutNeedsTheCSRFToken look
// at sign-in and sign-out in more detail.
func TestCSRFRefusedOnEveryPost(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, apptest.Options{})
	hr := f.Env.Client()
	hr.Login(f.HR.Email, learnerPassword)
	anon := f.Env.Client()
	anon.CSRF()
	stranger := f.Env.Client()
	strangersToken := stranger.CSRF()

	bad := []struct {
		name   string
		token  string
		header bool
	}{
		{"no token", "", false},
		{"made-up token", strings.Repeat("A", 43), false},
		{"another visitor's token", strangersToken, false},
		{"made-up header", strings.Repeat("B", 43), true},
	}
	posts := 0
	for _, route := range appRoutes(f.Env) {
		method, _, _ := strings.Cut(route, " ")
		if method == http.MethodGet || method == http.MethodHead || isAPIRoute(route) {
			continue
		}
		if route == "POST /saml/acs" {
			// The identity provider's cross-site POST carries no CSRF token:
			// its single-use RelayState, tied to the browser that started
			// the sign-in, takes that role (TestSAMLRefusesAssertionsItCannotTrust).
			continue
		}
		if _, ok := routeAccess[route]; !ok {
			continue // TestEveryRouteHasAnAccessRule names it
		}
		posts++
		path := f.fill(t, route)
		for _, who := range []struct {
			name   string
			client *apptest.Client
		}{{"anonymous", anon}, {"hr_admin", hr}} {
			before := databaseSnapshot(t, f.Env)
			for _, b := range bad {
				session := authCookie(who.client, "onramp_session")
				req := accessRequest{Method: method, Path: path, Body: f.body(route)}
				switch {
				case b.header:
					req.Header = http.Header{"X-CSRF-Token": {b.token}}
				case b.token != "" && req.Body.ContentType == "application/x-www-form-urlencoded":
					req.CSRF = b.token
				case b.token != "":
					req.Header = http.Header{"X-CSRF-Token": {b.token}}
				}
				res := send(t, who.client, req)
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s with %s: status %d, want 403%s", method, path, who.name, b.name, res.StatusCode, bodyHint(res))
				} else if !strings.Contains(res.Body, "did not come from Onramp") {
					t.Errorf("%s %s as %s with %s: the 403 page does not say why:\n%s", method, path, who.name, b.name, res.Body)
				}
				if authCookie(who.client, "onramp_session") != session {
					t.Errorf("%s %s as %s with %s was refused but changed the session cookie", method, path, who.name, b.name)
				}
			}
			if after := databaseSnapshot(t, f.Env); after != before {
				t.Errorf("%s %s as %s was refused (no token, wrong tokens) but changed the database:\n%s", method, path, who.name, diffLines(before, after))
			}
		}
	}
	if posts == 0 {
		t.Fatal("no POST routes found")
	}
	if !authSignedIn(t, hr) {
		t.Error("HR was signed out by refused posts")
	}
}

// TestCSRFExemptionIsOnlyTheAPI: the API (bearer tokens, no cookies) is
// exempt from the CSRF check by its path, so no path that merely starts
// with /api/ may reach a form route: HR's cookie-carrying post without a
// token, dressed up as an API call, changes nothing.
func TestCSRFExemptionIsOnlyTheAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, apptest.Options{})
	hr := f.Env.Client()
	hr.Login(f.HR.Email, learnerPassword)
	before := databaseSnapshot(t, f.Env)
	for _, route := range appRoutes(f.Env) {
		method, _, _ := strings.Cut(route, " ")
		if method == http.MethodGet || method == http.MethodHead || isAPIRoute(route) {
			continue
		}
		if route == "POST /saml/acs" {
			// The identity provider's cross-site POST carries no CSRF token:
			// its single-use RelayState, tied to the browser that started
			// the sign-in, takes that role (TestSAMLRefusesAssertionsItCannotTrust).
			continue
		}
		if _, ok := routeAccess[route]; !ok {
			continue
		}
		path := f.fill(t, route)
		for _, p := range []string{"/api/.." + path, "/api/%2e%2e" + path, "/api/v1/../.." + path, "/api/./.." + path} {
			res := send(t, hr, accessRequest{Method: method, Path: p, Body: f.body(route)})
			if res.StatusCode < 400 {
				t.Errorf("%s %s without a CSRF token: status %d%s", method, p, res.StatusCode, bodyHint(res))
			}
		}
	}
	if after := databaseSnapshot(t, f.Env); after != before {
		t.Errorf("posts without a CSRF token under /api/ changed the database:\n%s", diffLines(before, after))
	}
}

// diffLines lists the lines only one of a and b has.
func diffLines(a, b string) string {
	inA := map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		inA[l] = true
	}
	inB := map[string]bool{}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		inB[l] = true
		if !inA[l] {
			out = append(out, "+ "+l)
		}
	}
	for _, l := range strings.Split(a, "\n") {
		if !inB[l] {
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestInvitationStartsANewSession: setting a password through an invitation
// signs in like the sign-in form does (TestLoginStartsANewSession): a new
// session ID, the session from before ended, a new CSRF token.
func TestInvitationStartsANewSession(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("ben@example.org", "Ben", "Adeyemi", people.RoleLearner, authPassword)
	link := authInvite(t, env, "amara@example.org", "Amara", "Okafor")
	c := env.Client()
	c.Login("ben@example.org", authPassword) // someone else's session, on a shared computer
	before, csrfBefore := authCookie(c, "onramp_session"), c.CSRF()

	res := c.Post(link, url.Values{"password": {authPassword}, "password_confirm": {authPassword}})
	authWantRedirect(t, res, "/")
	after := authCookie(c, "onramp_session")
	if after == "" || after == before {
		t.Fatalf("session cookie after the invitation = %q: not a new session", after)
	}
	if c.CSRF() == csrfBefore {
		t.Error("the CSRF token was not rotated when the invitation signed in")
	}
	old := env.Client()
	authPlantCookie(old, "onramp_session", before)
	if authSignedIn(t, old) {
		t.Error("the session from before the invitation still works")
	}
}

// TestSignedOutSessionIsDead: after sign-out the old cookies, replayed
// together (session and CSRF token, as someone who copied them would), can
// neither read nor change anything. TestLogout checks the plain replay.
func TestSignedOutSessionIsDead(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp := env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	assignBasic(t, env, emp)
	c := env.Client()
	c.Login("amara@example.org", authPassword)
	session, csrf := authCookie(c, "onramp_session"), c.CSRF()
	var stored int64
	env.App.DB.Table("sessions").Where("id = ?", session).Count(&stored)
	if stored != 0 {
		t.Error("the database stores the session token itself, not its hash")
	}
	authWantRedirect(t, c.Post("/logout", nil), "/login")

	replay := env.Client()
	authPlantCookie(replay, "onramp_session", session)
	authPlantCookie(replay, "onramp_csrf", csrf)
	before := databaseSnapshot(t, env)
	res := replay.Post(basicStep+"welcome/done", url.Values{"csrf_token": {csrf}})
	authWantStatus(t, res, http.StatusUnauthorized)
	if after := databaseSnapshot(t, env); after != before {
		t.Errorf("a post with a signed-out session changed the database:\n%s", diffLines(before, after))
	}
	authPlantCookie(replay, "onramp_session", session)
	if res := replay.Get("/people/" + emp.ID + "/progress"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a signed-out session read the progress page: %d", res.StatusCode)
	}
}

// rawRequest sends one request with exactly the cookies given: no jar, so
// Secure cookies can be sent to the plain-HTTP test server as a browser
// would send them over TLS.
func rawRequest(t *testing.T, env *apptest.Env, method, path string, cookies []*http.Cookie, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, env.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res
}

// cookieNamed returns the last Set-Cookie of res named name, or nil.
func cookieNamed(res *http.Response, name string) *http.Cookie {
	var found *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			found = ck
		}
	}
	return found
}

// TestCookieFlags: every cookie Onramp sets is HttpOnly, SameSite=Lax, for
// the whole site and no other host; behind TLS it is also Secure and named
// with the __Host- prefix, and a cookie without the prefix (which a
// neighbouring subdomain or a plain-HTTP page could plant) is ignored.
func TestCookieFlags(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[tls], func(t *testing.T) {
			t.Parallel()
			opts := apptest.Options{}
			prefix := ""
			if tls {
				prefix = "__Host-"
				opts.Configure = func(c *config.Config) { c.BaseURL, _ = url.Parse("https://training.example") }
			}
			env := apptest.New(t, opts)
			env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)

			var seen []*http.Cookie
			check := func(step string, res *http.Response, names ...string) {
				t.Helper()
				for _, name := range names {
					if cookieNamed(res, name) == nil {
						t.Errorf("%s: no %s cookie set (cookies: %v)", step, name, res.Cookies())
					}
				}
				for _, ck := range res.Cookies() {
					seen = append(seen, ck)
					switch {
					case !strings.HasPrefix(ck.Name, prefix):
						t.Errorf("%s: cookie %s lacks the %s prefix", step, ck.Name, prefix)
					case !ck.HttpOnly:
						t.Errorf("%s: cookie %s is not HttpOnly", step, ck.Name)
					case ck.SameSite != http.SameSiteLaxMode:
						t.Errorf("%s: cookie %s SameSite=%v, want Lax", step, ck.Name, ck.SameSite)
					case ck.Path != "/" || ck.Domain != "":
						t.Errorf("%s: cookie %s Path=%q Domain=%q, want / and none", step, ck.Name, ck.Path, ck.Domain)
					case ck.Secure != tls:
						t.Errorf("%s: cookie %s Secure=%v, want %v", step, ck.Name, ck.Secure, tls)
					}
				}
			}
			csrfName, sessionName := prefix+"onramp_csrf", prefix+"onramp_session"

			res := rawRequest(t, env, http.MethodGet, "/login", nil, nil)
			check("GET /login", res, csrfName)
			csrf := cookieNamed(res, csrfName)
			res = rawRequest(t, env, http.MethodPost, "/login", []*http.Cookie{csrf},
				url.Values{"email": {"amara@example.org"}, "password": {authPassword}, "csrf_token": {csrf.Value}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: status %d", res.StatusCode)
			}
			check("POST /login", res, sessionName, csrfName)
			session, csrf := cookieNamed(res, sessionName), cookieNamed(res, csrfName)
			if got := rawRequest(t, env, http.MethodGet, "/", []*http.Cookie{session, csrf}, nil); got.StatusCode != http.StatusOK {
				t.Fatalf("GET / with the session cookie: %d", got.StatusCode)
			}
			if tls {
				unprefixed := []*http.Cookie{{Name: "onramp_session", Value: session.Value}, {Name: "onramp_csrf", Value: csrf.Value}}
				if got := rawRequest(t, env, http.MethodGet, "/", unprefixed, nil); got.StatusCode != http.StatusSeeOther {
					t.Errorf("behind TLS, a session cookie without the __Host- prefix was accepted: %d", got.StatusCode)
				}
			}
			res = rawRequest(t, env, http.MethodPost, "/logout", []*http.Cookie{session, csrf}, url.Values{"csrf_token": {csrf.Value}})
			check("POST /logout", res, sessionName, csrfName, prefix+"onramp_notice")
			if ck := cookieNamed(res, sessionName); ck.MaxAge >= 0 && ck.Value != "" {
				t.Errorf("sign-out left the session cookie: %+v", ck)
			}
			// A dead session's cookie is cleared, with the same flags.
			res = rawRequest(t, env, http.MethodGet, "/", []*http.Cookie{session}, nil)
			check("GET / with a dead session", res, sessionName)
			if len(seen) < 6 {
				t.Errorf("only %d cookies seen", len(seen))
			}
		})
	}
}

// wantSecurityHeaders checks the headers every response must carry: a CSP
// with no unsafe-inline or unsafe-eval that forbids framing, plugins and
// <base>; nosniff; a referrer policy that never sends paths (they can hold
// tokens) to other sites.
func wantSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Errorf("%s: no Content-Security-Policy", what)
	} else {
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[strings.ToLower(name)] = strings.TrimSpace(value)
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: the CSP allows unsafe-inline or unsafe-eval: %s", what, csp)
		}
		for name, want := range map[string]string{"frame-ancestors": "'none'", "object-src": "'none'", "base-uri": "'none'"} {
			if directives[name] != want {
				t.Errorf("%s: CSP %s = %q, want %s", what, name, directives[name], want)
			}
		}
		if directives["default-src"] != "'self'" {
			t.Errorf("%s: CSP default-src = %q, want 'self'", what, directives["default-src"])
		}
		for name, value := range directives {
			if strings.HasSuffix(name, "-src") && (strings.Contains(" "+value+" ", " * ") || strings.Contains(value, "http:") || strings.Contains(value, "https:")) {
				t.Errorf("%s: CSP %s allows any host: %q", what, name, value)
			}
		}
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, got)
	}
	switch got := h.Get("Referrer-Policy"); got {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy = %q", what, got)
	}
}

// TestSecurityHeaders: pages, error pages (401, 403, 404, 405, 413, 500),
// static files, media, PDFs, JSON and the operations endpoints all carry
// the security headers. A 500 page tells nothing of the cause.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)
	anon := env.Client()
	anon.CSRF()
	cases := []struct {
		what   string
		res    *apptest.Response
		status int
	}{
		{"sign-in page", anon.Get("/login"), http.StatusOK},
		{"dashboard", c.Get("/"), http.StatusOK},
		{"course page", c.Get("/courses/basic"), http.StatusOK},
		{"redirect", anon.Get("/"), http.StatusSeeOther},
		{"401 page", anon.Post(basicStep+"welcome/done", nil), http.StatusUnauthorized},
		{"403 page", c.Get("/admin"), http.StatusForbidden},
		{"404 page", c.Get("/no-such-page"), http.StatusNotFound},
		{"405 page", c.Post("/verify", nil), http.StatusMethodNotAllowed},
		{"413 page", oversizedPost(t, c, "/login", 3<<20), http.StatusRequestEntityTooLarge},
		{"static file", anon.Get("/static/css/app.css"), http.StatusOK},
		{"course media", c.Get("/courses/basic/media/media/intro.vtt"), http.StatusOK},
		{"JSON beacon reply", c.PostJSON(videoStep+"/video", beacon(0, 0, 0)), http.StatusConflict},
		{"healthz", anon.Get("/healthz"), http.StatusOK},
		{"metrics", anon.Get("/metrics"), http.StatusOK},
	}
	cert, err := env.App.Learning.CompleteCourse(context.Background(), emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		what   string
		res    *apptest.Response
		status int
	}{"certificate PDF", c.Get("/certificates/" + cert.Code + "/pdf"), http.StatusOK})
	for _, tc := range cases {
		if tc.res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.what, tc.res.StatusCode, tc.status)
		}
		wantSecurityHeaders(t, tc.what, tc.res.Header)
	}

	// A 500: the database goes away under a signed-in request.
	if err := env.App.DB.SQL().Close(); err != nil {
		t.Fatal(err)
	}
	res := c.Get("/")
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET / with the database closed: %d, want 500", res.StatusCode)
	}
	wantSecurityHeaders(t, "500 page", res.Header)
	if !strings.Contains(res.Body, "Something went wrong on our side") {
		t.Errorf("the 500 page is not the error page:\n%s", res.Body)
	}
	for _, leak := range []string{"sql", "database is closed", "goroutine", ".go:"} {
		if strings.Contains(strings.ToLower(res.Body), leak) {
			t.Errorf("the 500 page shows internals (%q)", leak)
		}
	}
}

// oversizedPost sends a form of size bytes with the client's CSRF token
// first, so only the size can be the reason to refuse it.
func oversizedPost(t *testing.T, c *apptest.Client, path string, size int) *apptest.Response {
	t.Helper()
	prefix := "csrf_token=" + url.QueryEscape(c.CSRF()) + "&padding="
	body := prefix + strings.Repeat("x", size-len(prefix))
	return send(t, c, accessRequest{Method: http.MethodPost, Path: path, Body: accessBody{"application/x-www-form-urlencoded", body}})
}

// localRedirect reports whether a browser following Location loc from
// https://training.example/ would stay on that site. It reads loc as a
// browser does (the WHATWG URL standard): leading and trailing spaces and
// control characters go, tabs and newlines anywhere go, and a backslash is
// a slash.
func localRedirect(loc string) bool {
	cleaned := strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	cleaned = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(cleaned)
	if !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") {
		return false
	}
	base, _ := url.Parse("https://training.example/")
	u, err := base.Parse(cleaned)
	return err == nil && u.Scheme == base.Scheme && u.Host == base.Host
}

func TestLocalRedirect(t *testing.T) {
	t.Parallel()
	for loc, want := range map[string]bool{
		"/": true, "/courses/basic?x=1": true, "/%2F%2Fevil.example": true, "/..//evil.example": true,
		"//evil.example": false, "/\\evil.example": false, "\\\\evil.example": false, "/\t/evil.example": false,
		"https://evil.example": false, "https:/evil.example": false, "javascript:alert(1)": false, " //evil.example": false,
	} {
		if got := localRedirect(loc); got != want {
			t.Errorf("localRedirect(%q) = %v, want %v", loc, got, want)
		}
	}
}

// openRedirectTargets are next= values that have sent people to other sites
// in other applications.
var openRedirectTargets = []string{
	"//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
	"https://evil.example", "https:/evil.example", "https:evil.example", "HTTPS://evil.example",
	"%2F%2Fevil.example", "/%2F/evil.example", "%2f%2fevil.example",
	"\t//evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example",
	"/%0d%0aLocation:%20https://evil.example", "/\r\nLocation: https://evil.example",
	"javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
	"//evil.example@training.example", "/@evil.example", "//%65vil.example", "/%09/evil.example",
	"http://training.example.evil.example/",
}

// TestNoOpenRedirect: no next= value sends anyone off the site, whether it
// arrives at sign-in (the form or the query) or at any other route.
// TestLoginNextStaysOnTheSite checks that ordinary local paths survive.
func TestNoOpenRedirect(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, apptest.Options{})
	env := f.Env
	signedIn := env.Client()
	signedIn.Login(f.Learner.Email, learnerPassword)
	for _, next := range openRedirectTargets {
		c := env.Client()
		res := c.Post("/login", url.Values{"email": {f.Learner.Email}, "password": {learnerPassword}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || !localRedirect(res.Header.Get("Location")) {
			t.Errorf("sign in with next=%q: %d to %q", next, res.StatusCode, res.Header.Get("Location"))
		}
		res = signedIn.Get("/login?next=" + url.QueryEscape(next))
		if res.StatusCode != http.StatusSeeOther || !localRedirect(res.Header.Get("Location")) {
			t.Errorf("GET /login?next=%q signed in: %d to %q", next, res.StatusCode, res.Header.Get("Location"))
		}
		// The sign-in form carries next on: it must hold a local path too.
		page := env.Client().Get("/login?next=" + url.QueryEscape(next))
		if v, _ := learnerDoc(t, page).Find("input[name=next]").Attr("value"); v != "" && !localRedirect(v) {
			t.Errorf("the sign-in form for next=%q carries next=%q", next, v)
		}
	}

	// Every other route, as every caller, with a hostile next= in the query
	// (and in the form, for posts).
	var callers []*accessCaller
	for _, c := range f.callers(t) {
		// Who is asking matters to where a route sends them, not to how
		// it reads next=: someone signed out and someone who may use
		// every page (HR is assigned the course too) are enough.
		switch c.Name {
		case "anonymous", "hr_admin":
			callers = append(callers, c)
		}
	}
	for _, route := range appRoutes(env) {
		if _, ok := routeAccess[route]; !ok {
			continue // TestEveryRouteHasAnAccessRule names it
		}
		method, _, _ := strings.Cut(route, " ")
		path := f.fill(t, route)
		for _, c := range callers {
			for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example"} {
				session := authCookie(c.Client, "onramp_session")
				body := f.body(route)
				if body.ContentType == "application/x-www-form-urlencoded" && method != http.MethodGet {
					body.Text = url.Values{"next": {next}}.Encode()
				}
				res := send(t, c.Client, accessRequest{Method: method, Path: path + "?next=" + url.QueryEscape(next), Body: body, CSRF: csrfValid, Bearer: c.Bearer})
				if loc := res.Header.Get("Location"); loc != "" && !localRedirect(loc) {
					t.Errorf("%s: %s %s with next=%q redirects off the site, to %q", c.Name, method, path, next, loc)
				}
				c.keepSignedIn(t, session)
			}
		}
	}
}

// TestSignInThrottledPerIP: many failed sign-ins from one address, each
// for a different account, lock that address out, and a made-up
// X-Forwarded-For header does not get around it (no proxy is trusted
// here). TestLoginThrottlesFailures covers the per-account limit.
func TestSignInThrottledPerIP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	try := func(email, password string, i int) *apptest.Response {
		return send(t, c, accessRequest{
			Method: http.MethodPost, Path: "/login", CSRF: csrfValid,
			Body:   accessBody{"application/x-www-form-urlencoded", url.Values{"email": {email}, "password": {password}}.Encode()},
			Header: http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i)}, "X-Real-Ip": {fmt.Sprintf("198.51.100.%d", i)}},
		})
	}
	for i := 1; i <= 20; i++ {
		res := try(fmt.Sprintf("guess%d@example.org", i), "not the password at all", i)
		authWantStatus(t, res, http.StatusUnauthorized)
	}
	res := try("amara@example.org", authPassword, 99)
	authWantStatus(t, res, http.StatusTooManyRequests)
	if authCookie(c, "onramp_session") != "" {
		t.Fatal("signed in from a throttled address")
	}
}

// TestBodyLimit: a request body over the 2 MiB limit is refused with 413
// and the error page, whatever its encoding, before anything reads it; the
// server goes on answering; a large body under the limit is read normally.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("amara@example.org", "Amara", "Okafor", people.RoleLearner, authPassword)
	c := env.Client()
	before := databaseSnapshot(t, env)

	res := oversizedPost(t, c, "/login", 2<<20+1)
	authWantStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.Body, "That upload is too large") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the 413 answer is not the error page: %q\n%s", res.Header.Get("Content-Type"), res.Body)
	}

	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	_ = w.WriteField("csrf_token", c.CSRF())
	fw, _ := w.CreateFormFile("file", "staff.csv")
	_, _ = fw.Write(bytes.Repeat([]byte("E1,a@example.org,Ana,Silva\n"), (3<<20)/27))
	_ = w.Close()
	res = send(t, c, accessRequest{Method: http.MethodPost, Path: "/login", Body: accessBody{w.FormDataContentType(), mp.String()}})
	authWantStatus(t, res, http.StatusRequestEntityTooLarge)

	// Without a Content-Length (chunked), the limit applies as it is read.
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte("csrf_token=" + url.QueryEscape(c.CSRF()) + "&padding="))
		_, _ = pw.Write(bytes.Repeat([]byte("x"), 3<<20))
		_ = pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.HTTP.Jar.Cookies(c.Base) {
		req.AddCookie(ck)
	}
	chunked, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, chunked.Body)
	_ = chunked.Body.Close()
	// The same 413 as with a Content-Length, unread past the limit.
	if chunked.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 3 MiB form: status %d, want 413", chunked.StatusCode)
	}

	if after := databaseSnapshot(t, env); after != before {
		t.Errorf("refused bodies changed the database:\n%s", diffLines(before, after))
	}
	authWantStatus(t, c.Get("/healthz"), http.StatusOK)
	res = c.Post("/login", url.Values{"email": {"amara@example.org"}, "password": {authPassword}, "padding": {strings.Repeat("x", 1<<20)}})
	authWantRedirect(t, res, "/")
}
