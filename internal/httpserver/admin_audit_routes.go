package httpserver

import "github.com/labstack/echo/v4"

// auditRoutes: the audit trail page.
func (s *Server) auditRoutes(e *echo.Echo) {}
