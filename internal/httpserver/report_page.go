package httpserver

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// reportPreviewRows is how many rows the reports page shows.
const reportPreviewRows = 100

// adminReports is HR's reports page: the report chosen with ?report=, its
// filters as a GET form, a count, the first rows and the download links.
func (s *Server) adminReports(c echo.Context) error {
	ctx := c.Request().Context()
	name := c.QueryParam("report")
	if name == "" {
		name = report.Reports[0].Name
	}
	rep, ok := report.Lookup(name)
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "There is no report by that name. Choose one from the reports page.")
	}
	now := s.Clock.Now()
	f, ferr := report.ParseFilter(c.QueryParams())
	status := http.StatusOK
	form, err := s.reportFilterForm(ctx, "/admin/reports", f, formFields{people: true, days: rep.Name == "expiring", report: rep.Name})
	if err != nil {
		return err
	}
	v := views.ReportsView{Filter: form}
	if fe, ok := errors.AsType[*report.FilterError](ferr); ok {
		status = http.StatusBadRequest
		v.Filter.Error = "That filter is not right: " + fe.Error() + ". Change it and apply the filters again."
		f = report.Filter{}
	} else if ferr != nil {
		return ferr
	}
	for _, r := range report.Reports {
		q := url.Values{"report": {r.Name}}
		for k, vs := range f.Values() {
			q[k] = vs
		}
		choice := views.ReportChoice{Name: r.Name, Title: r.Title, Description: r.Description, URL: "/admin/reports?" + q.Encode(), Current: r == rep,
			Downloads: reportDownloads("/admin/reports", r.Name, f)}
		v.Reports = append(v.Reports, choice)
		if r == rep {
			v.Current = choice
		}
	}
	if v.Filter.Error == "" {
		for _, p := range rep.Ignores {
			if f.Values().Has(p) {
				v.Ignored = append(v.Ignored, p)
			}
		}
		if v.Count, err = rep.Count(ctx, s.DB, f, now); err != nil {
			return err
		}
		rows, err := rep.Open(ctx, s.DB, f, now, reportPreviewRows)
		if err != nil {
			return err
		}
		defer rows.Close()
		for _, col := range rows.Columns() {
			v.Columns = append(v.Columns, col.Title)
		}
		for rows.Next() {
			cells := make([]string, 0, len(v.Columns))
			for _, val := range rows.Values() {
				cells = append(cells, report.Text(val))
			}
			v.Rows = append(v.Rows, cells)
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	noStore(c)
	return render(c, status, views.AdminReports(s.page(c, "Reports: "+rep.Title, "admin"), v))
}
