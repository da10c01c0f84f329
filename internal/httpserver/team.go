package httpserver

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// teamPage shows a manager everyone who reports to them, directly or not.
func (s *Server) teamPage(c echo.Context) error {
	me := viewerOf(c).Employee
	members, err := report.Team(c.Request().Context(), s.DB, me.ID, s.Clock.Now())
	if err != nil {
		return err
	}
	var v views.TeamView
	for _, m := range members {
		row := views.TeamRow{ID: m.Employee.ID, Name: m.Employee.FullName(), JobTitle: m.Employee.JobTitle, Dept: m.Employee.Department, Direct: m.Depth == 1}
		for _, st := range m.Courses {
			title := st.CourseID
			if course := s.Catalog.Course(st.CourseID); course != nil {
				title = course.Title
			}
			label, detail := statusWords(st)
			row.Courses = append(row.Courses, views.TeamCourse{Title: title, Status: string(st.Status), Label: label, Detail: detail})
			if st.Status == compliance.StatusOverdue || st.Status == compliance.StatusExpired {
				row.Attention = true
			}
		}
		if row.Attention {
			v.Attention++
		}
		v.Rows = append(v.Rows, row)
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Attention && !v.Rows[j].Attention })
	return render(c, http.StatusOK, views.Team(s.page(c, "My team", "team"), v))
}

// statusWords says a current status in words, with the date that matters.
func statusWords(st report.CurrentStatus) (label, detail string) {
	due := compliance.FormatDay(st.DueAt)
	switch st.Status {
	case compliance.StatusCompleted:
		if st.ExpiresAt != nil {
			return "Completed", "valid until " + compliance.FormatDay(*st.ExpiresAt)
		}
		return "Completed", ""
	case compliance.StatusOverdue:
		return "Overdue", "was due " + due
	case compliance.StatusExpired:
		if st.ExpiresAt != nil {
			return "Expired", fmt.Sprintf("expired %s", compliance.FormatDay(*st.ExpiresAt))
		}
		return "Expired", ""
	case compliance.StatusInProgress:
		return "In progress", "due " + due
	case compliance.StatusExempt:
		return "Exempt", ""
	default:
		return "Not started", "due " + due
	}
}
