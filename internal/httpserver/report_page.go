package httpserver

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// reportCountLimit is how far the reports page counts a report's rows:
// past it, the page says "more than 10,000" rather than read them all.
const reportCountLimit = 10_000

// adminReports is HR's reports page: the report chosen with ?report=, its
// filters as a GET form, a count (up to reportCountLimit), one page of rows
// with links to the next and previous pages (?cursor=, keyset pagination:
// a page costs the same however deep it is), and the download links.
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
		cur := c.QueryParam(report.ParamCursor)
		page, err := s.Reports.Page(ctx, rep, f, now, cur, report.PageSize)
		if ce, ok := errors.AsType[*report.CursorError](err); ok {
			return echo.NewHTTPError(http.StatusBadRequest, "That page link is not right: "+ce.Error()+".")
		} else if err != nil {
			return err
		}
		if cur == "" && page.Next == "" {
			v.Count = len(page.Rows) // the whole report is on the page
		} else if v.Count, v.CountMore, err = s.Reports.CountUpTo(ctx, rep, f, now, reportCountLimit); err != nil {
			return err
		}
		for _, col := range page.Columns {
			v.Columns = append(v.Columns, col.Title)
		}
		for _, vals := range page.Rows {
			cells := make([]string, 0, len(v.Columns))
			for _, val := range vals {
				cells = append(cells, report.Text(val))
			}
			v.Rows = append(v.Rows, cells)
		}
		pageURL := func(cursor string) string {
			if cursor == "" {
				return ""
			}
			q := f.Values()
			q.Set("report", rep.Name)
			q.Set(report.ParamCursor, cursor)
			return "/admin/reports?" + q.Encode()
		}
		v.NextURL, v.PrevURL, v.Paged = pageURL(page.Next), pageURL(page.Prev), cur != ""
	}
	noStore(c)
	return render(c, status, views.AdminReports(s.page(c, "Reports: "+rep.Title, "admin"), v))
}
