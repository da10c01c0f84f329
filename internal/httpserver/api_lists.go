package httpserver

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/people"
)

// apiAssignment is one employee × one course, with its current cycle.
type apiAssignment struct {
	AssignmentID string    `json:"assignment_id"`
	EmployeeID   string    `json:"employee_id"`
	OnrampID     string    `json:"onramp_id"`
	Email        string    `json:"email"`
	CourseID     string    `json:"course_id"`
	CourseTitle  string    `json:"course_title"`
	Status       string    `json:"status"`
	ClosedReason string    `json:"closed_reason,omitempty"`
	AssignedAt   time.Time `json:"assigned_at"`
	// CurrentCycle is the latest cycle (null before the first exists).
	CurrentCycle *apiCycle `json:"current_cycle"`
}

// apiCycle is one period of obligation, with why its dates are what they are.
type apiCycle struct {
	CycleID       string     `json:"cycle_id"`
	Number        int        `json:"number"`
	Path          string     `json:"path"`
	Status        string     `json:"status"`
	WindowOpensAt time.Time  `json:"window_opens_at"`
	DueAt         time.Time  `json:"due_at"`
	StartedAt     *time.Time `json:"started_at"`
	CompletedAt   *time.Time `json:"completed_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	Derivation    string     `json:"derivation"`
}

// apiCompletion is one completed cycle with its evidence summary.
type apiCompletion struct {
	CycleID         string      `json:"cycle_id"`
	EmployeeID      string      `json:"employee_id"`
	OnrampID        string      `json:"onramp_id"`
	Email           string      `json:"email"`
	Name            string      `json:"name"`
	CourseID        string      `json:"course_id"`
	CourseTitle     string      `json:"course_title"`
	CycleNumber     int         `json:"cycle_number"`
	Path            string      `json:"path"`
	Status          string      `json:"status"`
	CompletedAt     time.Time   `json:"completed_at"`
	ExpiresAt       *time.Time  `json:"expires_at"`
	CourseVersion   *apiVersion `json:"course_version"`
	CertificateCode string      `json:"certificate_code,omitempty"`
	ScorePercent    *int        `json:"score_percent"`
	PassMark        *int        `json:"pass_mark"`
	// Source is "onramp", or "imported" for a completion brought over from
	// the previous system.
	Source string `json:"source"`
}

type apiVersion struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// apiEmployeeFilter narrows a list to one employee by the HR system's
// employee_id. found is false when nobody has it (the list is then empty).
func (s *Server) apiEmployeeFilter(c echo.Context) (onrampID string, found bool, err error) {
	n := strings.TrimSpace(c.QueryParam("employee_id"))
	if n == "" {
		return "", true, nil
	}
	return s.People.IDByNumber(c.Request().Context(), n)
}

func (s *Server) apiCourseTitle(id string) string {
	if c := s.Catalog.Course(id); c != nil {
		return c.Title
	}
	return id
}

// apiAssignments lists assignments in the order they were made.
func (s *Server) apiAssignments(c echo.Context) error {
	page, err := s.apiListPage(c, "course", "employee_id")
	if err != nil {
		return err
	}
	onrampID, found, err := s.apiEmployeeFilter(c)
	if err != nil {
		return err
	}
	if !found {
		return c.JSON(http.StatusOK, apiListOf([]apiAssignment(nil), page.limit, nil))
	}
	as, err := s.Cycles.Assignments(c.Request().Context(),
		compliance.AssignmentFilter{CourseID: c.QueryParam("course"), EmployeeID: onrampID}, page.keyset())
	if err != nil {
		return err
	}
	emps, err := apiEmployeesOf(c, s.People, as, func(i int) string { return as[i].EmployeeID })
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	out := make([]apiAssignment, len(as))
	for i, a := range as {
		item := apiAssignment{
			AssignmentID: a.ID, OnrampID: a.EmployeeID, CourseID: a.CourseID, CourseTitle: s.apiCourseTitle(a.CourseID),
			Status: a.Status, ClosedReason: a.ClosedReason, AssignedAt: a.CreatedAt.UTC(),
		}
		if e := emps[a.EmployeeID]; e != nil {
			item.Email = e.Email
			if e.EmployeeNumber != nil {
				item.EmployeeID = *e.EmployeeNumber
			}
		}
		if cy := a.Latest; cy != nil {
			item.CurrentCycle = &apiCycle{
				CycleID: cy.ID, Number: cy.Number, Path: string(cy.Path), Status: string(cy.DisplayStatus(now)),
				WindowOpensAt: cy.WindowOpensAt.UTC(), DueAt: cy.DueAt.UTC(), StartedAt: apiUTC(cy.StartedAt),
				CompletedAt: apiUTC(cy.CompletedAt), ExpiresAt: apiUTC(cy.ExpiresAt), Derivation: cy.Derivation,
			}
		}
		out[i] = item
	}
	return c.JSON(http.StatusOK, apiListOf(out, page.limit, func(a apiAssignment) apiCursor {
		return apiCursor{At: a.AssignedAt, ID: a.AssignmentID}
	}))
}

// apiCompletions lists completed cycles in the order they were completed.
// ?since= (a day or an RFC 3339 time) keeps completions from then on.
func (s *Server) apiCompletions(c echo.Context) error {
	page, err := s.apiListPage(c, "since", "course", "employee_id")
	if err != nil {
		return err
	}
	onrampID, found, err := s.apiEmployeeFilter(c)
	if err != nil {
		return err
	}
	if !found {
		return c.JSON(http.StatusOK, apiListOf([]apiCompletion(nil), page.limit, nil))
	}
	f := evidence.CompletionFilter{CourseID: c.QueryParam("course"), EmployeeID: onrampID}
	if since := c.QueryParam("since"); since != "" {
		if f.Since, err = apiParseSince(since); err != nil {
			return err
		}
	}
	cycles, err := s.Evidence.Completions(c.Request().Context(), f, page.keyset())
	if err != nil {
		return err
	}
	emps, err := apiEmployeesOf(c, s.People, cycles, func(i int) string { return cycles[i].EmployeeID })
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	out := make([]apiCompletion, len(cycles))
	for i, cy := range cycles {
		item := apiCompletion{
			CycleID: cy.ID, OnrampID: cy.EmployeeID, CourseID: cy.CourseID, CourseTitle: s.apiCourseTitle(cy.CourseID),
			CycleNumber: cy.Number, Path: string(cy.Path), Status: string(cy.DisplayStatus(now)),
			CompletedAt: cy.CompletedAt.UTC(), ExpiresAt: apiUTC(cy.ExpiresAt), Source: "onramp",
		}
		if e := emps[cy.EmployeeID]; e != nil {
			item.Email, item.Name = e.Email, e.FullName()
			if e.EmployeeNumber != nil {
				item.EmployeeID = *e.EmployeeNumber
			}
		}
		if v := cy.Version; v != nil {
			item.CourseVersion = &apiVersion{ID: v.ID, Hash: v.Hash}
		}
		if ct := cy.Certificate; ct != nil {
			item.CertificateCode, item.ScorePercent, item.PassMark = ct.Code, ct.ScorePercent, ct.PassMark
		}
		if cy.Imported {
			item.Source = "imported"
		}
		out[i] = item
	}
	return c.JSON(http.StatusOK, apiListOf(out, page.limit, func(a apiCompletion) apiCursor {
		return apiCursor{At: a.CompletedAt, ID: a.CycleID}
	}))
}

// apiParseSince reads a day (YYYY-MM-DD, from its start in UTC) or an
// RFC 3339 time.
func apiParseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, apperr.New(apperr.Malformed, "since must be a day (2026-03-01) or an RFC 3339 time (2026-03-01T09:00:00Z).")
}

// apiEmployeesOf loads, by Onramp ID, the employees of a list's items
// (employeeID(i) is item i's) with their employee number, e-mail address
// and name (people.Store.Contacts).
func apiEmployeesOf[T any](c echo.Context, st *people.Store, items []T, employeeID func(i int) string) (map[string]*people.Employee, error) {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = employeeID(i)
	}
	return st.Contacts(c.Request().Context(), ids)
}

func apiUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
