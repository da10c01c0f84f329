package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// rulesStaff adds an active employee without a password.
func rulesStaff(t *testing.T, env *apptest.Env, email, first, last, dept, title string, hired time.Time) *people.Employee {
	t.Helper()
	e := &people.Employee{Email: email, FirstName: first, LastName: last, Department: dept, JobTitle: title, HireDate: &hired}
	if err := env.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, env.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	return e
}

// rulesCounts counts the rows of every table a rule or a cycle change writes.
func rulesCounts(t *testing.T, env *apptest.Env) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"assignment_rules", "rule_matches", "assignments", "cycles", "outbox", "audit_log", "cycle_changes"} {
		var n int64
		if err := env.App.DB.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	var active int64
	env.App.DB.Model(&compliance.Assignment{}).Where("status = 'active'").Count(&active)
	out["active assignments"] = active
	return out
}

func rulesSameCounts(t *testing.T, what string, before, after map[string]int64) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed %s: %d rows, then %d", what, k, v, after[k])
		}
	}
}

// rulesActiveFor returns the names of the people with an active assignment
// through the rule.
func rulesActiveFor(t *testing.T, env *apptest.Env, ruleID string) []string {
	t.Helper()
	var names []string
	err := env.App.DB.Table("assignments a").Joins("JOIN employees e ON e.id = a.employee_id").
		Where("a.status = 'active' AND a.rule_id = ?", ruleID).Order("e.first_name").
		Pluck("e.first_name || ' ' || e.last_name", &names).Error
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// rulesSampleNames reads the people named in a preview table.
func rulesSampleNames(doc *goquery.Document, which string) []string {
	var names []string
	doc.Find(`[data-testid="rule-preview-` + which + `"] tbody th`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Contents().First().Text()))
	})
	slices.Sort(names)
	return names
}

// rulesWantAccessible checks what every rules and cycles page promises:
// each visible field has exactly one label, each form that posts carries the
// CSRF token (a GET form never does: it would end up in the address), no
// inline style or script, one h1.
func rulesWantAccessible(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("input, select, textarea").Each(func(_ int, in *goquery.Selection) {
		if typ, _ := in.Attr("type"); typ == "hidden" {
			return
		}
		id, _ := in.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("field %q (id %q) has no label", in.AttrOr("name", ""), id)
		}
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		post := strings.EqualFold(f.AttrOr("method", "get"), "post")
		if n := f.Find(`input[type=hidden][name=csrf_token]`).Length(); (post && n != 1) || (!post && n != 0) {
			t.Errorf("a %s form has %d csrf_token fields", f.AttrOr("method", "get"), n)
		}
	})
	if doc.Find("[style]").Length() > 0 || doc.Find("style").Length() > 0 {
		t.Error("inline style on the page (the CSP forbids it)")
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline script on the page (the CSP forbids it)")
		}
	})
	if n := doc.Find("h1").Length(); n != 1 {
		t.Errorf("the page has %d h1 headings, want 1", n)
	}
}

func rulesNewForm() url.Values {
	return url.Values{
		"name": {"Pharmacy, every year"}, "course": {"basic"}, "who": {"groups"}, "department": {"Pharmacy"},
		"due_days": {"14"}, "due_from": {"matched"}, "every_months": {"12"}, "window_days": {"30"}, "base": {"completion"},
		"active": {"yes"}, "example_hire": {"2026-03-02"},
	}
}

