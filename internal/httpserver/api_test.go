package httpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
)

// apiToken creates a token with the given scopes and returns its secret.
func apiToken(t *testing.T, env *apptest.Env, name string, scopes ...apitoken.Scope) (*apitoken.Token, string) {
	t.Helper()
	tok, secret, err := (&apitoken.Store{DB: env.App.DB}).Create(context.Background(),
		apitoken.NewToken{Name: name, Scopes: scopes}, apitoken.Actor{Name: "the test"}, env.Clock.Now())
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return tok, secret
}

func apiAllScopes() []apitoken.Scope {
	var all []apitoken.Scope
	for _, s := range apitoken.Scopes {
		if s.Scope != apitoken.ScopeSCIM { // a scim token stands alone
			all = append(all, s.Scope)
		}
	}
	return all
}

// apiCall sends one API request with an Authorization header (none when
// auth is "") and returns the response with its body.
func apiCall(t *testing.T, env *apptest.Env, method, path, auth, body string) *apptest.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, env.Server.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &apptest.Response{Response: res, Body: string(b)}
}

// apiJSON checks the status and decodes the JSON body into v.
func apiJSON(t *testing.T, res *apptest.Response, status int, v any) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want JSON", res.Request.Method, res.Request.URL.Path, ct)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(res.Body), v); err != nil {
			t.Fatalf("decode %s: %v", res.Body, err)
		}
	}
}

type apiErrorBody struct {
	Error    string `json:"error"`
	Problems []struct {
		Index      *int   `json:"index"`
		EmployeeID string `json:"employee_id"`
		Field      string `json:"field"`
		Message    string `json:"message"`
	} `json:"problems"`
}

func TestAPIRefusesCallsWithoutAGoodToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hrClient := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	_, full := apiToken(t, env, "full", apiAllScopes()...)
	_, readOnly := apiToken(t, env, "assignments only", apitoken.ScopeAssignmentsRead)
	revokedTok, revoked := apiToken(t, env, "revoked", apiAllScopes()...)
	if _, err := (&apitoken.Store{DB: env.App.DB}).Revoke(context.Background(), revokedTok.ID, apitoken.Actor{Name: "the test"}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	exp := env.Clock.Now().Add(time.Hour)
	_, expiring, err := (&apitoken.Store{DB: env.App.DB}).Create(context.Background(),
		apitoken.NewToken{Name: "expiring", Scopes: apiAllScopes(), ExpiresAt: &exp}, apitoken.Actor{}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Hour)

	for _, tc := range []struct {
		name, auth, challenge string
	}{
		{"no token", "", `Bearer realm="onramp"`},
		{"a wrong token", "Bearer onr_" + strings.Repeat("x", 43), `Bearer realm="onramp", error="invalid_token"`},
		{"not a bearer token", "Basic " + full, `Bearer realm="onramp"`},
		{"an empty bearer", "Bearer ", `Bearer realm="onramp"`},
		{"a revoked token", "Bearer " + revoked, `Bearer realm="onramp", error="invalid_token"`},
		{"an expired token", "Bearer " + expiring, `Bearer realm="onramp", error="invalid_token"`},
	} {
		for _, call := range [][2]string{{"GET", "/api/v1/assignments"}, {"GET", "/api/v1/completions"}, {"PUT", "/api/v1/employees/E1"}, {"POST", "/api/v1/employees"}, {"GET", "/api/v1/reports/status"}} {
			var body apiErrorBody
			apiJSON(t, apiCall(t, env, call[0], call[1], tc.auth, `{}`), http.StatusUnauthorized, &body)
			res := apiCall(t, env, call[0], call[1], tc.auth, `{}`)
			if got := res.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("%s, %s %s: WWW-Authenticate %q, want %q", tc.name, call[0], call[1], got, tc.challenge)
			}
			if body.Error == "" {
				t.Errorf("%s, %s %s: no error sentence", tc.name, call[0], call[1])
			}
		}
	}

	// A browser session, even HR's, is not an API credential.
	res := hrClient.Get("/api/v1/assignments")
	var body apiErrorBody
	apiJSON(t, res, http.StatusUnauthorized, &body)

	// A good token without the scope: 403, naming the scope.
	for _, call := range []struct{ method, path, scope string }{
		{"GET", "/api/v1/completions", "completions:read"},
		{"PUT", "/api/v1/employees/E1", "employees:write"},
		{"POST", "/api/v1/employees", "employees:write"},
		{"GET", "/api/v1/reports/status", "reports:read"},
	} {
		res := apiCall(t, env, call.method, call.path, "Bearer "+readOnly, `{}`)
		apiJSON(t, res, http.StatusForbidden, &body)
		if want := `Bearer realm="onramp", error="insufficient_scope", scope="` + call.scope + `"`; res.Header.Get("WWW-Authenticate") != want {
			t.Errorf("%s %s: WWW-Authenticate %q, want %q", call.method, call.path, res.Header.Get("WWW-Authenticate"), want)
		}
		if !strings.Contains(body.Error, call.scope) {
			t.Errorf("%s %s: the 403 does not name the scope: %q", call.method, call.path, body.Error)
		}
	}
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/assignments", "Bearer "+readOnly, ""), http.StatusOK, nil)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/assignments", "bearer "+full, ""), http.StatusOK, nil)

	// Errors are JSON everywhere under /api/.
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/nothing-here", "Bearer "+full, ""), http.StatusNotFound, &body)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/assignments?limit=0", "Bearer "+full, ""), http.StatusBadRequest, &body)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/assignments?cursor=bm9wZQ", "Bearer "+full, ""), http.StatusBadRequest, &body)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/completions?since=yesterday", "Bearer "+full, ""), http.StatusBadRequest, &body)

	// The description is public.
	res = apiCall(t, env, "GET", "/api/v1/openapi.yaml", "", "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "openapi: 3.1") {
		t.Errorf("openapi.yaml: %d %.40q", res.StatusCode, res.Body)
	}
}

