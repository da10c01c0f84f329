package httpserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
)

// TestAPIEmployeeProblemsNameItems: the API checks its items as typed staff
// records, so problems name the item by index and employee_id, and a
// message about another item names it as employees[i], as docs/api.md
// shows, with no CSV line numbers in between.
func TestAPIEmployeeProblemsNameItems(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, secret := apiToken(t, env, "HR system", apitoken.ScopeEmployeesWrite)
	body := `{"employees": [
	 {"employee_id": "E2000", "email": "a@example.org", "first_name": "A", "last_name": "A", "hire_date": "2024-01-01"},
	 {"employee_id": "E2001", "email": "b@example.org", "first_name": "B", "last_name": "B", "hire_date": "2024-01-01"},
	 {"employee_id": "E2002", "email": "c@example.org", "first_name": "C", "last_name": "C", "hire_date": "2024-01-01"},
	 {"employee_id": "E2003", "email": "not-an-address", "first_name": "D", "last_name": "D", "hire_date": "2024-01-01"},
	 {"employee_id": "E2002", "email": "e@example.org", "first_name": "E\u0007", "last_name": "E", "hire_date": "2024-01-01"},
	 {"employee_id": "E2005", "email": "f@example.org", "first_name": "F", "last_name": "F", "hire_date": "2024-01-01", "manager_email": "nobody@example.org"}
	]}`
	var got struct {
		Error    string `json:"error"`
		Problems []struct {
			Index      *int   `json:"index"`
			EmployeeID string `json:"employee_id"`
			Field      string `json:"field"`
			Value      string `json:"value"`
			Message    string `json:"message"`
		} `json:"problems"`
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, "/api/v1/employees", "Bearer "+secret, body), http.StatusUnprocessableEntity, &got)
	type want struct {
		index            int
		id, field, value string
		message          string
	}
	wants := []want{
		{3, "E2003", "email", "not-an-address", `"not-an-address" is not an e-mail address; write it as name@example.org`},
		{4, "E2002", "first_name", "E\a", "contains a control character (such as a line break or tab); remove it"},
	}
	if got.Error != "Nothing was saved: 2 problems to fix in the list." || len(got.Problems) != len(wants) {
		t.Fatalf("error %q, problems %+v", got.Error, got.Problems)
	}
	for i, w := range wants {
		p := got.Problems[i]
		if p.Index == nil || *p.Index != w.index || p.EmployeeID != w.id || p.Field != w.field || p.Value != w.value || p.Message != w.message {
			t.Errorf("problem %d = %+v, want %+v", i, p, w)
		}
	}

	// Once each item is sound on its own, the checks across items and
	// against the database name the other item as employees[i].
	body = `{"employees": [
	 {"employee_id": "E2000", "email": "a@example.org", "first_name": "A", "last_name": "A", "hire_date": "2024-01-01"},
	 {"employee_id": "E2002", "email": "c@example.org", "first_name": "C", "last_name": "C", "hire_date": "2024-01-01"},
	 {"employee_id": "E2002", "email": "e@example.org", "first_name": "E", "last_name": "E", "hire_date": "2024-01-01"},
	 {"employee_id": "E2005", "email": "f@example.org", "first_name": "F", "last_name": "F", "hire_date": "2024-01-01", "manager_email": "nobody@example.org"}
	]}`
	apiJSON(t, apiCall(t, env, http.MethodPost, "/api/v1/employees", "Bearer "+secret, body), http.StatusUnprocessableEntity, &got)
	wants = []want{
		{2, "E2002", "employee_id", "E2002", `"E2002" is also on employees[1]; each employee must appear once, so remove or merge one of the two rows`},
	}
	if len(got.Problems) != len(wants) {
		t.Fatalf("problems %+v", got.Problems)
	}
	for i, w := range wants {
		p := got.Problems[i]
		if p.Index == nil || *p.Index != w.index || p.EmployeeID != w.id || p.Field != w.field || p.Value != w.value || p.Message != w.message {
			t.Errorf("problem %d = %+v, want %+v", i, p, w)
		}
	}
	body = `{"employees": [
	 {"employee_id": "E2005", "email": "f@example.org", "first_name": "F", "last_name": "F", "hire_date": "2024-01-01", "manager_email": "nobody@example.org"}
	]}`
	apiJSON(t, apiCall(t, env, http.MethodPost, "/api/v1/employees", "Bearer "+secret, body), http.StatusUnprocessableEntity, &got)
	msg := `"nobody@example.org" is not in the request and is not an employee in Onramp; add the manager to the request, correct the address, or leave it empty`
	if len(got.Problems) != 1 || got.Problems[0].Message != msg || got.Problems[0].Index == nil || *got.Problems[0].Index != 0 {
		t.Errorf("problems %+v", got.Problems)
	}
}

// TestAPIEmployeeProblemsAreCapped: past 200 problems the list ends with
// one saying how many more there were, and the sentence counts them all.
func TestAPIEmployeeProblemsAreCapped(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	_, secret := apiToken(t, env, "HR system", apitoken.ScopeEmployeesWrite)
	items := make([]string, 250)
	for i := range items {
		items[i] = fmt.Sprintf(`{"employee_id": "E%d", "email": "bad-%d", "first_name": "A", "last_name": "B", "hire_date": "2024-01-01"}`, i, i)
	}
	var got struct {
		Error    string `json:"error"`
		Problems []struct {
			Index   *int   `json:"index"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, "/api/v1/employees", "Bearer "+secret, `{"employees": [`+strings.Join(items, ",")+`]}`),
		http.StatusUnprocessableEntity, &got)
	if got.Error != "Nothing was saved: 250 problems to fix in the list." || len(got.Problems) != 201 {
		t.Fatalf("error %q, %d problems", got.Error, len(got.Problems))
	}
	if last := got.Problems[200]; last.Index != nil || last.Message != "… and 50 more problems" {
		t.Errorf("last problem %+v", last)
	}
	if first := got.Problems[0]; first.Index == nil || *first.Index != 0 {
		t.Errorf("first problem %+v", first)
	}
}
