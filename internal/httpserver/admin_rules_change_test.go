package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// ruleChangePoll fetches a rule change's status region as app.js does.
func ruleChangePoll(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base.String()+path, nil)
	req.Header.Set("X-Onramp-Poll", "1")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("poll %s: %d\n%s", path, res.StatusCode, b)
	}
	return string(b)
}

// A rule saved when the change takes longer than the save waits (here it
// never waits) sends HR to the change's page, which follows it to the end:
// what it did, in the same words as a save that finished at once, with
// the rule applied and the audit entry written. The page's status region
// alone is what app.js polls.
func TestRuleSaveFollowedInTheBackground(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.App.Server.RuleSaveWait = -1
	ctx := context.Background()
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	hired := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rulesStaff(t, env, "pia@example.org", "Pia", "Pills", "Pharmacy", "Pharmacist", hired)
	rulesStaff(t, env, "nina@example.org", "Nina", "Nurse", "Nursing", "Nurse", hired)
	if _, err := env.App.Engine.Evaluate(ctx, env.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	courseRule := compliance.CourseRuleID("basic")
	edit := "/admin/rules/" + courseRule + "/edit"
	// Deactivate the course rule, as TestRulePreviewThenSave does.
	form := url.Values{
		"name": {"Everyone, every year"}, "who": {"everyone"}, "due_days": {"30"}, "due_from": {"hire"},
		"every_months": {"12"}, "window_days": {"60"}, "base": {"expiry"}, "example_hire": {"2026-03-02"},
	}
	form.Set("action", "preview")
	doc := learnerDoc(t, hr.Post(edit, form))
	previewed, _ := doc.Find(`input[name=previewed]`).Attr("value")
	if previewed == "" {
		t.Fatalf("no preview:\n%s", doc.Text())
	}
	form.Set("action", "save")
	form.Set("previewed", previewed)
	page := location(t, hr.Post(edit, form))
	if !strings.HasPrefix(page, "/admin/rules/changes/") {
		t.Fatalf("a save that did not finish in time went to %q, want the change's page", page)
	}

	var state string
	deadline := time.Now().Add(30 * time.Second)
	for {
		frag := ruleChangePoll(t, hr, page)
		if strings.Contains(frag, "<html") || !strings.Contains(frag, `data-testid="rule-change-status"`) {
			t.Fatalf("the poll answer is not the status region:\n%s", frag)
		}
		if !strings.Contains(frag, `data-state="running"`) {
			break
		}
		if !strings.Contains(frag, `data-poll="`+page+`"`) {
			t.Fatalf("a running change's region does not ask to be polled:\n%s", frag)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running after 30 s:\n%s", frag)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res := hr.Get(page)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	status := doc.Find(`[data-testid="rule-change-status"]`)
	if state, _ = status.Attr("data-state"); state != "done" {
		t.Fatalf("state %q:\n%s", state, status.Text())
	}
	if _, polls := status.Attr("data-poll"); polls {
		t.Fatal("a finished change still asks to be polled")
	}
	if got := doc.Find(`[data-testid="rule-change-result"]`).Text(); !strings.Contains(got, "Saved the rule “Everyone, every year”: 0 people assigned, 3 people no longer required.") {
		t.Fatalf("result %q", got)
	}
	if h1 := doc.Find("h1").Text(); !strings.Contains(h1, "Everyone, every year") {
		t.Fatalf("heading %q", h1)
	}
	if n := rulesCounts(t, env)["active assignments"]; n != 0 {
		t.Fatalf("%d assignments still active after the change finished", n)
	}
	var a compliance.RuleApplication
	if err := env.App.DB.Where("id = ?", strings.TrimPrefix(page, "/admin/rules/changes/")).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	if a.FinishedAt == nil || a.Error != "" || a.Batches < 1 || a.Closed != 3 || a.Done != a.People || a.RuleID != courseRule || a.ActorName != "Hana Resources" {
		t.Fatalf("the change's row: %+v", a)
	}
	var audits int64
	if err := env.App.DB.Table("audit_log").Where("entity_type = 'rule' AND entity_id = ?", courseRule).Count(&audits).Error; err != nil || audits == 0 {
		t.Fatalf("no audit entry for the rule (%v)", err)
	}
	// Done: the rules page lists nothing as being applied.
	if doc := learnerDoc(t, hr.Get("/admin/rules")); doc.Find(`[data-testid="rules-running"]`).Length() != 0 {
		t.Fatal("the rules page still lists the finished change")
	}
}

// The rules page lists the changes still being applied, with how far they
// are; a change whose process stopped between batches (no batch for two
// minutes) is not listed, and its page says the rule stands and the next
// pass applies it; a change that failed before its first batch says the
// rule was not saved and links back to the form. Unknown changes are 404.
func TestRuleChangeStates(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	now := time.Now().UTC()
	rows := []compliance.RuleApplication{
		{ID: "running", RuleID: "r1", RuleName: "Nursing <every> year", Batches: 12, People: 100000, Done: 42000, StartedAt: now.Add(-time.Minute), UpdatedAt: now},
		{ID: "stopped", RuleID: "r2", RuleName: "Porters", Batches: 3, People: 9000, Done: 1500, StartedAt: now.Add(-10 * time.Minute), UpdatedAt: now.Add(-3 * time.Minute)},
		{ID: "failed", RuleName: "New pharmacy rule", NewRule: true, Error: "The scheduler is applying other changes right now, so the rule was not saved. Try again in a minute.", StartedAt: now, UpdatedAt: now, FinishedAt: &now},
		{ID: "partly", RuleID: "r3", RuleName: "Estates", Batches: 2, People: 5000, Done: 2000, Assigned: 2000, Error: "Something went wrong on the server; the error is in its log.", StartedAt: now, UpdatedAt: now, FinishedAt: &now},
	}
	for i := range rows {
		if err := env.App.DB.Create(&rows[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	doc := learnerDoc(t, hr.Get("/admin/rules"))
	running := doc.Find(`[data-testid="rules-running"]`)
	if running.Find("li").Length() != 1 || !strings.Contains(running.Text(), "“Nursing <every> year”: 42,000 of 100,000 people.") {
		t.Fatalf("being applied: %q", running.Text())
	}
	if href, _ := running.Find("a").Attr("href"); href != "/admin/rules/changes/running" {
		t.Fatalf("link %q", href)
	}

	want := map[string][]string{
		"running": {"42,000 of 100,000", "42%", "You can leave this page"},
		"stopped": {"after 1,500 of the 9,000 people", "The rule is saved as it is; the next scheduler pass applies it to the others."},
		"failed":  {"The rule was not saved", "Try again in a minute."},
		"partly":  {"The rule was saved, but not yet applied to everyone", "It reached 2,000 of the 5,000 people", "the next scheduler pass applies it to the others", "So far: 2000 people assigned"},
	}
	for id, texts := range want {
		res := hr.Get("/admin/rules/changes/" + id)
		mustStatus(t, res, http.StatusOK)
		doc := learnerDoc(t, res)
		status := doc.Find(`[data-testid="rule-change-status"]`)
		if state, _ := status.Attr("data-state"); state != id {
			t.Errorf("%s: state %q", id, state)
		}
		_, polls := status.Attr("data-poll")
		if polls != (id == "running") {
			t.Errorf("%s: polled %v", id, polls)
		}
		if role, _ := status.Attr("role"); role != "status" {
			t.Errorf("%s: the region's role is %q", id, role)
		}
		for _, s := range texts {
			if !strings.Contains(status.Text(), s) {
				t.Errorf("%s: the page lacks %q:\n%s", id, s, status.Text())
			}
		}
		if id == "failed" {
			if href, _ := status.Find(`a[href="/admin/rules/new"]`).Attr("href"); href == "" {
				t.Errorf("failed: no link back to the new-rule form")
			}
		}
	}
	if p := doc.Find(`progress`); p.Length() != 0 {
		t.Error("the rules page shows a progress bar")
	}
	mustStatus(t, hr.Get("/admin/rules/changes/nothing-here"), http.StatusNotFound)
}
