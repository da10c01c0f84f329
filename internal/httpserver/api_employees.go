package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/csvimport"
	"github.com/onramp-lms/onramp/internal/people"
)

// apiMaxBatch is the most employees one POST /api/v1/employees may carry.
const apiMaxBatch = 5000

// apiEmployeeInput is one employee as an HR system sends it: the staff
// CSV's columns as JSON fields.
type apiEmployeeInput struct {
	EmployeeID   string `json:"employee_id"`
	Email        string `json:"email"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Department   string `json:"department"`
	JobTitle     string `json:"job_title"`
	Location     string `json:"location"`
	ManagerEmail string `json:"manager_email"`
	HireDate     string `json:"hire_date"`
	// Status is "active" (the default) or "inactive".
	Status string `json:"status"`
	// TimeZone is an IANA name; absent leaves the employee's zone alone.
	TimeZone *string `json:"time_zone"`
}

// apiEmployee is an employee as the API returns them.
type apiEmployee struct {
	EmployeeID   string    `json:"employee_id"`
	OnrampID     string    `json:"onramp_id"`
	Email        string    `json:"email"`
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	Department   string    `json:"department"`
	JobTitle     string    `json:"job_title"`
	Location     string    `json:"location"`
	ManagerEmail string    `json:"manager_email"`
	HireDate     string    `json:"hire_date"`
	Status       string    `json:"status"`
	TimeZone     string    `json:"time_zone"`
	Role         string    `json:"role"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// The results of an upsert, per employee.
const (
	upsertAdded       = "added"
	upsertChanged     = "changed"
	upsertDeactivated = "deactivated"
	upsertReactivated = "reactivated"
	upsertUnchanged   = "unchanged"
)

// apiUpsertOutcome is what an upsert did.
type apiUpsertOutcome struct {
	plan    *people.StaffPlan
	results []string // per item
	ids     []string // per item: Onramp's ID
	eval    compliance.EvalResult
}

// apiPutEmployee adds or updates the employee with the HR system's
// employee_id in the path: 201 when added, 200 otherwise.
func (s *Server) apiPutEmployee(c echo.Context) error {
	var in apiEmployeeInput
	if err := apiDecode(c, &in); err != nil {
		return err
	}
	id := strings.TrimSpace(c.Param("employee_id"))
	if in.EmployeeID != "" && strings.TrimSpace(in.EmployeeID) != id {
		return apiFail(c, http.StatusUnprocessableEntity, "The body's employee_id is not the one in the address; leave it out or make them the same.",
			apiProblem{Field: "employee_id", Value: in.EmployeeID, Message: "differs from the address (" + id + ")"})
	}
	in.EmployeeID = id
	out, err := s.apiUpsert(c, []apiEmployeeInput{in}, false)
	if err != nil || out == nil {
		return err
	}
	emps, err := s.apiEmployeesByID(c, out.ids)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if out.results[0] == upsertAdded {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{
		"result":      out.results[0],
		"employee":    emps[0],
		"assignments": map[string]int{"assigned": out.eval.Assigned, "closed": out.eval.Closed},
	})
}

// apiPostEmployees adds or updates a list of employees, all or nothing:
// one problem in any item and nothing is written (422 with every problem).
func (s *Server) apiPostEmployees(c echo.Context) error {
	var body struct {
		Employees []apiEmployeeInput `json:"employees"`
	}
	if err := apiDecode(c, &body); err != nil {
		return err
	}
	switch {
	case len(body.Employees) == 0:
		return apiFail(c, http.StatusUnprocessableEntity, `Send the employees as {"employees": [ … ]} with at least one.`)
	case len(body.Employees) > apiMaxBatch:
		return apiFail(c, http.StatusUnprocessableEntity, fmt.Sprintf("Send at most %d employees in one call; split the list.", apiMaxBatch))
	}
	out, err := s.apiUpsert(c, body.Employees, true)
	if err != nil || out == nil {
		return err
	}
	type item struct {
		Index      int    `json:"index"`
		EmployeeID string `json:"employee_id"`
		OnrampID   string `json:"onramp_id"`
		Result     string `json:"result"`
	}
	items := make([]item, len(body.Employees))
	counts := map[string]int{}
	for i, in := range body.Employees {
		items[i] = item{Index: i, EmployeeID: strings.TrimSpace(in.EmployeeID), OnrampID: out.ids[i], Result: out.results[i]}
		counts[out.results[i]]++
	}
	return c.JSON(http.StatusOK, map[string]any{
		"added": counts[upsertAdded], "changed": counts[upsertChanged], "deactivated": counts[upsertDeactivated],
		"reactivated": counts[upsertReactivated], "unchanged": counts[upsertUnchanged],
		"assignments": map[string]int{"assigned": out.eval.Assigned, "closed": out.eval.Closed},
		"employees":   items,
	})
}

// apiDecode reads a JSON body strictly: unknown fields and trailing data
// are errors (400), so a typo in a field name is not silently ignored.
func apiDecode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return echo.NewHTTPError(http.StatusBadRequest, "The body has more after its JSON value; send one JSON object.")
		}
		return nil
	}
	var mbe *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return echo.NewHTTPError(http.StatusBadRequest, "The body is empty; send a JSON object.")
	case errors.As(err, &syntax):
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The body is not valid JSON (at byte %d): %v.", syntax.Offset, syntax))
	case errors.As(err, &typ):
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The field %s must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return echo.NewHTTPError(http.StatusBadRequest, "The body has a field the API does not know: "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	}
	return echo.NewHTTPError(http.StatusBadRequest, "The body could not be read as JSON: "+err.Error()+".")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string", "ptr":
		return "string"
	case "slice":
		return "list"
	case "struct":
		return "object"
	}
	return goKind
}

