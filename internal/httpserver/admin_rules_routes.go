package httpserver

import "github.com/labstack/echo/v4"

// rulesRoutes: assignment rules with their preview, extensions and exemptions.
func (s *Server) rulesRoutes(e *echo.Echo) {}
