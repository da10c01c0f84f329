package httpserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
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
	// A rule change's progress page: a finished change of the course rule.
	accessSetupFor(func(t testing.TB, f *accessFixture) {
		at := time.Now().UTC()
		a := compliance.RuleApplication{ID: "access-rule-change", RuleID: compliance.CourseRuleID(accessCourse), RuleName: "Everyone",
			Batches: 1, StartedAt: at, UpdatedAt: at, FinishedAt: &at}
		if err := f.Env.App.DB.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
	})
	accessParamFor("/admin/rules/changes/:id", ":id", func(*accessFixture) string { return "access-rule-change" })
}
