package httpserver

import "github.com/labstack/echo/v4"

// reportRoutes: the compliance dashboard, reports and exports, transcripts
// and evidence packs.
func (s *Server) reportRoutes(e *echo.Echo) {}
