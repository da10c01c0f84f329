package httpserver

import (
	"github.com/labstack/echo/v4"
)

// authRoutes: sign-in, sign-out and the set-password invitation.
func (s *Server) authRoutes(e *echo.Echo) {
}

// learnerRoutes: the dashboard, courses, the module player, certificates.
func (s *Server) learnerRoutes(e *echo.Echo) {
}