// HR deactivates the course file's rule and adds one for pharmacy, each
// time previewing first: the preview writes nothing, Save refuses to save a
// rule whose preview was not seen, and what is saved is what was previewed.
func TestRulePreviewThenSave(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	hrEmp, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	hired := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rulesStaff(t, env, "pia@example.org", "Pia", "Pills", "Pharmacy", "Pharmacist", hired)
	rulesStaff(t, env, "paul@example.org", "Paul", "Potions", "pharmacy", "Technician", hired)
	rulesStaff(t, env, "nina@example.org", "Nina", "Nurse", "Nursing", "Nurse", hired)
	if _, err := env.App.Engine.Evaluate(ctx, env.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	courseRule := compliance.CourseRuleID("basic")

	res := hr.Get("/admin/rules")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	row := doc.Find(`[data-testid="rule-` + courseRule + `"]`)
	if !strings.Contains(row.Text(), "Everyone") || !strings.Contains(row.Text(), "from the course file") || strings.TrimSpace(row.Find("td a").Text()) != "4" {
		t.Fatalf("the course rule's row: %q", row.Text())
	}

	// Deactivate the course rule: everyone would no longer be required.
	edit := "/admin/rules/" + courseRule + "/edit"
	res = hr.Get(edit)
	mustStatus(t, res, http.StatusOK)
	rulesWantAccessible(t, learnerDoc(t, res))
	form := url.Values{
		"name": {"Everyone, every year"}, "who": {"everyone"}, "due_days": {"30"}, "due_from": {"hire"},
		"every_months": {"12"}, "window_days": {"60"}, "base": {"expiry"}, "example_hire": {"2026-03-02"}, "action": {"preview"},
	}
	before := rulesCounts(t, env)
	res = hr.Post(edit, form)
	mustStatus(t, res, http.StatusOK)
	rulesSameCounts(t, "previewing", before, rulesCounts(t, env))
	doc = learnerDoc(t, res)
	summary := doc.Find(`[data-testid="rule-preview-summary"]`).Text()
	if !strings.Contains(summary, "assign 0 people") || !strings.Contains(summary, "4 people would no longer be required") {
		t.Fatalf("deactivation summary: %q", summary)
	}
	if got := rulesSampleNames(doc, "closed"); !slices.Equal(got, []string{"Hana Resources", "Nina Nurse", "Paul Potions", "Pia Pills"}) {
		t.Fatalf("no longer required: %v", got)
	}
	previewed, _ := doc.Find(`input[name=previewed]`).Attr("value")
	if previewed == "" {
		t.Fatal("the preview carries no fingerprint")
	}

	// Save without having seen this rule's preview: shown again, not saved.
	form.Set("action", "save")
	res = hr.Post(edit, form)
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(learnerDoc(t, res).Find(`[data-testid="rule-preview"]`).Text(), "Nothing has been saved yet") {
		t.Fatal("a blind save was not stopped with the preview")
	}
	rulesSameCounts(t, "a blind save", before, rulesCounts(t, env))
	// A preview of another rule does not count either.
	form.Set("previewed", previewed)
	form.Set("due_days", "31")
	mustStatus(t, hr.Post(edit, form), http.StatusOK)
	rulesSameCounts(t, "a save of a changed rule", before, rulesCounts(t, env))
	form.Set("due_days", "30")
	res = hr.Post(edit, form)
	mustRedirect(t, res, "/admin/rules")
	if n := rulesCounts(t, env)["active assignments"]; n != 0 {
		t.Fatalf("%d assignments still active after deactivating the only rule", n)
	}
	res = hr.Get("/admin/rules")
	if flash := learnerDoc(t, res).Find(".flash").Text(); !strings.Contains(flash, "0 people assigned, 4 people no longer required") {
		t.Fatalf("flash %q", flash)
	}
	var entry audit.Entry
	if err := env.App.DB.Where("entity_type = 'rule' AND action = ?", audit.ActionDeactivate).Take(&entry).Error; err != nil {
		t.Fatal(err)
	}
	if entry.ActorID != hrEmp.ID || entry.EntityID != courseRule {
		t.Fatalf("audit entry %+v", entry)
	}

	// A new rule for pharmacy, previewed without JavaScript, then with htmx.
	form = rulesNewForm()
	form.Set("action", "preview")
	before = rulesCounts(t, env)
	res = hr.Post("/admin/rules/new", form)
	mustStatus(t, res, http.StatusOK)
	rulesSameCounts(t, "previewing a new rule", before, rulesCounts(t, env))
	doc = learnerDoc(t, res)
	rulesWantAccessible(t, doc)
	summary = doc.Find(`[data-testid="rule-preview-summary"]`).Text()
	if !strings.Contains(summary, "assign 2 people") || !strings.Contains(summary, "first due date 16 March 2026") {
		t.Fatalf("new rule summary: %q", summary)
	}
	previewedNames := rulesSampleNames(doc, "assigned")
	if !slices.Equal(previewedNames, []string{"Paul Potions", "Pia Pills"}) {
		t.Fatalf("would assign %v", previewedNames)
	}
	timeline := doc.Find(`[data-testid="rule-timeline"]`).Text()
	for _, want := range []string{"2 March 2026", "First due", "16 March 2026", "Valid until", "6 March 2027", "Refresher opens", "4 February 2027"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, timeline)
		}
	}
	previewed, _ = doc.Find(`input[name=previewed]`).Attr("value")

	frag := hr.Post("/admin/rules/new/preview", form)
	mustStatus(t, frag, http.StatusOK)
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `data-testid="rule-preview"`) || !strings.Contains(frag.Body, `value="`+previewed+`"`) {
		t.Fatalf("the htmx fragment:\n%s", frag.Body)
	}
	rulesSameCounts(t, "an htmx preview", before, rulesCounts(t, env))

	form.Set("action", "save")
	form.Set("previewed", previewed)
	mustRedirect(t, hr.Post("/admin/rules/new", form), "/admin/rules")
	var rule compliance.Rule
	if err := env.App.DB.Where("name = ?", "Pharmacy, every year").Take(&rule).Error; err != nil {
		t.Fatal(err)
	}
	if rule.Source != "hr" || rule.DueDays != 14 || rule.Base != compliance.BaseCompletion || len(rule.Departments) != 1 || rule.Everyone {
		t.Fatalf("saved rule %+v", rule)
	}
	if got := rulesActiveFor(t, env, rule.ID); !slices.Equal(got, previewedNames) {
		t.Fatalf("saved assigned %v, preview said %v", got, previewedNames)
	}
	after := rulesCounts(t, env)
	if after["outbox"] != before["outbox"]+2 || after["audit_log"] != before["audit_log"]+1 {
		t.Fatalf("save wrote %d messages and %d audit entries, want 2 and 1", after["outbox"]-before["outbox"], after["audit_log"]-before["audit_log"])
	}
}

