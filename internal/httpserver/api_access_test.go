package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/people"
)

// The API answers bearer tokens only: a session, even HR's, gets 401. The
// access tests' token holds every scope. The tokens pages are HR's.
func init() {
	api := func(token int) access {
		return access{
			Anonymous: http.StatusUnauthorized, Learner: http.StatusUnauthorized, Manager: http.StatusUnauthorized,
			HRAdmin: http.StatusUnauthorized, Token: token,
		}
	}
	// The description holds no data: anyone may read it.
	expectAccess("GET /api/v1/openapi.yaml", access{
		Anonymous: http.StatusOK, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK, Token: http.StatusOK,
	})
	// The upserts send the employee the setup made, unchanged: 200.
	expectAccess("PUT /api/v1/employees/:employee_id", api(http.StatusOK))
	expectAccess("POST /api/v1/employees", api(http.StatusOK))
	expectAccess("GET /api/v1/assignments", api(http.StatusOK))
	expectAccess("GET /api/v1/completions", api(http.StatusOK))
	expectAccess("GET /api/v1/reports/:name", api(http.StatusOK))
	// The setup's employee has no course to grant attempts in: 422.
	expectAccess("POST /api/v1/employees/:employee_id/attempts", api(http.StatusUnprocessableEntity))

	expectAccess("GET /admin/tokens", access{
		Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusSeeOther,
	})
	expectAccess("POST /admin/tokens", access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusUnauthorized,
	})
	expectAccess("POST /admin/tokens/:id/revoke", access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusSeeOther,
		Token: http.StatusUnauthorized,
	})

	accessAPIToken = func(t testing.TB, f *accessFixture) string {
		t.Helper()
		if secret := f.Extra["api-token"]; secret != "" {
			return secret
		}
		var all []apitoken.Scope
		for _, s := range apitoken.Scopes {
			if s.Scope != apitoken.ScopeSCIM { // a scim token stands alone
				all = append(all, s.Scope)
			}
		}
		_, secret, err := (&apitoken.Store{DB: f.Env.App.DB}).Create(context.Background(),
			apitoken.NewToken{Name: "access test", Scopes: all}, apitoken.Actor{Name: "the access test"}, f.Env.Clock.Now())
		if err != nil {
			t.Fatalf("create the access test's API token: %v", err)
		}
		f.Extra["api-token"] = secret
		return secret
	}
	accessSetupFor(func(t testing.TB, f *accessFixture) {
		t.Helper()
		// An employee with an HR ID, for the upserts (which send them unchanged).
		number := apiAccessEmployeeID
		hired := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
		emp := &people.Employee{
			EmployeeNumber: &number, Email: "api.access@example.org", FirstName: "Api", LastName: "Access",
			Department: "Nursing", JobTitle: "Registered Nurse", Location: "Main", HireDate: &hired,
		}
		if err := f.Env.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, emp, f.Env.Clock.Now()) }); err != nil {
			t.Fatalf("create the API's employee: %v", err)
		}
		// A token for HR to revoke (not the one the token caller uses).
		tok, _, err := (&apitoken.Store{DB: f.Env.App.DB}).Create(context.Background(),
			apitoken.NewToken{Name: "to revoke", Scopes: []apitoken.Scope{apitoken.ScopeAssignmentsRead}},
			apitoken.Actor{Name: "the access test"}, f.Env.Clock.Now())
		if err != nil {
			t.Fatalf("create a token to revoke: %v", err)
		}
		f.Extra["revoke-token"] = tok.ID
	})
	accessParamFor("/api/v1/employees/:employee_id", ":employee_id", func(*accessFixture) string { return apiAccessEmployeeID })
	accessParamFor("/admin/tokens/:id", ":id", func(f *accessFixture) string { return f.Extra["revoke-token"] })
	accessParamFor("/api/v1/reports/:name", ":name", func(*accessFixture) string { return "status" })
	accessBodyFor("PUT /api/v1/employees/:employee_id", func(*accessFixture) accessBody {
		return accessBody{"application/json", apiAccessEmployeeJSON}
	})
	accessBodyFor("POST /api/v1/employees/:employee_id/attempts", func(*accessFixture) accessBody {
		return accessBody{"application/json", `{"course":"basic","quiz":"basics","extra":1,"reason":"the access test"}`}
	})
	accessBodyFor("POST /api/v1/employees", func(*accessFixture) accessBody {
		return accessBody{"application/json", `{"employees":[` + apiAccessEmployeeJSON + `]}`}
	})
	accessBodyFor("POST /admin/tokens", func(*accessFixture) accessBody {
		return accessBody{"application/x-www-form-urlencoded", url.Values{"name": {"created by the access test"}, "scope": {"completions:read"}}.Encode()}
	})
}

const apiAccessEmployeeID = "ACCESS-API-1"

// apiAccessEmployeeJSON is the setup's employee exactly as stored.
const apiAccessEmployeeJSON = `{"employee_id":"ACCESS-API-1","email":"api.access@example.org","first_name":"Api","last_name":"Access",` +
	`"department":"Nursing","job_title":"Registered Nurse","location":"Main","manager_email":"","hire_date":"2025-01-06"}`
