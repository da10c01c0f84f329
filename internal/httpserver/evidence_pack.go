package httpserver

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// evidenceRoutes: the evidence pack (HR only).
//
//	GET  /admin/evidence        the form: a department or the whole organisation
//	POST /admin/evidence/pack   the zip, streamed
func (s *Server) evidenceRoutes(e *echo.Echo) {
	hr := requireRole(people.RoleHRAdmin)
	e.GET("/admin/evidence", s.evidenceForm, hr)
	e.POST("/admin/evidence/pack", s.evidencePack, hr)
}

func (s *Server) evidenceForm(c echo.Context) error {
	depts, err := s.Evidence.Departments(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.EvidenceFormView{Departments: depts, Department: c.QueryParam("department")}
	return render(c, http.StatusOK, views.EvidencePack(s.page(c, "Evidence pack", "admin"), v))
}

// evidencePack streams the zip straight to the browser. Once the first byte
// is out an error cannot become a page; the zip is then left without its
// directory, so no unzip tool takes it for a whole pack.
func (s *Server) evidencePack(c echo.Context) error {
	ctx := c.Request().Context()
	dept := c.FormValue("department")
	depts, err := s.Evidence.Departments(ctx)
	if err != nil {
		return err
	}
	if dept != "" && !slices.Contains(depts, dept) {
		v := views.EvidenceFormView{Departments: depts, Error: "Nobody works in that department; choose one from the list."}
		return render(c, http.StatusBadRequest, views.EvidencePack(s.page(c, "Evidence pack", "admin"), v))
	}
	now := s.Clock.Now()
	me := viewerOf(c).Employee
	scope := "organisation"
	if dept != "" {
		scope = evidenceFileName(dept)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"evidence-%s-%s.zip\"", scope, now.UTC().Format("2006-01-02")))
	noStore(c)
	_, err = s.Evidence.WritePack(ctx, c.Response(), evidence.PackOptions{
		Department: dept, By: evidence.Actor{ID: me.ID, Name: me.FullName()}, Now: now, Via: "the HR pages",
		Organisation: s.Config.OrgName,
	})
	switch {
	case err == nil:
		return nil
	case !c.Response().Committed:
		// Nothing was sent yet: the error can still be a page.
		h.Del("Content-Disposition")
		h.Del(echo.HeaderContentType)
		return err
	case ctx.Err() != nil:
		s.Log.Warn("evidence pack: the download was abandoned", "error", err.Error())
	default:
		s.Log.Error("evidence pack failed after the download started", "error", err.Error())
	}
	return nil
}
