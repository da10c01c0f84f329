package httpserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
	"github.com/onramp-lms/onramp/web/views"
)

// ssoRoutes: OpenID Connect sign-in (404 when ONRAMP_OIDC_ISSUER is unset).
//
//	GET /auth/oidc/start     303 to the identity provider; 503 when it cannot be reached
//	GET /auth/oidc/callback  the redirect URI: sign in and 303 to next; 403 refused
func (s *Server) ssoRoutes(e *echo.Echo) {
	e.GET("/auth/oidc/start", s.ssoStart)
	e.GET(sso.CallbackPath, s.ssoCallback)
}

// ssoCreate lets single sign-on add an unknown person as a learner
// (ONRAMP_SSO_CREATE=on) through the same path as HR's form, so the
// details are checked, the rules run and the addition is audited.
func (s *Server) ssoCreate() {
	if !s.Config.SSOCreate {
		return
	}
	create := func(ctx context.Context, d people.Details) (*people.Employee, error) {
		return s.Staff.Create(ctx, people.Actor{Name: "Single sign-on"}, d, s.Clock.Now())
	}
	if s.SSO != nil {
		s.SSO.Create = create
	}
	if s.SAML != nil && s.SAML.Accounts != nil {
		s.SAML.Accounts.Create = create
	}
}

// ssoCookie binds a sign-in under way to the browser that began it.
const ssoCookie = "onramp_oidc"

func (s *Server) ssoStart(c echo.Context) error {
	if s.SSO == nil {
		return errNoPage
	}
	noStore(c)
	flow, err := s.SSO.Begin(c.Request().Context(), safeNext(c.QueryParam("next")))
	if err != nil {
		return s.ssoUnavailable(c, err)
	}
	s.setCookie(c, ssoCookie, flow.BrowserSecret, int(sso.FlowTTL.Seconds()))
	return c.Redirect(http.StatusSeeOther, flow.AuthURL)
}

func (s *Server) ssoCallback(c echo.Context) error {
	if s.SSO == nil {
		return errNoPage
	}
	noStore(c)
	cb := sso.Callback{
		State: c.QueryParam("state"), Code: c.QueryParam("code"),
		Error: c.QueryParam("error"), ErrorDescription: c.QueryParam("error_description"),
	}
	if ck, err := c.Cookie(s.cookieName(ssoCookie)); err == nil {
		cb.BrowserSecret = ck.Value
	}
	cb.ClientIP = c.RealIP()
	s.setCookie(c, ssoCookie, "", -1)
	emp, next, err := s.SSO.Finish(c.Request().Context(), cb)
	return s.ssoSignedIn(c, emp, next, err, s.ssoUnavailable)
}

// ssoSignedIn answers an identity provider's callback once the sso
// package has judged it (OIDC and SAML alike): a refusal, whose audit
// entry sso already wrote, is the 403 page with its reason; another error
// goes to unavailable; otherwise the person is signed in and sent to next.
func (s *Server) ssoSignedIn(c echo.Context, emp *people.Employee, next string, err error, unavailable func(echo.Context, error) error) error {
	var refused *sso.Refusal
	switch {
	case errors.As(err, &refused):
		return render(c, http.StatusForbidden, views.ErrorPage(s.page(c, "You could not be signed in", ""), http.StatusForbidden,
			"You could not be signed in", refused.Message))
	case err != nil:
		return unavailable(c, err)
	}
	if err := s.startSession(c, emp); err != nil {
		return err
	}
	return redirectSeeOther(c, next)
}

func (s *Server) ssoUnavailable(c echo.Context, err error) error {
	return s.providerUnavailable(c, err, sso.ErrUnavailable, "OIDC", s.Config.OIDC.Name, "reach your organisation's sign-in service")
}

// providerUnavailable is the 503 page for an identity provider (named
// name, speaking protocol) when err is sentinel: Onramp cannot do what it
// must ("reach your organisation's sign-in service"). Other errors are
// returned as they are.
func (s *Server) providerUnavailable(c echo.Context, err, sentinel error, protocol, name, cannot string) error {
	if !errors.Is(err, sentinel) {
		return err
	}
	s.Log.Error("identity provider unavailable", "protocol", protocol, "error", err.Error())
	heading := name + " cannot be reached"
	return render(c, http.StatusServiceUnavailable, views.ErrorPage(s.page(c, heading, ""), http.StatusServiceUnavailable, heading,
		"Onramp cannot "+cannot+" just now, so you cannot sign in with it. Try again in a few minutes; if it keeps happening, tell your IT service desk."))
}

// passwordNotForYou answers a set-password link made before passwords were
// limited (ONRAMP_PASSWORD_LOGIN): it cannot set a password or sign in.
func (s *Server) passwordNotForYou(c echo.Context) error {
	msg := "Signing in with a password is turned off for your account, so this link cannot be used."
	if s.SSO != nil || s.SAML != nil {
		msg += " Sign in with " + s.ssoNames() + " on the sign-in page instead."
	}
	return apperr.New(apperr.Conflict, msg)
}

// ssoNames names the single sign-on choices in sentences ("Sign in with
// …"): the OIDC and SAML providers' names.
func (s *Server) ssoNames() string {
	o, m := "", ""
	if s.SSO != nil {
		o = s.Config.OIDC.Name
	}
	if s.SAML != nil {
		m = s.Config.SAML.Name
	}
	if o == "" && m == "" {
		return s.Config.OIDC.Name
	}
	return views.SSONames(o, m)
}
