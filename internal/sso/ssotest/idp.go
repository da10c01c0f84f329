// Package ssotest runs a real OpenID Connect provider inside a test:
// zitadel/oidc's op package with its example storage and its own login page
// (/login/username), for Onramp's sign-in tests and browser journeys.
package ssotest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// IdP is a real OpenID Connect provider (zitadel/oidc's op package with
// its example storage and login page), run inside the test. Its users
// carry an employee_id claim the test can change. Hooks let a test play an
// attacker or a misconfigured provider: rewrite the authorize request,
// answer the token request from another issuer sharing the same keys, or
// change the ID token it answers with (idtoken.go).
type IdP struct {
	URL       string
	Storage   *Storage
	directory users

	mu            sync.Mutex
	authorizeHook func(q url.Values)
	tokenHook     func(r *http.Request)
	tokenFrom     http.Handler // when set, answers the token request
	idTokenHook   func(raw string) string
	other         http.Handler // the same provider under another issuer
}

const (
	ClientID        = "onramp"
	ClientSecret    = "onramp-client-secret"
	OtherClientID   = "another-app"
	Password        = "provider-password"
	IDTokenLifetime = 2 * time.Minute
)

// users is the provider's directory: its user ID (the subject), user
// name, names and e-mail.
type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u users) ExampleClientID() string { return storage.ServiceUserID }

// Storage adds the employee_id claim to the example storage, and gives
// ID tokens a short life so expiry can be tested.
type Storage struct {
	*storage.Storage
	mu          sync.Mutex
	employeeIDs map[string]string // user ID → employee_id claim
}

func (s *Storage) claim(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.employeeIDs[userID]
	return v, ok
}

func (s *Storage) SetEmployeeID(userID, employeeID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.employeeIDs[userID] = employeeID
}

func (s *Storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, token, scopes); err != nil {
		return err
	}
	if v, ok := s.claim(token.GetSubject()); ok {
		ui.AppendClaims("employee_id", v)
	}
	return nil
}

func (s *Storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	if v, ok := s.claim(ui.Subject); ok {
		ui.AppendClaims("employee_id", v)
	}
	return nil
}

func (s *Storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return shortLived{c}, nil
}

type shortLived struct{ op.Client }

func (shortLived) IDTokenLifetime() time.Duration { return IDTokenLifetime }

// New starts a provider whose client "onramp" may return to
// redirectURL.
func New(t testing.TB, redirectURL string) *IdP {
	t.Helper()
	p := &IdP{}
	srv := httptest.NewUnstartedServer(nil)
	p.URL = "http://" + srv.Listener.Addr().String()
	users := users{}
	p.directory = users
	clients := map[string]*storage.Client{
		ClientID:      storage.WebClient(ClientID, ClientSecret, redirectURL),
		OtherClientID: storage.WebClient(OtherClientID, ClientSecret, redirectURL),
	}
	p.Storage = &Storage{Storage: storage.NewStorageWithClients(users, clients), employeeIDs: map[string]string{}}
	main := exampleop.SetupServer(p.URL, p.Storage, nil, false)
	// The same provider, keys and sign-ins under another issuer name: what
	// a token from the wrong issuer looks like.
	p.other = exampleop.SetupServer("http://wrong-issuer.invalid", p.Storage, nil, false)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		authorizeHook, tokenHook, tokenFrom, idTokenHook := p.authorizeHook, p.tokenHook, p.tokenFrom, p.idTokenHook
		p.mu.Unlock()
		switch {
		case r.URL.Path == "/auth" && authorizeHook != nil:
			q := r.URL.Query()
			authorizeHook(q)
			r.URL.RawQuery = q.Encode()
		case r.URL.Path == "/oauth/token" && tokenHook != nil:
			tokenHook(r)
		}
		if r.URL.Path == "/oauth/token" && tokenFrom != nil {
			tokenFrom.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/oauth/token" && idTokenHook != nil {
			rewriteIDToken(w, r, main, idTokenHook)
			return
		}
		main.ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// AddUser adds a person to the provider's directory with an employee_id
// claim (none when employeeID is "").
func (p *IdP) AddUser(id, username, first, last, email, employeeID string) {
	p.directory[id] = &storage.User{ID: id, Username: username, Password: Password, FirstName: first, LastName: last,
		Email: email, EmailVerified: true, PreferredLanguage: language.English}
	if employeeID != "" {
		p.Storage.SetEmployeeID(id, employeeID)
	}
}

func (p *IdP) set(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

// RewriteAuthorize changes the authorize request's query before the
// provider reads it (an attacker's nonce, another client's ID).
func (p *IdP) RewriteAuthorize(f func(q url.Values)) { p.set(func() { p.authorizeHook = f }) }

// RewriteToken changes the token request before the provider reads it.
func (p *IdP) RewriteToken(f func(r *http.Request)) { p.set(func() { p.tokenHook = f }) }

// TokensFromOtherIssuer makes the token endpoint answer as the same
// provider under another issuer name, with the same keys.
func (p *IdP) TokensFromOtherIssuer() { p.set(func() { p.tokenFrom = p.other }) }

// Reset removes every hook.
func (p *IdP) Reset() {
	p.set(func() { p.authorizeHook, p.tokenHook, p.tokenFrom, p.idTokenHook = nil, nil, nil, nil })
}
