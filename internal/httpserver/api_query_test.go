package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestAPIRefusesBadQueryParameters: every query parameter of the API is
// checked; a bad, empty, repeated, unknown or inapplicable one is a 400 in
// the API's error format that says what is wrong, never a quietly wider or
// empty answer.
func TestAPIRefusesBadQueryParameters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	_, secret := apiToken(t, env, "Reader", apiAllScopes()...)
	auth := "Bearer " + secret

	for _, tc := range []struct{ path, says string }{
		{"/api/v1/reports/expiring?days=abc", "whole number of days from 1 to 366"},
		{"/api/v1/reports/expiring?days=0", "whole number of days from 1 to 366"},
		{"/api/v1/reports/expiring?days=367", "whole number of days from 1 to 366"},
		{"/api/v1/reports/expiring?days=", "days is empty"},
		{"/api/v1/reports/expiring?days=30&days=60", "days is given 2 times"},
		{"/api/v1/reports/overdue?days=30", "The overdue report does not use the days filter"},
		{"/api/v1/reports/completions?status=overdue", "The completions report does not use the status filter"},
		{"/api/v1/reports/overdue?status=late", "unknown status"},
		{"/api/v1/reports/overdue?course=nope", "There is no course “nope”; the courses are basic"},
		{"/api/v1/reports/overdue?manager=..%2Fx", "not an employee ID"},
		{"/api/v1/reports/overdue?department=%00", "control character"},
		{"/api/v1/reports/overdue?format=", "format is empty"},
		{"/api/v1/reports/overdue?format=xlsx", "format must be csv or json"},
		{"/api/v1/reports/overdue?dept=Nursing", "Unknown parameter “dept”"},
		{"/api/v1/assignments?limit=0", "limit must be a whole number"},
		{"/api/v1/assignments?limit=", "limit is empty"},
		{"/api/v1/assignments?limit=5&limit=6", "limit is given 2 times"},
		{"/api/v1/assignments?cursor=", "cursor is empty"},
		{"/api/v1/assignments?course=nope", "There is no course “nope”"},
		{"/api/v1/assignments?employee_id=E1%0A", "control character"},
		{"/api/v1/assignments?days=30", "Unknown parameter “days”: this call takes limit, cursor, course, employee_id"},
		{"/api/v1/completions?since=", "since is empty"},
		{"/api/v1/completions?since=2026-13-01", "since must be a day"},
		{"/api/v1/completions?since=2026-03-01&since=2027-01-01", "since is given 2 times"},
		{"/api/v1/completions?course=", "course is empty"},
		{"/api/v1/completions?status=completed", "Unknown parameter “status”"},
	} {
		var fail apiErrorBody
		apiJSON(t, apiCall(t, env, "GET", tc.path, auth, ""), http.StatusBadRequest, &fail)
		if !strings.Contains(fail.Error, tc.says) {
			t.Errorf("%s: %q, want it to say %q", tc.path, fail.Error, tc.says)
		}
	}
	// Good values still work.
	for _, path := range []string{
		"/api/v1/reports/expiring?days=60&course=basic&format=csv", "/api/v1/reports/overdue?status=overdue&department=Nursing",
		"/api/v1/assignments?limit=5&course=basic&employee_id=E1", "/api/v1/completions?since=2026-03-01&course=basic",
	} {
		if res := apiCall(t, env, "GET", path, auth, ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", path, res.StatusCode, res.Body)
		}
	}
}
