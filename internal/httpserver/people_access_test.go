package httpserver_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/onramp-lms/onramp/internal/people"
)

// HR's people pages are for hr_admin only. The calls carry no data of their
// own (an empty form), so HR's form posts are refused as incomplete (422)
// and change nobody: a deactivation needs its confirmation box, an import
// the digest of the preview it applies (409 without it). Only the
// invitation goes ahead for HR: a new set-password link for the other
// learner, which touches no training record.
func init() {
	page := func(hr int) access {
		return access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: hr, Token: http.StatusSeeOther}
	}
	post := func(hr int) access {
		return access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: hr, Token: http.StatusUnauthorized}
	}
	expectAccess("GET /admin/people", page(http.StatusOK))
	expectAccess("GET /admin/people/new", page(http.StatusOK))
	expectAccess("POST /admin/people", post(http.StatusUnprocessableEntity))
	expectAccess("GET /admin/people/import", page(http.StatusOK))
	expectAccess("POST /admin/people/import", post(http.StatusUnprocessableEntity))
	expectAccess("GET /admin/people/import/:upload", page(http.StatusOK))
	expectAccess("POST /admin/people/import/:upload/apply", post(http.StatusConflict))
	expectAccess("POST /admin/people/import/:upload/discard", post(http.StatusSeeOther))
	expectAccess("GET /admin/people/imports/:id", page(http.StatusOK))
	expectAccess("GET /admin/people/:id", page(http.StatusOK))
	expectAccess("GET /admin/people/:id/edit", page(http.StatusOK))
	expectAccess("POST /admin/people/:id/edit", post(http.StatusUnprocessableEntity))
	expectAccess("GET /admin/people/:id/deactivate", page(http.StatusOK))
	expectAccess("POST /admin/people/:id/deactivate", post(http.StatusUnprocessableEntity))
	expectAccess("GET /admin/people/:id/reactivate", page(http.StatusOK))
	expectAccess("POST /admin/people/:id/reactivate", post(http.StatusUnprocessableEntity))
	expectAccess("POST /admin/people/:id/invite", post(http.StatusOK))
	// Bulk invitations: a learner or manager cannot send them; HR's empty
	// selection is refused.
	expectAccess("POST /admin/people/invitations", post(http.StatusUnprocessableEntity))

	// A kept staff file that would add one person, uploaded by HR.
	accessSetupFor(func(t testing.TB, f *accessFixture) {
		t.Helper()
		csv := "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n" +
			"E900,new.person@example.org,New,Person,Nursing,Registered Nurse,North,,2026-03-01\n"
		up, err := people.SaveStaffUpload(context.Background(), f.Env.App.DB, "staff.csv", []byte(csv), false, f.HR.ID, f.Env.Clock.Now())
		if err != nil {
			t.Fatalf("keep a staff file: %v", err)
		}
		f.Extra["staff-upload"] = up.ID
	})
	accessParamFor("/admin/people/import/:upload", ":upload", func(f *accessFixture) string { return f.Extra["staff-upload"] })
	// A finished staff import's page (its job is made in rules_access_test.go).
	accessParamFor("/admin/people/imports/:id", ":id", func(*accessFixture) string { return "access-staff-import" })
}
