package httpserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
)

// Cookie names take the __Host- prefix when the site is served over HTTPS:
// the browser then insists on Secure, Path=/ and no Domain.
func (s *Server) cookieName(base string) string {
	if s.Config.Secure() {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Config.Secure(), SameSite: http.SameSiteLaxMode,
	})
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// loadViewer finds who is asking: the session cookie's employee (if any) and
// the CSRF token, minting one for a visitor who has none.
func (s *Server) loadViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if needsNoViewer(c.Request().URL.Path) {
			return next(c)
		}
		v := &Viewer{}
		if ck, err := c.Cookie(s.cookieName("onramp_csrf")); err == nil && len(ck.Value) == 43 {
			v.CSRFToken = ck.Value
		} else {
			v.CSRFToken = randomToken()
			s.setCookie(c, "onramp_csrf", v.CSRFToken, 0)
		}
		if ck, err := c.Cookie(s.cookieName("onramp_session")); err == nil && ck.Value != "" {
			emp, sid, err := s.Auth.SessionEmployee(c.Request().Context(), ck.Value)
			switch {
			case err == nil:
				v.Employee, v.SessionID = emp, sid
			case apperr.CodeOf(err) == apperr.Unauthorized:
				// No such session, or one that has ended (auth.ErrNoSession).
				s.setCookie(c, "onramp_session", "", -1)
			default:
				return err
			}
		}
		setViewer(c, v)
		return next(c)
	}
}

// checkCSRF refuses a state-changing request whose csrf_token form field (or
// X-CSRF-Token header, for scripts) does not match the visitor's cookie. API
// calls authenticate with bearer tokens, carry no cookies, and are exempt.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if isAPI(c) || isSCIM(c) || c.Request().URL.Path == sso.SAMLACSPath {
			// The SAML ACS is a cross-site POST from the identity
			// provider: its RelayState and request ID are checked instead.
			// API and SCIM requests carry a bearer token, not a cookie.
			return next(c)
		}
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("csrf_token")
		}
		want := viewerOf(c).CSRFToken
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return apperr.New(apperr.Forbidden, "This form has expired or did not come from Onramp. Go back, reload the page and try again.")
		}
		return next(c)
	}
}

// startSession signs emp in: a brand-new session ID and a fresh CSRF token,
// so nothing from before sign-in carries over.
func (s *Server) startSession(c echo.Context, emp *people.Employee) error {
	// End the session from before sign-in, if any: nobody who planted or
	// saw that cookie may ride on this sign-in.
	if ck, err := c.Cookie(s.cookieName("onramp_session")); err == nil && ck.Value != "" {
		if err := s.Auth.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	token, err := s.Auth.CreateSession(c.Request().Context(), emp.ID, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	s.setCookie(c, "onramp_session", token, 0)
	csrf := randomToken()
	s.setCookie(c, "onramp_csrf", csrf, 0)
	setViewer(c, &Viewer{Employee: emp, CSRFToken: csrf, SessionID: auth.SessionID(token)})
	return nil
}

// endSession signs the visitor out and forgets the session server-side.
func (s *Server) endSession(c echo.Context) error {
	if ck, err := c.Cookie(s.cookieName("onramp_session")); err == nil && ck.Value != "" {
		if err := s.Auth.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.setCookie(c, "onramp_session", "", -1)
	s.setCookie(c, "onramp_csrf", randomToken(), 0)
	return nil
}

// needsNoViewer is true for requests that never depend on who is asking:
// static files and the probes. They skip the session lookup, which would
// otherwise cost a database read for every stylesheet and health check.
func needsNoViewer(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, scimBasePath+"/")
}
