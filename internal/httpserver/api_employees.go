package httpserver

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
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

// apiPutEmployee adds or updates the employee with the HR system's
// employee_id in the path: 201 when added, 200 otherwise.
func (s *Server) apiPutEmployee(c echo.Context) error {
	var in apiEmployeeInput
	if err := apiDecode(c, &in); err != nil {
		return err
	}
	id := strings.TrimSpace(c.Param("employee_id"))
	if in.EmployeeID != "" && strings.TrimSpace(in.EmployeeID) != id {
		return apperr.InvalidInput("The body's employee_id is not the one in the address; leave it out or make them the same.",
			apperr.Problem{Field: "employee_id", Value: in.EmployeeID, Message: "differs from the address (" + id + ")"})
	}
	in.EmployeeID = id
	out, err := s.apiUpsert(c, []apiEmployeeInput{in}, false)
	if err != nil {
		return err
	}
	emps, err := s.apiEmployeesByID(c, out.IDs)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if out.Results[0] == people.UpsertAdded {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{
		"result":      out.Results[0],
		"employee":    emps[0],
		"assignments": map[string]int{"assigned": out.Assignments.Assigned, "closed": out.Assignments.Closed},
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
		return apperr.New(apperr.Invalid, `Send the employees as {"employees": [ … ]} with at least one.`)
	case len(body.Employees) > apiMaxBatch:
		return apperr.Errorf(apperr.Invalid, "Send at most %d employees in one call; split the list.", apiMaxBatch)
	}
	out, err := s.apiUpsert(c, body.Employees, true)
	if err != nil {
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
		items[i] = item{Index: i, EmployeeID: strings.TrimSpace(in.EmployeeID), OnrampID: out.IDs[i], Result: out.Results[i]}
		counts[out.Results[i]]++
	}
	return c.JSON(http.StatusOK, map[string]any{
		"added": counts[people.UpsertAdded], "changed": counts[people.UpsertChanged], "deactivated": counts[people.UpsertDeactivated],
		"reactivated": counts[people.UpsertReactivated], "unchanged": counts[people.UpsertUnchanged],
		"assignments": map[string]int{"assigned": out.Assignments.Assigned, "closed": out.Assignments.Closed},
		"employees":   items,
	})
}

// apiDecode reads a JSON body strictly: unknown fields and trailing data
// are Malformed (400), so a typo in a field name is not silently ignored.
// It reads encoding/json's errors only to say what is wrong in a sentence;
// a body over the limit keeps its *http.MaxBytesError (413).
func apiDecode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return apperr.New(apperr.Malformed, "The body has more after its JSON value; send one JSON object.")
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
		return apperr.New(apperr.Malformed, "The body is empty; send a JSON object.")
	case errors.As(err, &syntax):
		return apperr.Errorf(apperr.Malformed, "The body is not valid JSON (at byte %d): %v.", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return apperr.Errorf(apperr.Malformed, "The field %s must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apperr.New(apperr.Malformed, "The body has a field the API does not know: "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	}
	return apperr.New(apperr.Malformed, "The body could not be read as JSON: "+err.Error()+".")
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

// apiUpsert adds or updates the items through people.Service.Upsert, the
// staff import's checks and follow-ups, under the token's name; its errors
// (Invalid with every problem, Forbidden, Conflict) are the call's answer.
func (s *Server) apiUpsert(c echo.Context, items []apiEmployeeInput, batch bool) (*people.UpsertResult, error) {
	records := make([]people.StaffRecord, len(items))
	for i, in := range items {
		records[i] = people.StaffRecord{
			EmployeeID: in.EmployeeID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
			Department: in.Department, JobTitle: in.JobTitle, Location: in.Location, ManagerEmail: in.ManagerEmail,
			HireDate: in.HireDate, Status: in.Status, TimeZone: in.TimeZone,
		}
	}
	tok := apiTokenOf(c)
	src := people.ImportSource{Via: people.ViaAPI, By: people.Actor{Name: apiActorName(tok)}, Token: tok.ID, Single: !batch}
	return s.Staff.Upsert(c.Request().Context(), records, src, s.Clock.Now())
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