// apiUpsert checks the items as typed staff records (people.CheckStaff: the
// very checks the staff CSV's rows get), plans the change against the
// database and applies it through the people use case (people.Service),
// which owns the follow-ups: the assignment rules, the report standings and
// the audit entry. It answers the call itself (422, 409, 403) and returns
// nil when the items were refused.
func (s *Server) apiUpsert(c echo.Context, items []apiEmployeeInput, batch bool) (*apiUpsertOutcome, error) {
	ctx := c.Request().Context()
	records := make([]people.StaffRecord, len(items))
	for i, in := range items {
		records[i] = people.StaffRecord{
			EmployeeID: in.EmployeeID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
			Department: in.Department, JobTitle: in.JobTitle, Location: in.Location, ManagerEmail: in.ManagerEmail,
			HireDate: in.HireDate, Status: in.Status, TimeZone: in.TimeZone,
		}
	}
	numbering := csvimport.List("employees")
	if !batch {
		numbering.Name = func(int) string { return "this employee" }
	}
	file, err := people.CheckStaff(records, numbering)
	if err == nil {
		var plan *people.StaffPlan
		plan, err = s.Staff.PlanImport(ctx, file, people.PlanOptions{})
		if err == nil {
			if problems := apiPrivilegedChanges(plan, items, batch); len(problems) > 0 {
				return nil, apiFail(c, http.StatusForbidden, apiPrivilegedRefusal, problems...)
			}
			return s.apiApply(c, items, plan, batch)
		}
	}
	if ie, ok := errors.AsType[*people.ImportError](err); ok {
		problems := apiImportProblems(ie, items, batch)
		return nil, apiFail(c, http.StatusUnprocessableEntity, apiProblemsSentence(len(ie.Problems)+ie.More, batch), problems...)
	}
	return nil, err
}

// apiItem returns the index in the request's list of the staff list's row
// (csvimport.List numbers item i as row i+1), and whether there is one.
func apiItem(row int, items []apiEmployeeInput) (int, bool) {
	i := row - 1
	return i, row >= 1 && i < len(items)
}