type apiUpsertBody struct {
	Result   string `json:"result"`
	Employee struct {
		EmployeeID   string `json:"employee_id"`
		OnrampID     string `json:"onramp_id"`
		Email        string `json:"email"`
		Department   string `json:"department"`
		ManagerEmail string `json:"manager_email"`
		HireDate     string `json:"hire_date"`
		Status       string `json:"status"`
		TimeZone     string `json:"time_zone"`
	} `json:"employee"`
	Assignments struct {
		Assigned int `json:"assigned"`
	} `json:"assignments"`
}

func apiEmployeeJSON(number, first, last, dept, manager string) string {
	return fmt.Sprintf(`{"employee_id":%q,"email":%q,"first_name":%q,"last_name":%q,"department":%q,"job_title":"Nurse","location":"Main","manager_email":%q,"hire_date":"2026-02-01"}`,
		number, strings.ToLower(number)+"@example.org", first, last, dept, manager)
}

func apiCountEmployees(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Model(&people.Employee{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIUpsertsEmployees(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	_, secret := apiToken(t, env, "Workday", apitoken.ScopeEmployeesWrite)
	auth := "Bearer " + secret

	// A new employee: 201, assigned the course every employee takes, audited.
	var up apiUpsertBody
	body := `{"email":"Ada@Example.org","first_name":"Ada","last_name":"Lovelace","department":"Nursing","job_title":"Nurse","location":"Main","manager_email":"hr@example.org","hire_date":"2026-02-01","time_zone":"Europe/London"}`
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E100", auth, body), http.StatusCreated, &up)
	if up.Result != "added" || up.Employee.EmployeeID != "E100" || up.Employee.Email != "ada@example.org" || up.Employee.ManagerEmail != "hr@example.org" ||
		up.Employee.HireDate != "2026-02-01" || up.Employee.TimeZone != "Europe/London" || up.Assignments.Assigned != 1 {
		t.Errorf("added = %+v", up)
	}
	var entry audit.Entry
	if err := env.App.DB.Where("entity_type = ? AND entity_id = ?", "employee", up.Employee.OnrampID).Take(&entry).Error; err != nil {
		t.Fatalf("no audit entry for the new employee: %v", err)
	}
	if entry.Action != audit.ActionCreate || entry.ActorName != "API token “Workday”" || !strings.Contains(entry.Summary, "E100") {
		t.Errorf("audit entry = %+v", entry)
	}

	// The same again changes nothing (and writes nothing); a change is a change.
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E100", auth, body), http.StatusOK, &up)
	if up.Result != "unchanged" {
		t.Errorf("same again: %q", up.Result)
	}
	// Without a time zone the stored one stays.
	changed := strings.Replace(strings.Replace(body, `"Nursing"`, `"Pharmacy"`, 1), `,"time_zone":"Europe/London"`, "", 1)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E100", auth, changed), http.StatusOK, &up)
	if up.Result != "changed" || up.Employee.Department != "Pharmacy" || up.Employee.TimeZone != "Europe/London" {
		t.Errorf("changed = %+v", up)
	}

	// Refusals: JSON errors that say what to fix, and nothing written.
	before := apiCountEmployees(t, env)
	var fail apiErrorBody
	bad := strings.Replace(body, `"2026-02-01"`, `"01/02/2026"`, 1)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, strings.Replace(bad, "Ada@", "ada2@", 1)), http.StatusUnprocessableEntity, &fail)
	if len(fail.Problems) != 1 || fail.Problems[0].Field != "hire_date" || fail.Problems[0].Index != nil || !strings.Contains(fail.Problems[0].Message, "YYYY-MM-DD") {
		t.Errorf("bad date: %+v", fail)
	}
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, `{"employee_id":"E999","email":"x@example.org"}`), http.StatusUnprocessableEntity, &fail)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, `{"email":`), http.StatusBadRequest, &fail)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, `{"e_mail":"x@example.org"}`), http.StatusBadRequest, &fail)
	if !strings.Contains(fail.Error, "e_mail") {
		t.Errorf("unknown field: %q", fail.Error)
	}
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, `{"email":"x@example.org","first_name":"X","last_name":"Y","hire_date":"2026-01-01","department":"a\nb"}`), http.StatusUnprocessableEntity, &fail)
	// Someone else's e-mail address.
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/E101", auth, strings.Replace(body, "Ada@Example.org", "hr@example.org", 1)), http.StatusUnprocessableEntity, &fail)
	if after := apiCountEmployees(t, env); after != before {
		t.Errorf("refused calls added %d employees", after-before)
	}

	// A list, with a manager inside it: all saved.
	var list []string
	list = append(list, apiEmployeeJSON("M1", "Mia", "Manager", "Nursing", ""))
	for i := range 20 {
		list = append(list, apiEmployeeJSON(fmt.Sprintf("B%02d", i), "Bea", fmt.Sprintf("Batch%d", i), "Nursing", "m1@example.org"))
	}
	var batch struct {
		Added     int `json:"added"`
		Employees []struct {
			Index    int    `json:"index"`
			OnrampID string `json:"onramp_id"`
			Result   string `json:"result"`
		} `json:"employees"`
		Assignments struct {
			Assigned int `json:"assigned"`
		} `json:"assignments"`
	}
	apiJSON(t, apiCall(t, env, "POST", "/api/v1/employees", auth, `{"employees":[`+strings.Join(list, ",")+`]}`), http.StatusOK, &batch)
	if batch.Added != 21 || len(batch.Employees) != 21 || batch.Employees[5].Index != 5 || batch.Employees[5].OnrampID == "" || batch.Assignments.Assigned != 21 {
		t.Errorf("batch = %+v", batch)
	}
	var mia people.Employee
	if err := env.App.DB.Where("employee_number = ?", "M1").Take(&mia).Error; err != nil || mia.Role != people.RoleManager {
		t.Errorf("the manager in the list: %+v %v", mia, err)
	}

	// All or nothing: two bad items, each named by its index; nothing saved.
	before = apiCountEmployees(t, env)
	list = list[:0]
	for i := range 10 {
		list = append(list, apiEmployeeJSON(fmt.Sprintf("C%02d", i), "Cy", fmt.Sprintf("Batch%d", i), "Nursing", ""))
	}
	list[3] = strings.Replace(list[3], "c03@example.org", "not-an-address", 1)
	list[7] = strings.Replace(list[7], `"C07"`, `"C02"`, 1)
	apiJSON(t, apiCall(t, env, "POST", "/api/v1/employees", auth, `{"employees":[`+strings.Join(list, ",")+`]}`), http.StatusUnprocessableEntity, &fail)
	var indexes []int
	for _, p := range fail.Problems {
		if p.Index != nil {
			indexes = append(indexes, *p.Index)
		}
		if strings.Contains(p.Message, "row ") {
			t.Errorf("a problem speaks of CSV rows: %q", p.Message)
		}
	}
	if !slices.Equal(indexes, []int{3, 7}) || !strings.HasPrefix(fail.Error, "Nothing was saved") {
		t.Errorf("problems = %+v", fail)
	}
	if after := apiCountEmployees(t, env); after != before {
		t.Errorf("a refused list added %d employees", after-before)
	}
	apiJSON(t, apiCall(t, env, "POST", "/api/v1/employees", auth, `{"employees":[]}`), http.StatusUnprocessableEntity, &fail)
	apiJSON(t, apiCall(t, env, "POST", "/api/v1/employees", auth, `[]`), http.StatusBadRequest, &fail)

	// A leaver: inactive, their open training closed.
	leaver := strings.Replace(apiEmployeeJSON("B00", "Bea", "Batch0", "Nursing", "m1@example.org"), `"hire_date"`, `"status":"inactive","hire_date"`, 1)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/B00", auth, leaver), http.StatusOK, &up)
	if up.Result != "deactivated" || up.Employee.Status != "inactive" {
		t.Errorf("leaver = %+v", up)
	}
	if res, err := audit.Verify(context.Background(), env.App.DB); err != nil || !res.OK() {
		t.Errorf("audit chain after the API's changes: %+v %v", res, err)
	}
}

