package httpserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// teamPage shows a manager everyone who reports to them, directly or not,
// a page of report.TeamPageSize people at a time (?cursor=, from the Next
// and Previous links), with the reports' filters and downloads limited to
// that team. Naming a
// manager outside the team in the filter is a 403.
func (s *Server) teamPage(c echo.Context) error {
	ctx := c.Request().Context()
	me := viewerOf(c).Employee
	// ?done=reminded (after a reminder) is the page's notice, not a filter.
	done := c.QueryParam("done")
	if done != "" {
		q := c.QueryParams()
		q.Del("done")
		c.Request().URL.RawQuery = q.Encode()
	}
	f, err := parseReportFilter(c)
	if err != nil {
		return err
	}
	if err := s.scopeToTeam(ctx, me, &f); err != nil {
		return err
	}
	team, err := s.Reports.Team(ctx, f.Manager, f, c.QueryParam(report.ParamCursor), report.TeamPageSize)
	if err != nil {
		return err
	}
	// Links and the form leave out the manager when it is the viewer.
	shown := f
	if shown.Manager == me.ID {
		shown.Manager = ""
	}
	v := views.TeamView{People: team.People, Attention: team.Attention, Filtered: !shown.Empty()}
	pageURL := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		q := shown.Values()
		q.Set(report.ParamCursor, cursor)
		return "/team?" + q.Encode()
	}
	v.NextURL, v.PrevURL = pageURL(team.Next), pageURL(team.Prev)
	if v.Filter, err = s.reportFilterForm(ctx, "/team", shown, formFields{people: true, days: true, managed: me.ID}); err != nil {
		return err
	}
	var cycleIDs []string
	for _, m := range team.Members {
		for _, st := range m.Courses {
			cycleIDs = append(cycleIDs, st.CycleID)
		}
	}
	progress, err := s.Learning.ProgressOf(ctx, cycleIDs)
	if err != nil {
		return err
	}
	v.Back = c.Request().URL.RequestURI()
	for _, m := range team.Members {
		row := views.TeamRow{ID: m.EmployeeID, Name: m.Name, JobTitle: m.JobTitle, Dept: m.Department, Direct: m.Depth == 1, Attention: m.Attention}
		if f.Manager != me.ID {
			row.Direct = false
		}
		for _, st := range m.Courses {
			label, detail := statusWords(st)
			p := progress[st.CycleID]
			tc := views.TeamCourse{ID: st.CourseID, Title: st.CourseTitle, Status: string(st.Status), Label: label, Detail: detail,
				Done: p.Done, Required: p.Required, Waiting: len(p.Stuck) > 0}
			open := st.Status != report.StatusCompleted && st.Status != report.StatusExempt
			if p.RemindedAt != nil {
				tc.Reminded = p.RemindedAt.UTC().Format("2 January at 15:04 UTC")
			} else if open {
				tc.CanRemind = true
				row.CanRemind = true
			}
			row.Courses = append(row.Courses, tc)
		}
		v.Rows = append(v.Rows, row)
	}
	for _, r := range report.Reports {
		v.Reports = append(v.Reports, views.ReportChoice{Name: r.Name, Title: r.Title, Description: r.Description,
			Downloads: reportDownloads("/team/reports", r.Name, shown)})
	}
	noStore(c)
	p := s.page(c, "My team", "team")
	if done == "reminded" {
		p.Flash = "Reminder sent. It goes out with the next e-mail delivery."
	}
	return render(c, http.StatusOK, views.Team(p, v))
}

// statusWords says a standing in words, with the date that matters.
func statusWords(st report.CurrentStatus) (label, detail string) {
	due := compliance.FormatDay(st.DueAt)
	switch st.Status {
	case report.StatusCompleted:
		if st.ExpiresAt != nil {
			return "Completed", "valid until " + compliance.FormatDay(*st.ExpiresAt)
		}
		return "Completed", ""
	case report.StatusOverdue:
		return "Overdue", "was due " + due
	case report.StatusExpired:
		if st.ExpiresAt != nil {
			return "Expired", "expired " + compliance.FormatDay(*st.ExpiresAt)
		}
		return "Expired", ""
	case report.StatusInProgress:
		return "In progress", "due " + due
	case report.StatusExempt:
		return "Exempt", ""
	default:
		return "Not started", "due " + due
	}
}

// sendReminder sends reminders from a manager to a person on their team,
// then 303 back to the team page: about one course when the form names
// it (learning.SendReminder checks the team, the course and the
// once-a-day limit), otherwise about each of the person's open courses not
// reminded of today (learning.SendReminders; the team page's form, one a
// person).
//
//	POST /team/reminders   person, [course], back
func (s *Server) sendReminder(c echo.Context) error {
	me := viewerOf(c).Employee
	var err error
	if course := c.FormValue("course"); course != "" {
		_, err = s.Learning.SendReminder(c.Request().Context(), me, c.FormValue("person"), course)
	} else {
		_, err = s.Learning.SendReminders(c.Request().Context(), me, c.FormValue("person"))
	}
	if err != nil {
		return err
	}
	back := c.FormValue("back")
	if back != "/team" && !strings.HasPrefix(back, "/team?") {
		back = "/team"
	}
	u, err := url.Parse(back)
	if err != nil {
		u = &url.URL{Path: "/team"}
	}
	q := u.Query()
	q.Set("done", "reminded")
	u.RawQuery = q.Encode()
	return c.Redirect(http.StatusSeeOther, u.RequestURI())
}
