package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/people"
)

// apiRoutes: the JSON API for HR systems under /api/v1 and the token pages.
// The API authenticates with bearer tokens only: a browser session is not
// enough, and no CSRF token is needed.
//
//	GET  /api/v1/openapi.yaml            the API's OpenAPI 3.1 description (public)
//	PUT  /api/v1/employees/:employee_id  add or update one employee (employees:write)
//	POST /api/v1/employees               add or update many, all or nothing (employees:write)
//	GET  /api/v1/assignments             assignments with their current cycle, paged (assignments:read)
//	GET  /api/v1/completions             completed cycles, paged (completions:read)
//	GET  /api/v1/reports/:name           a report as CSV or JSON (reports:read)
//	POST /api/v1/employees/:employee_id/attempts  grant more attempts at a quiz (attempts:write)
//	GET  /api/v1/sessions                classroom sessions, paged (completions:read)
//	GET  /api/v1/sessions/:id/attendance a session's people and attendance (completions:read)
//
//	GET  /admin/tokens                   the tokens, and the form to create one (HR)
//	POST /admin/tokens                   create a token: its secret is shown once (HR)
//	POST /admin/tokens/:id/revoke        revoke a token (HR)
func (s *Server) apiRoutes(e *echo.Echo) {
	e.GET("/api/v1/openapi.yaml", s.apiOpenAPI)
	v1 := e.Group("/api/v1")
	v1.PUT("/employees/:employee_id", s.apiPutEmployee, s.requireToken(apitoken.ScopeEmployeesWrite))
	v1.POST("/employees", s.apiPostEmployees, s.requireToken(apitoken.ScopeEmployeesWrite))
	v1.GET("/assignments", s.apiAssignments, s.requireToken(apitoken.ScopeAssignmentsRead))
	v1.GET("/completions", s.apiCompletions, s.requireToken(apitoken.ScopeCompletionsRead))
	v1.GET("/reports/:name", s.apiReport, s.requireToken(apitoken.ScopeReportsRead))
	v1.POST("/employees/:employee_id/attempts", s.apiGrantAttempts, s.requireToken(apitoken.ScopeAttemptsWrite))
	v1.GET("/sessions", s.apiSessions, s.requireToken(apitoken.ScopeCompletionsRead))
	v1.GET("/sessions/:id/attendance", s.apiSessionAttendance, s.requireToken(apitoken.ScopeCompletionsRead))

	hr := requireRole(people.RoleHRAdmin)
	e.GET("/admin/tokens", s.adminTokens, hr)
	e.POST("/admin/tokens", s.adminTokenCreate, hr)
	e.POST("/admin/tokens/:id/revoke", s.adminTokenRevoke, hr)
}
