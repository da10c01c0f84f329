package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// failQuizAllowed fails the fixture quiz until no attempt is left.
func failQuizAllowed(t *testing.T, env *apptest.Env, c *apptest.Client, n int) {
	t.Helper()
	for range n {
		attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
		doc := learnerDoc(t, c.Get(attemptURL))
		mustRedirect(t, c.Post(attemptURL, answers(t, env, doc, false)), attemptURL)
	}
}

func grantForm(extra, reason string) url.Values {
	return url.Values{"course": {"basic"}, "module": {"basics"}, "step": {"check"}, "extra": {extra}, "reason": {reason}}
}

func outboxKinds(t *testing.T, env *apptest.Env, kind notify.Kind) []notify.Entry {
	t.Helper()
	var rows []notify.Entry
	if err := env.App.DB.Where("kind = ?", string(kind)).Order("created_at").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestAnotherAttempt: three failed attempts leave the learner "Waiting for
// another attempt" on the dashboard and course page, HR is told once, the
// learner cannot grant themself more, a manager cannot outside the team,
// the manager of the team and HR can; each grant is audited and e-mailed,
// and the learner can try again.
func TestAnotherAttempt(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	hr, hrC := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	boss, bossC := newLearner(t, env, "boss@example.org", "Bo", "Boss", people.RoleManager)
	_, otherC := newLearner(t, env, "other@example.org", "Olga", "Other", people.RoleManager)
	emp, c := newLearner(t, env, "grace@example.org", "Grace", "Hopper", people.RoleLearner)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Updates(map[string]any{
		"manager_id": boss.ID, "job_title": "Registered Nurse", "department": "Nursing",
	}).Error; err != nil {
		t.Fatal(err)
	}
	assignBasic(t, env, emp)

	// Before: "Not started", not "In progress".
	if badge := learnerDoc(t, c.Get("/")).Find("[data-testid=status]").Text(); badge == "Waiting for another attempt" {
		t.Fatalf("waiting before any attempt")
	}
	failQuizAllowed(t, env, c, 3)

	for _, page := range []string{"/", "/courses/basic"} {
		doc := learnerDoc(t, c.Get(page))
		if got := strings.TrimSpace(doc.Find("[data-testid=status]").First().Text()); got != "Waiting for another attempt" {
			t.Errorf("%s: status %q, want Waiting for another attempt", page, got)
		}
		if got := doc.Find("[data-testid=course-action]").First().Text(); strings.Contains(got, "Continue") {
			t.Errorf("%s: still offers %q", page, got)
		}
	}
	used := outboxKinds(t, env, notify.KindAttemptsUsedUp)
	if len(used) != 1 || used[0].RecipientEmployeeID == nil || *used[0].RecipientEmployeeID != hr.ID || !strings.Contains(used[0].Subject, "Grace Hopper") {
		t.Fatalf("HR told %d times: %+v", len(used), used)
	}
	// Reloading pages tells HR nothing more.
	c.Get("/")
	if n := len(outboxKinds(t, env, notify.KindAttemptsUsedUp)); n != 1 {
		t.Errorf("HR told %d times after a reload", n)
	}

	// HR's person page shows who is stuck, with a grant form.
	doc := learnerDoc(t, hrC.Get("/admin/people/"+emp.ID))
	if doc.Find("[data-testid=stuck-attempts] [data-testid=grant-form]").Length() != 1 {
		t.Fatalf("HR's person page does not show the stuck quiz:\n%s", doc.Find("main").Text())
	}

	// The learner cannot grant themself attempts; another team's manager cannot either.
	mustStatus(t, c.Post("/people/"+emp.ID+"/attempts", grantForm("1", "please")), http.StatusForbidden)
	mustStatus(t, otherC.Post("/people/"+emp.ID+"/attempts", grantForm("1", "please")), http.StatusForbidden)
	if n := len(outboxKinds(t, env, notify.KindAttemptsGranted)); n != 0 {
		t.Fatalf("refused grants sent %d e-mails", n)
	}
	// A grant without a reason is refused, and the page opens at the problem.
	res := bossC.Post("/people/"+emp.ID+"/attempts", grantForm("1", "  "))
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc = learnerDoc(t, res)
	assertErrorSummary(t, doc)
	if !strings.Contains(doc.Find("#error-summary").Text(), "reason") {
		t.Errorf("the problem does not name the reason: %s", doc.Find("#error-summary").Text())
	}

	// The manager of the team sees the form on the progress page and grants one.
	doc = learnerDoc(t, bossC.Get("/people/"+emp.ID+"/progress"))
	if doc.Find("[data-testid=grant-form]").Length() != 1 {
		t.Fatal("the manager's view of the person has no grant form")
	}
	form := grantForm("1", "Talked it through after the shift")
	form.Set("back", "/people/"+emp.ID+"/progress")
	mustRedirect(t, bossC.Post("/people/"+emp.ID+"/attempts", form), "/people/"+emp.ID+"/progress?done=granted#main")

	granted := outboxKinds(t, env, notify.KindAttemptsGranted)
	if len(granted) != 1 || granted[0].RecipientEmployeeID == nil || *granted[0].RecipientEmployeeID != emp.ID {
		t.Fatalf("grant e-mails: %+v", granted)
	}
	entry := granted[0]
	if err := env.App.Notify.Renderer.RenderEntry(&entry); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(entry.TextBody, "Talked it through after the shift") || !strings.Contains(entry.TextBody, "Bo Boss") {
		t.Errorf("the e-mail does not say who and why:\n%s", entry.TextBody)
	}
	var trail []audit.Entry
	if err := env.App.DB.Where("action = ?", "grant_attempts").Find(&trail).Error; err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].ActorID != boss.ID || trail[0].EntityID != emp.ID || !strings.Contains(trail[0].Summary, "Talked it through") {
		t.Fatalf("audit trail: %+v", trail)
	}

	// The learner may try again, and is no longer waiting.
	if got := learnerDoc(t, c.Get("/")).Find("[data-testid=status]").First().Text(); got == "Waiting for another attempt" {
		t.Error("still waiting after the grant")
	}
	failQuizAllowed(t, env, c, 1)
	mustStatus(t, c.Post(basicStep+"check/quiz", nil), http.StatusConflict)
	// Out again: HR is told again (a new time they ran out), and HR grants.
	if n := len(outboxKinds(t, env, notify.KindAttemptsUsedUp)); n != 2 {
		t.Errorf("HR told %d times in all, want 2", n)
	}
	mustRedirect(t, hrC.Post("/people/"+emp.ID+"/attempts", grantForm("2", "New quiz wording")), "/admin/people/"+emp.ID+"?done=granted#main")
	var extra []learning.AttemptGrant
	env.App.DB.Where("employee_id = ?", emp.ID).Find(&extra)
	if len(extra) != 2 {
		t.Fatalf("grants stored: %d", len(extra))
	}
	if res := c.Post(basicStep+"check/quiz", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after HR's grant the quiz cannot be started: %d", res.StatusCode)
	}
}

