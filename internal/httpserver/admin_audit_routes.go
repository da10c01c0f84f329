package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/people"
)

// auditRoutes: the audit trail page, and the evidence HR shows surveyors:
// transcripts and evidence packs.
//
//	GET  /admin/audit           the trail, filtered, newest first (HR)
//	POST /admin/audit/verify    check the whole hash chain (HR)
//
// and evidenceRoutes and transcriptRoutes.
func (s *Server) auditRoutes(e *echo.Echo) {
	hr := requireRole(people.RoleHRAdmin)
	e.GET("/admin/audit", s.adminAudit, hr)
	e.POST("/admin/audit/verify", s.adminAuditVerify, hr)
	s.evidenceRoutes(e)
	s.transcriptRoutes(e)
}
