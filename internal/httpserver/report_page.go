package httpserver

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
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
		return apperr.New(apperr.NotFound, "There is no report by that name. Choose one from the reports page.")
	}
	now := s.Clock.Now()
	f, ferr := report.ParseFilter(c.QueryParams())
	status := http.StatusOK
	form, err := s.reportFilterForm(ctx, "/admin/reports", f, formFields{people: true, days: rep.Name == "expiring", report: rep.Name})
	if err != nil {
		return err
	}
	v := views.ReportsView{Filter: form}
	if fe := apperr.As(ferr); fe != nil && fe.Code == apperr.Malformed {
		// A filter the person typed wrong (report.FilterError): the page
		// again, with the problem next to the filters.
		status = statusOf(fe.Code)
		v.Filter.Error = "That filter is not right: " + filterProblem(fe) + ". Change it and apply the filters again."
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
		if err != nil {
			return err
		}
		if cur == "" && page.Next == "" {
			v.Count = len(page.Rows) // the whole report is on the page
		} else if v.Count, v.CountMore, err = s.Reports.CountUpTo(ctx, rep, f, now, reportCountLimit); err != nil {
			return err
		}
		// The preview shows the person (or department) and the status
		// first, kept in view while the rest scrolls; downloads keep the
		// report's own order.
		order := previewOrder(page.Columns)
		for _, i := range order {
			v.Columns = append(v.Columns, page.Columns[i].Title)
		}
		v.Sticky = stickyColumns(page.Columns)
		numberCol := slices.IndexFunc(page.Columns, func(c report.Column) bool { return c.Key == "employee_id" })
		var numbers []string
		for _, vals := range page.Rows {
			cells := make([]string, 0, len(v.Columns))
			for _, i := range order {
				cells = append(cells, report.Text(vals[i]))
			}
			v.Rows = append(v.Rows, cells)
			if numberCol >= 0 && slices.ContainsFunc(page.Columns, func(c report.Column) bool { return c.Key == "employee" }) {
				numbers = append(numbers, report.Text(vals[numberCol]))
			}
		}
		if len(numbers) > 0 {
			ids, err := s.People.IDsByNumber(ctx, numbers)
			if err != nil {
				return err
			}
			v.Links = make([]string, len(numbers))
			for i, n := range numbers {
				if id := ids[n]; id != "" && n != "" {
					v.Links[i] = personURL(id)
				}
			}
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

// previewOrder is the order the preview shows a report's columns in: the
// person (or the department), then the status, then the rest as they are.
func previewOrder(cols []report.Column) []int {
	var first, rest []int
	for _, key := range []string{"employee", "status"} {
		if i := slices.IndexFunc(cols, func(c report.Column) bool { return c.Key == key }); i >= 0 {
			first = append(first, i)
		}
	}
	for i := range cols {
		if !slices.Contains(first, i) {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

// stickyColumns is how many of the preview's first columns stay in view
// when the table scrolls sideways: the person and their status, or the
// department.
func stickyColumns(cols []report.Column) int {
	n := 0
	for _, key := range []string{"employee", "status"} {
		if slices.ContainsFunc(cols, func(c report.Column) bool { return c.Key == key }) {
			n++
		}
	}
	if n == 0 && len(cols) > 0 && cols[0].Key == "department" {
		n = 1
	}
	return n
}

// filterProblem is what is wrong with a filter, as report.FilterError says
// it: the parameter and the message.
func filterProblem(e *apperr.Error) string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	p := e.Problems[0]
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}
