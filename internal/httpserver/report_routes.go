package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/people"
)

// reportRoutes: the reports and their downloads, for HR and for a
// manager's team. (The dashboard is GET /admin and the team page GET /team,
// in adminRoutes.)
//
//	GET /admin/reports               pick a report, filter it, preview it (HR)
//	GET /admin/reports/:file         download: NAME.csv, NAME.xlsx, NAME.json, or NAME?format=… (HR)
//	GET /team/reports/:file          the same, limited to the people who report to the viewer (manager)
func (s *Server) reportRoutes(e *echo.Echo) {
	e.GET("/admin/reports", s.adminReports, requireRole(people.RoleHRAdmin))
	e.GET("/admin/reports/:file", s.adminReportDownload, requireRole(people.RoleHRAdmin))
	e.GET("/team/reports/:file", s.teamReportDownload, requireRole(people.RoleManager))
}