// apiWalk reads every page of a list and returns the items' IDs in order.
func apiWalk(t *testing.T, env *apptest.Env, path, auth, idField string, limit int, between func(page int)) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for page := 0; ; page++ {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		url := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		var body struct {
			Data       []map[string]any `json:"data"`
			NextCursor *string          `json:"next_cursor"`
			HasMore    bool             `json:"has_more"`
		}
		apiJSON(t, apiCall(t, env, "GET", url, auth, ""), http.StatusOK, &body)
		if len(body.Data) > limit {
			t.Fatalf("page %d has %d items, limit %d", page, len(body.Data), limit)
		}
		for _, item := range body.Data {
			ids = append(ids, item[idField].(string))
		}
		if body.NextCursor == nil {
			if body.HasMore {
				t.Fatal("has_more without a cursor")
			}
			return ids
		}
		if page > 1000 {
			t.Fatal("the pages never end")
		}
		cursor = *body.NextCursor
		if between != nil {
			between(page)
		}
	}
}

func TestAPIListsPageWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	_, secret := apiToken(t, env, "reader", apiAllScopes()...)
	auth := "Bearer " + secret
	var emps []*people.Employee
	for i := range 23 {
		emp := env.CreateEmployee(fmt.Sprintf("p%02d@example.org", i), "Pat", fmt.Sprintf("Person%02d", i), people.RoleLearner, "")
		assignBasic(t, env, emp)
		emps = append(emps, emp)
		if i%5 == 0 {
			env.Clock.Advance(time.Minute) // several share a created_at; the ID breaks the tie
		}
	}
	// Completions, several at the same instant.
	for i, emp := range emps[:17] {
		if i%4 == 0 {
			env.Clock.Advance(time.Hour)
		}
		if _, err := env.App.Learning.CompleteCourse(ctx, emp, "basic"); err != nil {
			t.Fatal(err)
		}
	}

	wantAssignments := func() []string {
		var ids []string
		if err := env.App.DB.Raw("SELECT id FROM assignments ORDER BY created_at, id").Scan(&ids).Error; err != nil {
			t.Fatal(err)
		}
		return ids
	}
	before := wantAssignments()
	// An assignment made while the client pages appears once, at the end.
	got := apiWalk(t, env, "/api/v1/assignments", auth, "assignment_id", 4, func(page int) {
		if page == 2 {
			env.Clock.Advance(time.Minute)
			assignBasic(t, env, env.CreateEmployee("late@example.org", "Late", "Comer", people.RoleLearner, ""))
		}
	})
	if want := wantAssignments(); !slices.Equal(got, want) || len(want) != len(before)+1 {
		t.Errorf("assignments walked = %d %v\nwant %d %v", len(got), got, len(want), want)
	}
	for _, limit := range []int{1, 7, 23, 24, 1000} {
		if got := apiWalk(t, env, "/api/v1/assignments", auth, "assignment_id", limit, nil); !slices.Equal(got, wantAssignments()) {
			t.Errorf("limit %d: %d assignments, want %d", limit, len(got), len(wantAssignments()))
		}
	}

	var wantDone []string
	if err := env.App.DB.Raw("SELECT id FROM cycles WHERE completed_at IS NOT NULL ORDER BY completed_at, id").Scan(&wantDone).Error; err != nil {
		t.Fatal(err)
	}
	if len(wantDone) != 17 {
		t.Fatalf("%d completions, want 17", len(wantDone))
	}
	for _, limit := range []int{1, 2, 5, 17, 100} {
		if got := apiWalk(t, env, "/api/v1/completions", auth, "cycle_id", limit, nil); !slices.Equal(got, wantDone) {
			t.Errorf("completions, limit %d: %v\nwant %v", limit, got, wantDone)
		}
	}
	// Filters.
	since := env.Clock.Now().Add(-90 * time.Minute).UTC().Format(time.RFC3339)
	var sinceWant []string
	if err := env.App.DB.Raw("SELECT id FROM cycles WHERE completed_at >= ? ORDER BY completed_at, id", env.Clock.Now().Add(-90*time.Minute)).Scan(&sinceWant).Error; err != nil {
		t.Fatal(err)
	}
	if got := apiWalk(t, env, "/api/v1/completions?since="+since, auth, "cycle_id", 3, nil); !slices.Equal(got, sinceWant) || len(sinceWant) == 0 || len(sinceWant) == 17 {
		t.Errorf("since %s: %v, want %v", since, got, sinceWant)
	}
	var one struct {
		Data []struct {
			Email         string `json:"email"`
			CourseTitle   string `json:"course_title"`
			ScorePercent  *int   `json:"score_percent"`
			PassMark      *int   `json:"pass_mark"`
			Certificate   string `json:"certificate_code"`
			CourseVersion *struct {
				Hash string `json:"hash"`
			} `json:"course_version"`
			Source string `json:"source"`
		} `json:"data"`
	}
	number := "HR-7"
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emps[3].ID).Update("employee_number", number).Error; err != nil {
		t.Fatal(err)
	}
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/completions?employee_id=HR-7&course=basic", auth, ""), http.StatusOK, &one)
	if len(one.Data) != 1 || one.Data[0].Email != emps[3].Email || one.Data[0].CourseTitle != "Basic Training" || one.Data[0].ScorePercent == nil ||
		*one.Data[0].PassMark != 100 || one.Data[0].Certificate == "" || one.Data[0].CourseVersion == nil || len(one.Data[0].CourseVersion.Hash) != 64 || one.Data[0].Source != "onramp" {
		t.Errorf("one person's completions = %+v", one)
	}
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/completions?employee_id=nobody", auth, ""), http.StatusOK, &one)
	if len(one.Data) != 0 {
		t.Errorf("an unknown employee_id listed %d completions", len(one.Data))
	}
	var as struct {
		Data []struct {
			EmployeeID   string `json:"employee_id"`
			CurrentCycle *struct {
				Status     string `json:"status"`
				Derivation string `json:"derivation"`
			} `json:"current_cycle"`
		} `json:"data"`
	}
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/assignments?employee_id=HR-7", auth, ""), http.StatusOK, &as)
	if len(as.Data) != 1 || as.Data[0].EmployeeID != "HR-7" || as.Data[0].CurrentCycle == nil || as.Data[0].CurrentCycle.Status != "completed" ||
		as.Data[0].CurrentCycle.Derivation == "" {
		t.Errorf("one person's assignments = %+v", as)
	}
}

