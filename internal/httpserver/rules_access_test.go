package httpserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/jobs"
)

// Assignment rules, open cycles, extensions and exemptions are HR's alone:
// a learner or a manager is refused (403) on every route, an anonymous
// visitor is sent to sign in (303) or, for a form post, told to (401). HR's
// posts carry an empty form: a rule or a change with nothing filled in is
// refused with the form again (422); a preview panel always answers 200.
func init() {
	page := access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK, Token: http.StatusSeeOther}
	refusedForm := access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusUnprocessableEntity, Token: http.StatusUnauthorized}
	panel := access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK, Token: http.StatusUnauthorized}

	expectAccess("GET /admin/rules", page)
	expectAccess("GET /admin/rules/new", page)
	expectAccess("POST /admin/rules/new", refusedForm)
	expectAccess("POST /admin/rules/new/preview", panel)
	expectAccess("GET /admin/rules/:id/edit", page)
	expectAccess("POST /admin/rules/:id/edit", refusedForm)
	expectAccess("POST /admin/rules/:id/preview", panel)
	expectAccess("GET /admin/rules/changes/:id", page)
	expectAccess("GET /admin/cycles", page)
	expectAccess("GET /admin/cycles/extend", page)
	expectAccess("POST /admin/cycles/extend", refusedForm)
	expectAccess("GET /admin/cycles/exempt", page)
	expectAccess("POST /admin/cycles/exempt", refusedForm)

	// A rule's :id is the fixture course's own rule, which every
	// organisation has once the course is loaded.
	accessParamFor("/admin/rules/:id", ":id", func(*accessFixture) string { return compliance.CourseRuleID(accessCourse) })
	// A job's page: a finished change of the course rule, and a finished
	// staff import.
	accessSetupFor(func(t testing.TB, f *accessFixture) {
		at := time.Now().UTC()
		for _, j := range []jobs.Job{
			{ID: "access-rule-change", Kind: jobs.KindRuleChange, Title: "Everyone", Subject: compliance.CourseRuleID(accessCourse)},
			{ID: "access-staff-import", Kind: jobs.KindStaffImport, Title: "staff.csv"},
		} {
			j.Batches, j.Figures, j.StartedAt, j.UpdatedAt, j.FinishedAt = 1, "{}", at, at, &at
			if err := f.Env.App.DB.Create(&j).Error; err != nil {
				t.Fatal(err)
			}
		}
	})
	accessParamFor("/admin/rules/changes/:id", ":id", func(*accessFixture) string { return "access-rule-change" })
}
