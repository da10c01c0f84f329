package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestAPIGrantsAttempts: POST /api/v1/employees/{employee_id}/attempts
// needs attempts:write, names the field of bad input (nothing granted),
// 404s an unknown employee_id, and grants like HR does: audited under the
// token's name, the person e-mailed, and the quiz open again.
func TestAPIGrantsAttempts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "grace@example.org", "Grace", "Hopper", people.RoleLearner)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("employee_number", "E1042").Error; err != nil {
		t.Fatal(err)
	}
	assignBasic(t, env, emp)
	failQuizAllowed(t, env, c, 3)
	mustStatus(t, c.Post(basicStep+"check/quiz", nil), http.StatusConflict)

	_, readOnly := apiToken(t, env, "reports only", apitoken.ScopeReportsRead)
	_, secret := apiToken(t, env, "LMS bridge", apitoken.ScopeAttemptsWrite)
	body := `{"course":"basic","quiz":"basics","extra":1,"reason":"Went through the answers together"}`
	path := "/api/v1/employees/E1042/attempts"

	if res := apiCall(t, env, http.MethodPost, path, "Bearer "+readOnly, body); res.StatusCode != http.StatusForbidden {
		t.Errorf("a token without attempts:write: %d", res.StatusCode)
	}
	var e apiErrorBody
	apiJSON(t, apiCall(t, env, http.MethodPost, path, "Bearer "+secret, `{"course":"basic","quiz":"basics","extra":1,"reason":" "}`), http.StatusUnprocessableEntity, &e)
	if len(e.Problems) != 1 || e.Problems[0].Field != "reason" {
		t.Errorf("no reason: %+v", e)
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, path, "Bearer "+secret, `{"course":"basic","quiz":"basics","extra":11,"reason":"x"}`), http.StatusUnprocessableEntity, &e)
	if len(e.Problems) != 1 || e.Problems[0].Field != "extra" {
		t.Errorf("too many: %+v", e)
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, path, "Bearer "+secret, `{"course":"basic","quiz":"nope","extra":1,"reason":"x"}`), http.StatusUnprocessableEntity, &e)
	if len(e.Problems) != 1 || e.Problems[0].Field != "quiz" {
		t.Errorf("unknown quiz: %+v", e)
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, "/api/v1/employees/NOBODY/attempts", "Bearer "+secret, body), http.StatusNotFound, &e)
	if n := len(outboxKinds(t, env, notify.KindAttemptsGranted)); n != 0 {
		t.Fatalf("refused calls sent %d e-mails", n)
	}

	var out struct {
		Grant struct {
			ID, EmployeeID, Course, Quiz, Reason string
			Extra                                int
		} `json:"grant"`
	}
	apiJSON(t, apiCall(t, env, http.MethodPost, path, "Bearer "+secret, body), http.StatusCreated, &out)
	if out.Grant.ID == "" || out.Grant.Extra != 1 || out.Grant.Quiz != "basics" || out.Grant.Course != "basic" {
		t.Errorf("grant: %+v", out.Grant)
	}
	if n := len(outboxKinds(t, env, notify.KindAttemptsGranted)); n != 1 {
		t.Errorf("%d e-mails to the person, want 1", n)
	}
	var trail []audit.Entry
	if err := env.App.DB.Where("action = ?", "grant_attempts").Find(&trail).Error; err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || !strings.Contains(trail[0].ActorName, "LMS bridge") || trail[0].EntityID != emp.ID {
		t.Fatalf("audit trail: %+v", trail)
	}
	if res := c.Post(basicStep+"check/quiz", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after the API's grant the quiz cannot be started: %d", res.StatusCode)
	}
}