func TestAPIReports(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ada := env.CreateEmployee("ada@example.org", "=Ada", "Lovelace", people.RoleLearner, "")
	assignBasic(t, env, ada)
	if _, err := env.App.Learning.CompleteCourse(context.Background(), ada, "basic"); err != nil {
		t.Fatal(err)
	}
	_, secret := apiToken(t, env, "reports", apitoken.ScopeReportsRead)
	auth := "Bearer " + secret

	var rows []map[string]any
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/completions", auth, ""), http.StatusOK, &rows)
	if len(rows) != 1 {
		t.Fatalf("completions report = %v", rows)
	}
	res := apiCall(t, env, "GET", "/api/v1/reports/status?format=csv&department=Nursing", auth, "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV report: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if !strings.Contains(res.Body, "'=Ada") {
		t.Errorf("a formula in the CSV was not defused:\n%s", res.Body)
	}
	var fail apiErrorBody
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/nope", auth, ""), http.StatusNotFound, &fail)
	if !strings.Contains(fail.Error, "overdue") {
		t.Errorf("404 does not list the reports: %q", fail.Error)
	}
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/status?format=xlsx", auth, ""), http.StatusBadRequest, &fail)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/status?colour=blue", auth, ""), http.StatusBadRequest, &fail)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/expiring?days=1000", auth, ""), http.StatusBadRequest, &fail)

	var n int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_type = ? AND actor_name = ?", audit.ActionExport, "report", "API token “reports”").Count(&n)
	if n != 2 {
		t.Errorf("%d report exports in the audit trail, want 2", n)
	}
}
