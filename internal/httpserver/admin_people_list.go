package httpserver

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// peopleStatusAll is the list's status filter for everyone; the list shows
// active people unless asked otherwise.
const peopleStatusAll = "all"

// standingLabels name the standings in the filter and the list; the badge
// classes are those of the cycle statuses.
var standingLabels = map[people.Standing]struct{ Label, Badge string }{
	people.StandingOverdue:         {"Overdue in a course", "overdue"},
	people.StandingExpired:         {"Expired in a course", "expired"},
	people.StandingNotStarted:      {"Not started a course", "open"},
	people.StandingInProgress:      {"In progress in a course", "in_progress"},
	people.StandingCompliant:       {"Compliant in every course", "completed"},
	people.StandingExempt:          {"Exempt from a course", "exempt"},
	people.StandingNothingAssigned: {"Nothing assigned", ""},
}

// rowStandingLabels are the words a row of the list shows.
var rowStandingLabels = map[people.Standing]string{
	people.StandingOverdue: "Overdue", people.StandingExpired: "Expired", people.StandingNotStarted: "Not started",
	people.StandingInProgress: "In progress", people.StandingCompliant: "Compliant", people.StandingExempt: "Exempt",
}

// adminPeopleList is HR's list of people: a GET form searches and filters
// on the server, 50 people a page.
func (s *Server) adminPeopleList(c echo.Context) error {
	ctx := c.Request().Context()
	f := views.PeopleFilter{
		Text:       peopleClip(c.QueryParam("q"), 100),
		Department: peopleClip(c.QueryParam("department"), 200),
		JobTitle:   peopleClip(c.QueryParam("job_title"), 200),
		Status:     c.QueryParam("status"),
		Standing:   c.QueryParam("standing"),
		NoPassword: c.QueryParam("password") == "unset",
	}
	q := people.DirectoryQuery{Text: f.Text, Department: f.Department, JobTitle: f.JobTitle, NoPassword: f.NoPassword}
	switch f.Status {
	case string(people.StatusInactive):
		q.Status = people.StatusInactive
	case peopleStatusAll:
	default:
		f.Status, q.Status = string(people.StatusActive), people.StatusActive
	}
	if _, ok := standingLabels[people.Standing(f.Standing)]; ok {
		q.Standing = people.Standing(f.Standing)
	} else {
		f.Standing = ""
	}
	q.Page, _ = strconv.Atoi(c.QueryParam("page"))

	page, err := s.People.SearchDirectory(ctx, q)
	if err != nil {
		return err
	}
	choices, err := s.People.DirectoryChoices(ctx)
	if err != nil {
		return err
	}
	v := views.PeopleListView{
		Filter: f, Departments: choices.Departments, JobTitles: choices.JobTitles,
		Statuses: []views.PeopleChoice{
			{Value: string(people.StatusActive), Label: "Active"},
			{Value: string(people.StatusInactive), Label: "Inactive"},
			{Value: peopleStatusAll, Label: "Everyone"},
		},
		Total: page.Total, Page: page.Page, Pages: page.Pages,
	}
	// A filter value nobody has any more stays selectable, so the form
	// shows what was asked.
	if f.Department != "" && !slices.Contains(v.Departments, f.Department) {
		v.Departments = append(v.Departments, f.Department)
	}
	if f.JobTitle != "" && !slices.Contains(v.JobTitles, f.JobTitle) {
		v.JobTitles = append(v.JobTitles, f.JobTitle)
	}
	for _, st := range people.Standings {
		v.Standings = append(v.Standings, views.PeopleChoice{Value: string(st), Label: standingLabels[st].Label})
	}
	if choices.StandingsAsOf != nil {
		v.StandingsAsOf = formatMoment(*choices.StandingsAsOf)
	}
	for _, e := range page.People {
		row := views.PeopleRow{
			ID: e.ID, Name: e.FullName(), Email: e.Email, Department: e.Department, JobTitle: e.JobTitle,
			Location: e.Location, Inactive: !e.Active(), Role: peopleRoleLabel(e.Role),
			NoPassword: page.NoPassword[e.ID],
		}
		if e.EmployeeNumber != nil {
			row.EmployeeNumber = *e.EmployeeNumber
		}
		if st, ok := page.Standings[e.ID]; ok {
			row.Standing, row.StandingLabel = standingLabels[st].Badge, rowStandingLabels[st]
		}
		if e.Role == people.RoleLearner {
			row.Role = ""
		}
		v.Rows = append(v.Rows, row)
	}
	if page.Page > 1 {
		v.PrevURL = peopleListURL(f, page.Page-1)
	}
	if page.Page < page.Pages {
		v.NextURL = peopleListURL(f, page.Page+1)
	}
	if v.Running, err = s.jobsRunningOf(c, jobs.KindStaffImport); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminPeople(s.page(c, "People", "admin"), v))
}

// peopleListURL is the list with the same search on another page.
func peopleListURL(f views.PeopleFilter, page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Text, "department": f.Department, "job_title": f.JobTitle, "status": f.Status, "standing": f.Standing} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.NoPassword {
		q.Set("password", "unset")
	}
	q.Set("page", strconv.Itoa(page))
	return "/admin/people?" + q.Encode()
}

// peopleRoleLabel names a role for HR's pages.
func peopleRoleLabel(r people.Role) string {
	switch r {
	case people.RoleHRAdmin:
		return "HR admin"
	case people.RoleManager:
		return "Manager"
	}
	return "Learner"
}

// peopleClip trims s and cuts it at max bytes, dropping a character cut in
// half.
func peopleClip(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "")
}