func (s *Server) apiApply(c echo.Context, items []apiEmployeeInput, plan *people.StaffPlan, batch bool) (*apiUpsertOutcome, error) {
	ctx := c.Request().Context()
	out := &apiUpsertOutcome{plan: plan, results: make([]string, len(items)), ids: make([]string, len(items))}
	for i := range out.results {
		out.results[i] = upsertUnchanged
	}
	for result, list := range map[string][]people.StaffChange{
		upsertAdded: plan.Added, upsertChanged: plan.Changed, upsertDeactivated: plan.Deactivated, upsertReactivated: plan.Reactivated,
	} {
		for _, ch := range list {
			if i, ok := apiItem(ch.Row, items); ok {
				out.results[i], out.ids[i] = result, ch.ID
			}
		}
	}
	if !plan.Empty() {
		tok := apiTokenOf(c)
		src := people.ImportSource{Via: people.ViaAPI, By: people.Actor{Name: apiActorName(tok)}, Token: tok.ID, Single: !batch}
		res, err := s.Staff.ApplyImport(ctx, plan, src, s.Clock.Now())
		if errors.Is(err, people.ErrStalePlan) {
			return nil, apiFail(c, http.StatusConflict, "The employees changed while this call was being checked; send it again.")
		}
		if err != nil {
			return nil, err
		}
		out.eval = res.Assignments
	}
	// Everyone's ID, the unchanged included, by employee_id.
	numbers := make([]string, len(items))
	for i, in := range items {
		numbers[i] = strings.TrimSpace(in.EmployeeID)
	}
	idOf, err := s.People.IDsByNumber(ctx, numbers)
	if err != nil {
		return nil, err
	}
	for i, n := range numbers {
		if id := idOf[n]; id != "" {
			out.ids[i] = id
		}
	}
	return out, nil
}

func apiProblemsSentence(n int, batch bool) string {
	if !batch {
		return "The employee was not saved: " + strconv.Itoa(n) + " " + apiPlural(n, "problem", "problems") + " to fix."
	}
	return "Nothing was saved: " + strconv.Itoa(n) + " " + apiPlural(n, "problem", "problems") + " to fix in the list."
}

func apiPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// apiImportProblems turns the staff list's problems (row i+1 is item i)
// into the API's, naming each item by its index and employee_id.
func apiImportProblems(ie *people.ImportError, items []apiEmployeeInput, batch bool) []apiProblem {
	out := make([]apiProblem, 0, len(ie.Problems)+1)
	for _, p := range ie.Problems {
		ap := apiProblem{Field: p.Column, Value: p.Value, Message: p.Message}
		if i, ok := apiItem(p.Row, items); ok {
			ap.EmployeeID = strings.TrimSpace(items[i].EmployeeID)
			if batch {
				ap.Index = &i
			}
		}
		out = append(out, ap)
	}
	if ie.More > 0 {
		out = append(out, apiProblem{Message: csvimport.MoreLine(ie.More)})
	}
	return out
}

// apiEmployeesByID loads employees as the API shows them, in ids' order.
func (s *Server) apiEmployeesByID(c echo.Context, ids []string) ([]apiEmployee, error) {
	emps, managerEmail, err := s.People.ByIDs(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*people.Employee{}
	for _, e := range emps {
		byID[e.ID] = e
	}
	out := make([]apiEmployee, 0, len(ids))
	for _, id := range ids {
		e := byID[id]
		if e == nil {
			continue
		}
		a := apiEmployee{
			OnrampID: e.ID, Email: e.Email, FirstName: e.FirstName, LastName: e.LastName, Department: e.Department,
			JobTitle: e.JobTitle, Location: e.Location, Status: string(e.Status), TimeZone: e.TimeZone, Role: string(e.Role),
			UpdatedAt: e.UpdatedAt.UTC(),
		}
		if e.EmployeeNumber != nil {
			a.EmployeeID = *e.EmployeeNumber
		}
		if e.ManagerID != nil {
			a.ManagerEmail = managerEmail[*e.ManagerID]
		}
		if e.HireDate != nil {
			a.HireDate = e.HireDate.UTC().Format(time.DateOnly)
		}
		out = append(out, a)
	}
	return out, nil
}