// Saving a rule while a scheduler pass plans (a rule change takes the same
// lock) waits for it; when the pass keeps it too long, HR gets the form back
// as filled in (409) with a message saying to try again, and nothing is
// saved. Saving again once the pass is done works.
func TestRuleSaveWhileTheSchedulerPlans(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.App.Engine.PlanningWait = 200 * time.Millisecond
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	edit := "/admin/rules/" + compliance.CourseRuleID("basic") + "/edit"
	form := url.Values{
		"name": {"Everyone, every year"}, "who": {"everyone"}, "due_days": {"45"}, "due_from": {"hire"},
		"every_months": {"12"}, "window_days": {"60"}, "base": {"expiry"}, "example_hire": {"2026-03-02"}, "action": {"preview"},
	}
	res := hr.Post(edit, form)
	mustStatus(t, res, http.StatusOK)
	previewed, _ := learnerDoc(t, res).Find(`input[name=previewed]`).Attr("value")
	form.Set("previewed", previewed)
	form.Set("action", "save")

	release, ok, err := env.App.DB.TryAdvisoryLock(context.Background(), compliance.PlanningLock)
	if err != nil || !ok {
		t.Fatalf("take the planning lock: %v %v", ok, err)
	}
	res = hr.Post(edit, form)
	mustStatus(t, res, http.StatusConflict)
	doc := learnerDoc(t, res)
	rulesWantAccessible(t, doc)
	if summary := doc.Find(`[data-testid="error-summary"]`).Text(); !strings.Contains(summary, "Try again in a minute") {
		t.Fatalf("the error summary: %q", summary)
	}
	if doc.Find("#due-days").AttrOr("value", "") != "45" {
		t.Error("the form lost what was typed")
	}
	if r, err := env.App.Cycles.Rule(context.Background(), compliance.CourseRuleID("basic")); err != nil || r.DueDays == 45 {
		t.Fatalf("the refused save was saved: %+v %v", r, err)
	}
	release()
	mustRedirect(t, hr.Post(edit, form), "/admin/rules")
	if r, err := env.App.Cycles.Rule(context.Background(), compliance.CourseRuleID("basic")); err != nil || r.DueDays != 45 {
		t.Fatalf("after the pass, the save did not happen: %+v %v", r, err)
	}
}

