package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
)

// privilegedJSON is an API item for employee number with the given e-mail
// address and status.
func privilegedJSON(number, email, first, last, status string) string {
	return `{"employee_id":"` + number + `","email":"` + email + `","first_name":"` + first + `","last_name":"` + last +
		`","department":"Office","job_title":"Staff","location":"Main","manager_email":"","hire_date":"2020-01-01","status":"` + status + `"}`
}

// TestAPICannotChangePrivilegedAccounts: an employees:write token cannot
// change the e-mail address, role or status of a manager or HR admin (the
// next set-password link would go to the new address: an account
// takeover), neither one at a time nor in a list; learners it can.
func TestAPICannotChangePrivilegedAccounts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	hr := env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, learnerPassword)
	other := env.CreateEmployee("hr2@example.org", "Hugo", "Resources", people.RoleHRAdmin, learnerPassword)
	boss := env.CreateEmployee("boss@example.org", "Bea", "Boss", people.RoleManager, learnerPassword)
	_, secret := apiToken(t, env, "Workday", apitoken.ScopeEmployeesWrite)
	auth := "Bearer " + secret

	// Linking a hand-made account to the HR system's number, and other
	// details, are allowed.
	for _, p := range []struct{ number, email, first, last string }{
		{"HR1", "hr@example.org", "Hana", "Resources"}, {"HR2", "hr2@example.org", "Hugo", "Resources"}, {"M1", "boss@example.org", "Bea", "Boss"},
	} {
		var up apiUpsertBody
		apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/"+p.number, auth, privilegedJSON(p.number, p.email, p.first, p.last, "active")), http.StatusOK, &up)
		if up.Result != "changed" {
			t.Fatalf("link %s: %+v", p.number, up)
		}
	}
	auditBefore := apiCountAudit(t, env)

	for _, tc := range []struct {
		name, number, body, field string
	}{
		{"HR admin's e-mail", "HR1", privilegedJSON("HR1", "attacker@evil.example", "Hana", "Resources", "active"), "email"},
		{"HR admin's status", "HR2", privilegedJSON("HR2", "hr2@example.org", "Hugo", "Resources", "inactive"), "status"},
		{"manager's e-mail", "M1", privilegedJSON("M1", "bea@evil.example", "Bea", "Boss", "active"), "email"},
		{"manager's status", "M1", privilegedJSON("M1", "boss@example.org", "Bea", "Boss", "inactive"), "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fail apiErrorBody
			apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/"+tc.number, auth, tc.body), http.StatusForbidden, &fail)
			if !strings.Contains(fail.Error, "cannot change the e-mail address, role or status of a manager or HR admin") ||
				len(fail.Problems) != 1 || fail.Problems[0].Field != tc.field || fail.Problems[0].EmployeeID != tc.number || fail.Problems[0].Index != nil {
				t.Errorf("refusal = %+v", fail)
			}
		})
	}

	// A list: one allowed change and one refused: nothing is saved.
	learner := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	list := `{"employees":[` + privilegedJSON("L1", "ada@example.org", "Ada", "Lovelace", "active") + `,` +
		privilegedJSON("HR1", "attacker@evil.example", "Hana", "Resources", "active") + `]}`
	var fail apiErrorBody
	apiJSON(t, apiCall(t, env, "POST", "/api/v1/employees", auth, list), http.StatusForbidden, &fail)
	if len(fail.Problems) != 1 || fail.Problems[0].Index == nil || *fail.Problems[0].Index != 1 || fail.Problems[0].Field != "email" || fail.Problems[0].EmployeeID != "HR1" {
		t.Errorf("list refusal = %+v", fail)
	}
	if got := peopleReload(t, env, learner.ID); got.EmployeeNumber != nil {
		t.Errorf("the list was partly saved: Ada got number %q", *got.EmployeeNumber)
	}
	for _, e := range []*people.Employee{hr, other, boss} {
		got := peopleReload(t, env, e.ID)
		if got.Email != e.Email || got.Status != people.StatusActive || got.Role != e.Role {
			t.Errorf("%s changed to %s, %s, %s", e.Email, got.Email, got.Status, got.Role)
		}
	}
	if n := apiCountAudit(t, env); n != auditBefore {
		t.Errorf("%d audit entries for refused calls", n-auditBefore)
	}

	// A learner's address and status the token may change.
	var up apiUpsertBody
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/L1", auth, privilegedJSON("L1", "ada@example.org", "Ada", "Lovelace", "active")), http.StatusOK, &up)
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/L1", auth, privilegedJSON("L1", "ada.lovelace@example.org", "Ada", "Lovelace", "active")), http.StatusOK, &up)
	if up.Employee.Email != "ada.lovelace@example.org" {
		t.Errorf("learner's e-mail: %+v", up)
	}
	apiJSON(t, apiCall(t, env, "PUT", "/api/v1/employees/L1", auth, privilegedJSON("L1", "ada.lovelace@example.org", "Ada", "Lovelace", "inactive")), http.StatusOK, &up)
	if up.Result != "deactivated" {
		t.Errorf("learner's status: %+v", up)
	}
}

func apiCountAudit(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Model(&audit.Entry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserChangesPrivilegedAccountAudited: an HR admin in the browser
// can change another HR admin's sign-in address, and it is audited with
// the old and new address and who did it.
func TestBrowserChangesPrivilegedAccountAudited(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	other := env.CreateEmployee("hr2@example.org", "Hugo", "Resources", people.RoleHRAdmin, "")
	res := c.Get("/admin/people/" + other.ID + "/edit")
	mustStatus(t, res, http.StatusOK)
	form := url.Values{}
	learnerDoc(t, res).Find(`[data-testid=person-form] input`).Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		form.Set(name, value)
	})
	form.Set("role", string(people.RoleHRAdmin))
	form.Set("email", "hugo.resources@example.org")
	mustRedirect(t, c.Post("/admin/people/"+other.ID+"/edit", form), "/admin/people/"+other.ID+"?done=saved")
	if got := peopleReload(t, env, other.ID); got.Email != "hugo.resources@example.org" || got.Role != people.RoleHRAdmin {
		t.Errorf("saved %s (%s)", got.Email, got.Role)
	}
	entries := peopleAudit(t, env, audit.ActionUpdate)
	if len(entries) != 1 || entries[0].ActorID != hr.ID || entries[0].EntityID != other.ID ||
		!strings.Contains(entries[0].Details, `"old":"hr2@example.org"`) || !strings.Contains(entries[0].Details, `"new":"hugo.resources@example.org"`) {
		t.Errorf("audit entries for the change: %+v", entries)
	}
}
