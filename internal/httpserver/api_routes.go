package httpserver

import "github.com/labstack/echo/v4"

// apiRoutes: the JSON API for HR systems under /api/v1 and the token pages.
func (s *Server) apiRoutes(e *echo.Echo) {}
