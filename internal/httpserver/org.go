package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/config"
)

// orgLogo serves the organisation's logo (ONRAMP_ORG_LOGO) to anyone: the
// public verify page shows it. 404 when none is set.
func (s *Server) orgLogo(c echo.Context) error {
	typ := config.LogoType(s.OrgLogo)
	if typ == "" {
		return apperr.New(apperr.NotFound, "This organisation has no logo set (ONRAMP_ORG_LOGO).")
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, typ, s.OrgLogo)
}
