package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/sso"
)

// samlRoutes: SAML 2.0 sign-in as a service provider (404 when
// ONRAMP_SAML_IDP_METADATA is unset).
//
//	GET  /saml/metadata  Onramp's SP metadata (entity ID, ACS, certificate)
//	GET  /saml/start     303 to the identity provider with an AuthnRequest; 503 when its metadata cannot be read
//	POST /saml/acs       the identity provider's answer: sign in and 303 to next; 403 refused
//
// The ACS POST comes cross-site from the identity provider, so it carries
// no CSRF token (checkCSRF lets it through): the RelayState, which must
// name an unused sign-in begun in this browser (its cookie), and the
// AuthnRequest ID the response must answer stand in for it.
func (s *Server) samlRoutes(e *echo.Echo) {
	e.GET(sso.SAMLMetadataPath, s.samlMetadata)
	e.GET(sso.SAMLStartPath, s.samlStart)
	e.POST(sso.SAMLACSPath, s.samlACS)
}

// samlCookie binds a SAML sign-in under way to the browser that began it.
const samlCookie = "onramp_saml"

// setSAMLCookie sets the cookie the identity provider's cross-site POST
// must carry back: SameSite=None (with Secure) over https, since a Lax
// cookie is not sent with a cross-site POST. Over plain http (development)
// it has no SameSite attribute, which browsers send with a top-level POST
// for two minutes after it is set.
func (s *Server) setSAMLCookie(c echo.Context, value string, maxAge int) {
	ck := &http.Cookie{Name: s.cookieName(samlCookie), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true}
	if s.Config.Secure() {
		ck.Secure, ck.SameSite = true, http.SameSiteNoneMode
	}
	c.SetCookie(ck)
}

func (s *Server) samlMetadata(c echo.Context) error {
	if s.SAML == nil {
		return errNoPage
	}
	b, err := s.SAML.Metadata()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/samlmetadata+xml", b)
}

func (s *Server) samlStart(c echo.Context) error {
	if s.SAML == nil {
		return errNoPage
	}
	noStore(c)
	flow, err := s.SAML.Begin(c.Request().Context(), safeNext(c.QueryParam("next")))
	if err != nil {
		return s.samlUnavailable(c, err)
	}
	s.setSAMLCookie(c, flow.BrowserSecret, int(sso.FlowTTL.Seconds()))
	return c.Redirect(http.StatusSeeOther, flow.AuthURL)
}

func (s *Server) samlACS(c echo.Context) error {
	if s.SAML == nil {
		return errNoPage
	}
	noStore(c)
	in := sso.ACS{Request: c.Request(), ClientIP: c.RealIP()}
	if ck, err := c.Cookie(s.cookieName(samlCookie)); err == nil {
		in.BrowserSecret = ck.Value
	}
	s.setSAMLCookie(c, "", -1)
	emp, next, err := s.SAML.Finish(c.Request().Context(), in)
	return s.ssoSignedIn(c, emp, next, err, s.samlUnavailable)
}

func (s *Server) samlUnavailable(c echo.Context, err error) error {
	return s.providerUnavailable(c, err, sso.ErrSAMLUnavailable, "SAML", s.Config.SAML.Name, "read your organisation's sign-in service's details")
}
