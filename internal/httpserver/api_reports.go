package httpserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/report"
)

// apiReport streams one of HR's reports (package report) as CSV or JSON,
// with the same filters as the reports page (?department=, ?course=, …).
// The export is written to the audit trail before the first row leaves.
func (s *Server) apiReport(c echo.Context) error {
	ctx := c.Request().Context()
	name := c.Param("name")
	r, ok := report.Lookup(name)
	if !ok {
		return apperr.New(apperr.NotFound, "There is no report called “"+name+"”; the reports are "+strings.Join(report.Names(), ", ")+".")
	}
	if err := apiCheckQuery(c, apiReportParams...); err != nil {
		return err
	}
	if err := apiCheckReportFilter(c, r); err != nil {
		return err
	}
	if err := s.apiCheckCourse(c); err != nil {
		return err
	}
	formatName := c.QueryParam("format")
	if formatName == "" {
		formatName = string(report.JSON)
	}
	format, err := report.ParseFormat(formatName)
	if err != nil || (format != report.CSV && format != report.JSON) {
		return apperr.New(apperr.Malformed, "format must be csv or json.")
	}
	filter, err := report.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	rows, err := s.Reports.Open(ctx, r, filter, now, 0)
	if err != nil {
		return err
	}
	defer rows.Close()
	tok := apiTokenOf(c)
	err = s.Audit.Record(ctx, audit.Event{
		At: now, ActorName: apiActorName(tok), Action: audit.ActionExport, EntityType: "report", EntityID: r.Name,
		Summary: fmt.Sprintf("Report “%s” exported as %s through the API.", r.Title, strings.ToUpper(string(format))),
		Details: map[string]any{"report": r.Name, "format": format, "filter": filter.Map(), "token_id": tok.ID},
	})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, format.ContentType())
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%s\"", report.FileName(r.Name, format, now)))
	noStore(c)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := report.Write(c.Response(), format, rows); err != nil {
		// The status is out: all that can be done is stop and log.
		s.Log.Error("API report failed after it started", "report", r.Name, "error", err.Error())
	}
	return nil
}
