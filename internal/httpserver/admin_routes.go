package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/people"
)

// adminRoutes: HR's pages (hr_admin only) and the manager's team page.
func (s *Server) adminRoutes(e *echo.Echo) {
	hr := e.Group("/admin", requireRole(people.RoleHRAdmin))
	hr.GET("", s.adminHome)
	hr.GET("/outbox", s.adminOutbox)
	hr.GET("/outbox/:id", s.adminOutboxMessage)
	hr.POST("/outbox/:id/retry", s.adminOutboxRetry)
	e.GET("/team", s.teamPage, requireRole(people.RoleManager))
	e.POST("/team/reminders", s.sendReminder, requireRole(people.RoleManager))
}
