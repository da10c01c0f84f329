package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// dashboardDepartments is how many departments the chart draws (the
// least compliant first); the table lists them all.
const dashboardDepartments = 15

// adminHome is HR's compliance dashboard, read from the report tables, and
// the state of e-mail delivery. ?department= and ?course= narrow it.
func (s *Server) adminHome(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := parseReportFilter(c)
	if err != nil {
		return err
	}
	f = report.Filter{Department: f.Department, Course: f.Course}
	now := s.Clock.Now()
	dash, err := s.Reports.Dashboard(ctx, f, now)
	if err != nil {
		return err
	}
	v := views.AdminHomeView{SMTP: s.SMTPConfigured}
	if v.GettingStarted, err = s.People.OnlyHR(ctx); err != nil {
		return err
	}
	if v.Filter, err = s.reportFilterForm(ctx, "/admin", f, formFields{}); err != nil {
		return err
	}
	if at, err := s.Reports.LastRefresh(ctx); err != nil {
		return err
	} else if at != nil {
		v.AsOf = at.UTC().Format("2 January 2006 15:04 UTC")
	}
	if v.People, err = s.Reports.ActivePeople(ctx); err != nil {
		return err
	}
	link := func(name string, extra url.Values) string {
		q := f.Values()
		for k, vs := range extra {
			q[k] = vs
		}
		q.Set("report", name)
		return "/admin/reports?" + q.Encode()
	}
	v.ReportsURL = link("status", nil)
	t := dash.Totals
	v.Tiles = append(v.Tiles,
		views.DashboardTile{Key: "compliant", Label: "Compliant", Value: strconv.Itoa(t.Percent()) + "%",
			Detail: thousands(t.Compliant()) + " of " + thousands(t.Total()) + " assignments completed or exempt", URL: link("departments", nil)},
		views.DashboardTile{Key: "overdue", Label: "Overdue", Value: thousands(t[report.StatusOverdue]),
			Detail: "past due, never completed", URL: link("overdue", url.Values{"status": {"overdue"}}), Attention: t[report.StatusOverdue] > 0},
		views.DashboardTile{Key: "expired", Label: "Expired", Value: thousands(t[report.StatusExpired]),
			Detail: "refresher not done before the completion expired", URL: link("overdue", url.Values{"status": {"expired"}}), Attention: t[report.StatusExpired] > 0},
	)
	for _, e := range dash.Expiring {
		days := strconv.Itoa(e.Days)
		v.Tiles = append(v.Tiles, views.DashboardTile{Key: "expiring-" + days, Label: "Expiring in " + days + " days",
			Value: thousands(e.Count), Detail: "completions to renew", URL: link("expiring", url.Values{"days": {days}})})
	}

	var courseItems []barItem
	var courseRows [][]string
	for _, cs := range dash.ByCourse {
		courseItems = append(courseItems, barItem{Label: cs.Title, Value: cs.Counts.Percent(), Max: 100, Text: percentText(cs.Counts)})
		courseRows = append(courseRows, countsRow(cs.Title, cs.Counts))
	}
	v.Charts = append(v.Charts, barChart("by-course", "Compliance by course",
		"Bar chart of the share of assigned people who are compliant (completed or exempt) in each course.",
		courseItems, countsHead("Course"), courseRows))

	depts := append([]report.DepartmentSummary(nil), dash.ByDepartment...)
	sort.SliceStable(depts, func(i, j int) bool { return depts[i].Counts.Percent() < depts[j].Counts.Percent() })
	var deptItems []barItem
	var deptRows [][]string
	for i, d := range depts {
		name := report.DepartmentName(d.Department)
		if i < dashboardDepartments {
			deptItems = append(deptItems, barItem{Label: name, Value: d.Counts.Percent(), Max: 100, Text: percentText(d.Counts)})
		}
		deptRows = append(deptRows, countsRow(name, d.Counts))
	}
	what := "Bar chart of the share of assigned people who are compliant in each department, least compliant first."
	title := "Compliance by department"
	if len(depts) > dashboardDepartments {
		title = fmt.Sprintf("Compliance by department: the %d least compliant", dashboardDepartments)
		what = fmt.Sprintf("Bar chart of the share of assigned people who are compliant in the %d least compliant of %d departments.", dashboardDepartments, len(depts))
	}
	v.Charts = append(v.Charts, barChart("by-department", title, what, deptItems, countsHead("Department"), deptRows))

	var expItems []barItem
	var expRows [][]string
	most := 0
	for _, e := range dash.Expiring {
		most = max(most, e.Count)
	}
	for _, e := range dash.Expiring {
		label := fmt.Sprintf("Within %d days", e.Days)
		expItems = append(expItems, barItem{Label: label, Value: e.Count, Max: max(most, 1), Text: thousands(e.Count) + " completions"})
		expRows = append(expRows, []string{label, thousands(e.Count)})
	}
	expiring := barChart("expiring", "Completions expiring soon",
		"Bar chart of how many valid completions expire within 30, 60 and 90 days (each count includes the shorter ones).",
		expItems, []string{"Expiring", "Completions"}, expRows)
	if t.Total() == 0 {
		expiring.Empty = "Nothing to show yet: nobody is assigned a course."
	}
	v.Charts = append(v.Charts, expiring, trendChart("trend", dash.Trend))

	if s.Outbox != nil {
		counts, err := s.Outbox.CountByState(ctx)
		if err != nil {
			return err
		}
		v.OutboxQueue = counts[notify.StatePending] + counts[notify.StateFailed] + counts[notify.StateSending]
		v.OutboxDead = counts[notify.StateDead]
	}
	noStore(c)
	return render(c, http.StatusOK, views.AdminHome(s.page(c, "Compliance dashboard", "admin"), v))
}
