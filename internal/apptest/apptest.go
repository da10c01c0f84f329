// Package apptest builds a whole Onramp for tests: a real database (a SQLite
// file in t.TempDir(), or a fresh PostgreSQL database when
// ONRAMP_TEST_DATABASE_URL is set), the real router behind an httptest
// server, and a fake clock. Clients keep cookies and send the CSRF token the
// way a browser form does.
package apptest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
)

// Env is one running Onramp under test.
type Env struct {
	T      testing.TB
	App    *app.App
	Clock  *clock.Fake
	Server *httptest.Server
	// DatabaseURL is where the data lives, to reopen it (e.g. a restart).
	DatabaseURL string
	cfg         config.Config
}

// Options change how New builds the app.
type Options struct {
	// ContentDir is the course content; default: the fixture course in
	// internal/catalog/testdata/basic.
	ContentDir string
	// Now is the fake clock's start; default 2026-03-02 09:00 UTC.
	Now time.Time
	// Demo turns on demo mode.
	Demo bool
	// DatabaseURL reuses an existing database (default: a new one).
	DatabaseURL string
	// Configure changes settings before the app opens (e.g. ONRAMP_SMTP_URL).
	Configure func(*config.Config)
}

// RepoRoot returns the repository's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// New starts an app for the test and stops it when the test ends.
func New(tb testing.TB, opts Options) *Env {
	tb.Helper()
	if opts.ContentDir == "" {
		opts.ContentDir = filepath.Join(RepoRoot(), "internal", "catalog", "testdata", "basic")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	}
	if opts.DatabaseURL == "" {
		opts.DatabaseURL = NewDatabaseURL(tb)
	}
	env := &Env{T: tb, Clock: clock.NewFake(opts.Now), DatabaseURL: opts.DatabaseURL}
	env.Server = httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + env.Server.Listener.Addr().String())
	d := config.Defaults()
	d.DatabaseURL, d.ContentDir, d.BaseURL, d.Demo = opts.DatabaseURL, opts.ContentDir, base, opts.Demo
	d.DataDir = tb.TempDir()
	if opts.Configure != nil {
		opts.Configure(&d)
	}
	env.cfg = d
	env.start()
	tb.Cleanup(env.stop)
	return env
}

func (e *Env) start() {
	e.T.Helper()
	a, err := app.Open(context.Background(), e.cfg, nil, e.Clock)
	if err != nil {
		e.T.Fatalf("open app: %v", err)
	}
	// Passwords set and checked through this app cost microseconds, not
	// argon2id's production tens of milliseconds (see hashPassword).
	a.Auth.Cost = auth.CostTest
	e.App = a
	e.Server.Config.Handler = validateAPIResponses(e.T, a.Server)
	if e.Server.URL == "" {
		e.Server.Start()
	}
}

func (e *Env) stop() {
	if e.App != nil {
		_ = e.App.Close()
		e.App = nil
	}
	e.Server.Close()
}

// Restart closes the app and opens it again on the same database, as a
// process restart would. The URL stays the same.
func (e *Env) Restart() {
	e.T.Helper()
	_ = e.App.Close()
	e.start()
}

// NewDatabaseURL returns a fresh, empty database for one test: a SQLite file
// in a temporary directory, or a new PostgreSQL database when
// ONRAMP_TEST_DATABASE_URL is set (dropped when the test ends).
func NewDatabaseURL(tb testing.TB) string {
	tb.Helper()
	return newDatabaseURL(tb)
}

// CreateEmployee adds an active employee with the given role and password
// (empty for none) and returns it.
func (e *Env) CreateEmployee(email, first, last string, role people.Role, password string) *people.Employee {
	e.T.Helper()
	emp := &people.Employee{Email: email, FirstName: first, LastName: last, Role: role, Department: "Nursing", JobTitle: "Registered Nurse"}
	if password != "" {
		h, err := hashPassword(password)
		if err != nil {
			e.T.Fatalf("hash password: %v", err)
		}
		emp.PasswordHash = h
	}
	err := e.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, emp, e.Clock.Now()) })
	if err != nil {
		e.T.Fatalf("create employee: %v", err)
	}
	return emp
}

// Client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects (tests assert them), and fills in csrf_token on forms.
type Client struct {
	T    testing.TB
	HTTP *http.Client
	Base *url.URL
}

// Client returns a new client with an empty cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(e.Server.URL)
	return &Client{T: e.T, Base: base, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

func (c *Client) do(req *http.Request) *Response {
	c.T.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatalf("read body: %v", err)
	}
	return &Response{Response: res, Body: string(b)}
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base.String()+path, nil)
	return c.do(req)
}

// CSRF returns the CSRF token the site gave this client, fetching a page
// first if it has none yet.
func (c *Client) CSRF() string {
	c.T.Helper()
	for i := 0; i < 2; i++ {
		for _, ck := range c.HTTP.Jar.Cookies(c.Base) {
			if strings.HasSuffix(ck.Name, "onramp_csrf") {
				return ck.Value
			}
		}
		c.Get("/login")
	}
	c.T.Fatal("the site set no CSRF cookie")
	return ""
}

// Post submits a form with the client's CSRF token added.
func (c *Client) Post(path string, form url.Values) *Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf_token") {
		form.Set("csrf_token", c.CSRF())
	}
	return c.PostRaw(path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base.String()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// PostJSON sends a JSON body with the CSRF header, as the page's scripts do.
func (c *Client) PostJSON(path, body string) *Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base.String()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF())
	return c.do(req)
}

// Login signs in and fails the test unless the site redirects away from /login.
func (c *Client) Login(email, password string) {
	c.T.Helper()
	res := c.Post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.T.Fatalf("sign in as %s: status %d, want 303; body:\n%s", email, res.StatusCode, res.Body)
	}
}
