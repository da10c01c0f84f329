package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/web/views"
)

const cyclesPageSize = 50

// adminCycles lists the cycles people still owe, 50 a page, to extend or
// exempt a selection.
func (s *Server) adminCycles(c echo.Context) error {
	ctx := c.Request().Context()
	f := compliance.OpenCycleFilter{
		CourseID: c.QueryParam("course"), Department: c.QueryParam("department"),
		RuleID: c.QueryParam("rule"), Status: c.QueryParam("status"),
	}
	switch f.Status {
	case "", "open", "overdue":
	default:
		return apperr.New(apperr.Malformed, "Unknown status: choose one from the list.")
	}
	// The Next and Previous links carry the page's number (for "showing
	// 51 to 100") and a position (?after= the last cycle shown, ?before=
	// the first), so a page costs its 50 rows however deep in the list it
	// is. A page typed by number alone is read by offset, up to the count's
	// limit.
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	at := compliance.OpenCyclesPage{Limit: cyclesPageSize}
	var err error
	if at.After, at.Before, err = pagePosition(c, compliance.ParsePosition); err != nil {
		return err
	}
	if at.After == nil && at.Before == nil {
		at.Offset = (page - 1) * cyclesPageSize
		if at.Offset > compliance.OpenCyclesCounted {
			return apperr.New(apperr.Malformed, fmt.Sprintf("Page %d is too far into the list to open by its number: narrow the list with the filters, or follow “Next 50” from the first page.", page))
		}
	}
	now := s.Clock.Now()
	rows, more, total, err := s.Cycles.OpenCycles(ctx, f, now, at)
	if err != nil {
		return err
	}
	courses, err := s.rulesCourses(ctx)
	if err != nil {
		return err
	}
	departments, err := s.People.ActiveDepartments(ctx)
	if err != nil {
		return err
	}
	v := views.CyclesView{
		Course: f.CourseID, Department: f.Department, Rule: f.RuleID, Status: f.Status,
		Courses: courses.options(f.CourseID), Total: int(min(total, compliance.OpenCyclesCounted)), TotalAtLeast: total > compliance.OpenCyclesCounted,
		Page: page, PageSize: cyclesPageSize,
		Back: c.Request().URL.RequestURI(),
	}
	for _, d := range departments {
		v.Departments = append(v.Departments, views.RuleOption{Value: d, Label: d, Selected: d == f.Department})
	}
	if f.RuleID != "" {
		name, found, err := s.Cycles.RuleName(ctx, f.RuleID)
		if err != nil {
			return err
		}
		v.RuleName = f.RuleID
		if found {
			v.RuleName = name
		}
	}
	for _, sc := range rows {
		v.Rows = append(v.Rows, cycleRow(sc, now))
	}
	pageURL := func(n int, dir string, pos compliance.Position) string {
		q := url.Values{}
		for k, val := range map[string]string{"course": f.CourseID, "department": f.Department, "rule": f.RuleID, "status": f.Status} {
			if val != "" {
				q.Set(k, val)
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
			q.Set(dir, pos.String())
		}
		if len(q) == 0 {
			return "/admin/cycles"
		}
		return "/admin/cycles?" + q.Encode()
	}
	if len(rows) > 0 {
		first, last := rows[0].Position(), rows[len(rows)-1].Position()
		// Read backwards, more means earlier cycles; forwards, later ones.
		if page > 1 && (at.Before == nil || more) {
			v.PrevURL = pageURL(page-1, "before", first)
		}
		if at.Before != nil || more {
			v.NextURL = pageURL(page+1, "after", last)
		}
	}
	p := s.page(c, "Open cycles", "admin")
	p.Wide, p.Flash = true, s.takeRulesFlash(c)
	return render(c, http.StatusOK, views.AdminCycles(p, v))
}

// cycleStatusLabel says a cycle's status in words (compliance.StatusLabel).
func cycleStatusLabel(st compliance.CycleStatus) string { return compliance.StatusLabel(st) }

func cycleRow(sc compliance.SelectedCycle, now time.Time) views.CycleRow {
	st := sc.DisplayStatus(now)
	return views.CycleRow{
		ID: sc.ID, Name: sc.EmployeeName, Department: sc.Department, JobTitle: sc.JobTitle, Course: sc.CourseTitle,
		Number: sc.Number, Status: string(st), StatusLabel: cycleStatusLabel(st), Due: compliance.FormatDay(sc.DueAt), Why: compliance.AboutPerson(sc.Derivation, sc.EmployeeName),
	}
}
