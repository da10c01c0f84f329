package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestRefusedFormsOpenAtTheErrorSummary: after a refused signature, rule,
// staff import, extension or exemption, the page has #error-summary,
// focusable and focused on load, and the form posts to #error-summary, so
// the page opens there at any width, without JavaScript too. A signature
// typed with stray spaces and another case is accepted.
func TestRefusedFormsOpenAtTheErrorSummary(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	ada, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	cy := assignBasic(t, env, ada)

	cases := []struct {
		name string
		res  *apptest.Response
	}{
		{"rule", hr.Post("/admin/rules/new", url.Values{"name": {" "}, "who": {"everyone"}, "due_days": {"soon"}, "action": {"save"}})},
		{"import", uploadStaff(t, hr, "hr-export.csv", staffCSV("E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,,2018-31-03,"), false)},
		{"extend", hr.Post("/admin/cycles/extend", url.Values{"cycle": {cy.ID}, "due": {"2026-05-15"}, "reason": {" "}})},
		{"exempt", hr.Post("/admin/cycles/exempt", url.Values{"cycle": {cy.ID}, "reason": {" "}})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustStatus(t, tc.res, http.StatusUnprocessableEntity)
			assertErrorSummary(t, learnerDoc(t, tc.res))
		})
	}

	// The signature: the steps before it done, then a mistyped name.
	bob, bc := newLearner(t, env, "bob@example.org", "Bob", "van der Berg", people.RoleLearner)
	assignBasic(t, env, bob)
	mustStatus(t, bc.Post(basicStep+"welcome/done", nil), http.StatusSeeOther)
	mustStatus(t, bc.Post(basicStep+"scenario/done", nil), http.StatusSeeOther)
	attemptURL := location(t, bc.Post(basicStep+"check/quiz", nil))
	mustRedirect(t, bc.Post(attemptURL, answers(t, env, learnerDoc(t, bc.Get(attemptURL)), true)), attemptURL)
	// The quiz form opens its result at the summary.
	if a := learnerDoc(t, c.Get(location(t, c.Post(basicStep+"check/quiz", nil)))).Find("[data-testid=quiz-form]").AttrOr("action", ""); !strings.HasSuffix(a, "#quiz-summary") {
		t.Errorf("quiz form action %q", a)
	}
	res0 := bc.Get(attemptURL)
	if sum := learnerDoc(t, res0).Find("#quiz-summary"); sum.AttrOr("tabindex", "") != "-1" || sum.Length() != 1 {
		t.Error("the quiz result has no focusable #quiz-summary")
	}
	mustStatus(t, bc.Get(videoStep), http.StatusOK)
	watchHonestly(t, env, bc, basicCourse(t, env).Module("video").Step("watch").Video.DurationSeconds)
	res := bc.Post(policyStep+"/acknowledge", url.Values{"agree": {"yes"}, "full_name": {"Bob van der Burg"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc := learnerDoc(t, res)
	assertErrorSummary(t, doc)
	if !strings.Contains(doc.Find("#error-summary").Text(), "doesn't match") {
		t.Errorf("summary: %q", doc.Find("#error-summary").Text())
	}
	res = bc.Post(policyStep+"/acknowledge", url.Values{"agree": {"yes"}, "full_name": {"  BOB   van DER   berg "}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a name with extra spaces and other case was refused: %d", res.StatusCode)
	}
}