// assertErrorSummary: a refused form's page has the summary the form's
// action points at (#error-summary), focusable and focused on load.
func assertErrorSummary(t *testing.T, doc *goquery.Document) {
	t.Helper()
	sum := doc.Find("#error-summary")
	if sum.Length() != 1 {
		t.Fatal("no #error-summary on the refused form's page")
	}
	if v, _ := sum.Attr("tabindex"); v != "-1" {
		t.Errorf("error summary tabindex = %q", v)
	}
	if _, ok := sum.Attr("autofocus"); !ok {
		t.Error("error summary is not focused on load (autofocus)")
	}
	action, _ := doc.Find("form[method=post]").Last().Attr("action")
	if !strings.HasSuffix(action, "#error-summary") {
		t.Errorf("the form posts to %q: a refusal would not open at the summary", action)
	}
}

// TestCertificateAttemptsByModuleInTimeOrder: the certificate's evidence
// names each quiz attempt by its module, in the order they were taken,
// and the person's job and department without a stray space.
func TestCertificateAttemptsByModuleInTimeOrder(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Updates(map[string]any{"job_title": "Registered Nurse", "department": "Nursing"}).Error; err != nil {
		t.Fatal(err)
	}
	emp.JobTitle, emp.Department = "Registered Nurse", "Nursing"
	assignBasic(t, env, emp)
	auditJourney(t, env, c, "ada lovelace")
	certURL := learnerDoc(t, c.Get("/courses/basic/finished")).Find("[data-testid=certificate-link]").AttrOr("href", "")
	doc := learnerDoc(t, c.Get(certURL))
	// "Registered Nurse, Nursing", without a space before the comma.
	if got := doc.Find("[data-testid=role]").Text(); got != "Registered Nurse, Nursing" {
		t.Errorf("certificate role %q", got)
	}
	rows := doc.Find("[data-testid=evidence-attempts] tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d attempts on the certificate, want 2", rows.Length())
	}
	m := basicCourse(t, env).Module("basics")
	want := m.Title + ": " + m.Step("check").Title
	for i, wantNo := range []string{"1", "2"} {
		cells := rows.Eq(i).Find("td")
		if got := strings.TrimSpace(cells.Eq(0).Text()); got != want {
			t.Errorf("row %d quiz %q, want %q", i, got, want)
		}
		if got := strings.TrimSpace(cells.Eq(1).Text()); got != wantNo {
			t.Errorf("row %d attempt %q, want %s", i, got, wantNo)
		}
	}
}