// A rule with mistakes comes back with every mistake listed and marked at
// its field (422), and nothing is written.
func TestRuleFormProblems(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	before := rulesCounts(t, env)
	form := url.Values{
		"name": {" "}, "who": {"groups"}, "due_days": {"soon"}, "due_from": {"hire"}, "every_months": {"12"},
		"window_days": {"400"}, "base": {"fixed"}, "fixed_month": {"2"}, "fixed_day": {"30"}, "action": {"save"},
	}
	res := hr.Post("/admin/rules/new", form)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc := learnerDoc(t, res)
	rulesWantAccessible(t, doc)
	var links []string
	doc.Find(`[data-testid="error-summary"] a`).Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	for _, want := range []string{"#due-days", "#name", "#course", "#who-everyone", "#fixed-month", "#window-days"} {
		if !slices.Contains(links, want) {
			t.Errorf("the error summary does not link to %s: %v", want, links)
		}
	}
	if v, _ := doc.Find("#due-days").Attr("aria-invalid"); v != "true" || doc.Find("#due-days").AttrOr("value", "") != "soon" {
		t.Error("the days field is not marked, or lost what was typed")
	}
	if doc.Find("#name-error").Length() != 1 || doc.Find("#window-days-error").Length() != 1 {
		t.Error("a field's error is not shown at the field")
	}
	// A course that does not exist is refused by the rule check itself.
	form = rulesNewForm()
	form.Set("course", "no-such-course")
	form.Set("action", "preview")
	res = hr.Post("/admin/rules/new", form)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if learnerDoc(t, res).Find("#course-error").Length() != 1 {
		t.Error("an unknown course is not marked at the course field")
	}
	// The htmx preview lists the problems in the panel, with a 200 so htmx shows it.
	res = hr.Post("/admin/rules/new/preview", form)
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, `data-testid="rule-preview-problems"`) || !strings.Contains(res.Body, `href="#course"`) {
		t.Fatalf("the fragment:\n%s", res.Body)
	}
	rulesSameCounts(t, "refused forms", before, rulesCounts(t, env))
	mustStatus(t, hr.Get("/admin/rules/no-such-rule/edit"), http.StatusNotFound)
}

// Only HR reaches the rule and cycle pages: learners and managers get 403
// everywhere; an anonymous visitor is sent to sign in, or refused a post.
func TestRulePagesAreForHROnly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, learner := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	_, manager := newLearner(t, env, "max@example.org", "Max", "Manager", people.RoleManager)
	anon := env.Client()
	rule := "/admin/rules/" + compliance.CourseRuleID("basic")
	gets := []string{"/admin/rules", "/admin/rules/new", rule + "/edit", "/admin/cycles", "/admin/cycles/extend", "/admin/cycles/exempt"}
	posts := []string{"/admin/rules/new", "/admin/rules/new/preview", rule + "/edit", rule + "/preview", "/admin/cycles/extend", "/admin/cycles/exempt"}
	before := rulesCounts(t, env)
	for _, c := range []*apptest.Client{learner, manager} {
		for _, p := range gets {
			mustStatus(t, c.Get(p), http.StatusForbidden)
		}
		for _, p := range posts {
			form := rulesNewForm()
			form.Set("action", "save")
			mustStatus(t, c.Post(p, form), http.StatusForbidden)
		}
	}
	for _, p := range gets {
		res := anon.Get(p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous GET %s: %d %s", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range posts {
		mustStatus(t, anon.Post(p, rulesNewForm()), http.StatusUnauthorized)
	}
	rulesSameCounts(t, "refused callers", before, rulesCounts(t, env))
}
