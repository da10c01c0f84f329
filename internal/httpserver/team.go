package httpserver

import (
	"errors"
	"net/http"

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
	f, err := parseReportFilter(c)
	if err != nil {
		return err
	}
	if err := s.scopeToTeam(ctx, me, &f); err != nil {
		return err
	}
	team, err := s.Reports.Team(ctx, f.Manager, f, c.QueryParam(report.ParamCursor), report.TeamPageSize)
	if ce, ok := errors.AsType[*report.CursorError](err); ok {
		return echo.NewHTTPError(http.StatusBadRequest, "That page link is not right: "+ce.Error()+".")
	} else if err != nil {
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
	for _, m := range team.Members {
		row := views.TeamRow{ID: m.EmployeeID, Name: m.Name, JobTitle: m.JobTitle, Dept: m.Department, Direct: m.Depth == 1, Attention: m.Attention}
		if f.Manager != me.ID {
			row.Direct = false
		}
		for _, st := range m.Courses {
			label, detail := statusWords(st)
			row.Courses = append(row.Courses, views.TeamCourse{Title: st.CourseTitle, Status: string(st.Status), Label: label, Detail: detail})
		}
		v.Rows = append(v.Rows, row)
	}
	for _, r := range report.Reports {
		v.Reports = append(v.Reports, views.ReportChoice{Name: r.Name, Title: r.Title, Description: r.Description,
			Downloads: reportDownloads("/team/reports", r.Name, shown)})
	}
	noStore(c)
	return render(c, http.StatusOK, views.Team(s.page(c, "My team", "team"), v))
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
