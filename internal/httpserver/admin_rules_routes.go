package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
)

// rulesRoutes: assignment rules with their preview, extensions and exemptions.
func (s *Server) rulesRoutes(e *echo.Echo) {
	hr := requireRole(people.RoleHRAdmin)
	e.GET("/admin/rules", s.adminRules, hr)
	e.GET("/admin/rules/new", s.adminRuleNew, hr)
	e.POST("/admin/rules/new", s.adminRuleCreate, hr)
	e.POST("/admin/rules/new/preview", s.adminRulePreviewNew, hr)
	e.GET("/admin/rules/:id/edit", s.adminRuleEdit, hr)
	e.POST("/admin/rules/:id/edit", s.adminRuleUpdate, hr)
	e.POST("/admin/rules/:id/preview", s.adminRulePreviewEdit, hr)
	e.GET("/admin/rules/changes/:id", s.adminJob(jobs.KindRuleChange), hr)
	e.GET("/admin/cycles", s.adminCycles, hr)
	e.GET("/admin/cycles/extend", s.adminCycleChangeForm(cycleExtend), hr)
	e.POST("/admin/cycles/extend", s.adminCycleChangeApply(cycleExtend), hr)
	e.GET("/admin/cycles/exempt", s.adminCycleChangeForm(cycleExempt), hr)
	e.POST("/admin/cycles/exempt", s.adminCycleChangeApply(cycleExempt), hr)
}
