package httpserver

import "github.com/labstack/echo/v4"

// peopleRoutes: HR's people pages (list, person, add/edit, import).
func (s *Server) peopleRoutes(e *echo.Echo) {}
