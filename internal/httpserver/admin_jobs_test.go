package httpserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
)

// jobPoll fetches a job's status region as app.js does.
func jobPoll(t *testing.T, c *apptest.Client, path string) string {
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
	env.App.Server.JobWait = -1
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

	doc = followJob(t, hr, page)
	if got := doc.Find(`[data-testid="job-result"]`).Text(); !strings.Contains(got, "Saved the rule “Everyone, every year”: 0 people assigned, 3 people no longer required.") {
		t.Fatalf("result %q", got)
	}
	if h1 := doc.Find("h1").Text(); !strings.Contains(h1, "Everyone, every year") {
		t.Fatalf("heading %q", h1)
	}
	if n := rulesCounts(t, env)["active assignments"]; n != 0 {
		t.Fatalf("%d assignments still active after the change finished", n)
	}
	a, err := (&jobs.Store{DB: env.App.DB}).Get(ctx, jobs.KindRuleChange, strings.TrimPrefix(page, "/admin/rules/changes/"))
	if err != nil {
		t.Fatal(err)
	}
	var f compliance.RuleFigures
	if err := a.FiguresInto(&f); err != nil || a.FinishedAt == nil || a.Error != "" || a.Batches < 1 || f.Closed != 3 || a.Done != a.Total || a.Subject != courseRule || a.ActorName != "Hana Resources" {
		t.Fatalf("the change's job: %+v %+v %v", a, f, err)
	}
	// The same job is not a staff import.
	mustStatus(t, hr.Get("/admin/people/imports/"+a.ID), http.StatusNotFound)
	var audits int64
	if err := env.App.DB.Table("audit_log").Where("entity_type = 'rule' AND entity_id = ?", courseRule).Count(&audits).Error; err != nil || audits == 0 {
		t.Fatalf("no audit entry for the rule (%v)", err)
	}
	// Done: the rules page lists nothing as being applied.
	if doc := learnerDoc(t, hr.Get("/admin/rules")); doc.Find(`[data-testid="jobs-running"]`).Length() != 0 {
		t.Fatal("the rules page still lists the finished change")
	}
}

// followJob polls a job's status region, as app.js does, until the job is
// no longer running, then reads its whole page: the region of a running
// job asks to be polled, a finished one's does not.
func followJob(t *testing.T, c *apptest.Client, page string) *goquery.Document {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		frag := jobPoll(t, c, page)
		if strings.Contains(frag, "<html") || !strings.Contains(frag, `data-testid="job-status"`) {
			t.Fatalf("the poll answer is not the status region:\n%s", frag)
		}
		if !strings.Contains(frag, `data-state="running"`) {
			break
		}
		if !strings.Contains(frag, `data-poll="`+page+`"`) {
			t.Fatalf("a running job's region does not ask to be polled:\n%s", frag)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running after 30 s:\n%s", frag)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res := c.Get(page)
	mustStatus(t, res, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a job's page may be cached: Cache-Control %q", cc)
	}
	doc := learnerDoc(t, res)
	status := doc.Find(`[data-testid="job-status"]`)
	if state, _ := status.Attr("data-state"); state != "done" {
		t.Fatalf("state %q:\n%s", state, status.Text())
	}
	if _, polls := status.Attr("data-poll"); polls {
		t.Fatal("a finished job still asks to be polled")
	}
	return doc
}

// A staff file applied when the import takes longer than the page waits
// (here it never waits) sends HR to the import's page, which follows it to
// the end: the same figures as the page of an import done at once, the
// people written, the upload claimed, the import in the audit trail. While
// an import runs, the people pages list it.
func TestStaffImportFollowedInTheBackground(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	env.App.Server.JobWait = -1
	ctx := context.Background()
	st := previewStaff(t, c, staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,",
		"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,",
	), false)
	page := location(t, applyStaff(t, c, st))
	if !strings.HasPrefix(page, "/admin/people/imports/") {
		t.Fatalf("an import that did not finish in time went to %q, want its page", page)
	}
	doc := followJob(t, c, page)
	if h1 := doc.Find("h1").Text(); h1 != "Importing “staff.csv”" {
		t.Fatalf("heading %q", h1)
	}
	want := "Imported staff.csv: 3 added, 0 changed, 0 deactivated, 0 reactivated, 0 unchanged. The assignment rules were applied to everyone the import touched: 3 courses assigned, 0 closed."
	if got := doc.Find(`[data-testid="job-result"]`).Text(); !strings.Contains(got, want) {
		t.Fatalf("result %q, want %q", got, want)
	}
	staff := staffState(t, env)
	for _, email := range []string{"dana@example.org", "mo@example.org", "nia@example.org"} {
		if _, ok := staff[email]; !ok {
			t.Errorf("%s was not written", email)
		}
	}
	j, err := (&jobs.Store{DB: env.App.DB}).Get(ctx, jobs.KindStaffImport, strings.TrimPrefix(page, "/admin/people/imports/"))
	if err != nil {
		t.Fatal(err)
	}
	var f people.ImportFigures
	if err := j.FiguresInto(&f); err != nil || j.Total != 3 || j.Done != 3 || j.Batches < 3 || f.Added != 3 || f.Assigned != 3 || j.Title != "staff.csv" {
		t.Fatalf("the import's job: %+v %+v %v", j, f, err)
	}
	var imports int64
	env.App.DB.Table("audit_log").Where("action = ? AND entity_type = 'employee'", audit.ActionImport).Count(&imports)
	if imports != 1 {
		t.Fatalf("%d imports in the audit trail, want 1", imports)
	}
	// Applying the same preview again: the upload was claimed.
	mustStatus(t, applyStaff(t, c, st), http.StatusNotFound)
	mustStatus(t, c.Get("/admin/rules/changes/"+j.ID), http.StatusNotFound)

	// An import under way is listed on the people pages.
	now := time.Now().UTC()
	running := jobs.Job{ID: "importing", Kind: jobs.KindStaffImport, Title: "nightly.csv", Batches: 40, Total: 100000, Done: 8000,
		Figures: "{}", StartedAt: now, UpdatedAt: now}
	if err := env.App.DB.Create(&running).Error; err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/people", "/admin/people/import"} {
		list := learnerDoc(t, c.Get(path)).Find(`[data-testid="jobs-running"]`)
		if !strings.Contains(list.Text(), "“nightly.csv”: 8,000 of 100,000 people.") {
			t.Errorf("%s lists %q", path, list.Text())
		}
		if href, _ := list.Find("a").Attr("href"); href != "/admin/people/imports/importing" {
			t.Errorf("%s links to %q", path, href)
		}
	}
}

// Each state of a job, on its page and its section's: one running is
// listed with how far it is; one whose process stopped between batches (no
// batch for two minutes) is not listed, and its page says what stands and
// what to do; one that failed before its first batch says nothing was
// saved and links back to the form; one that failed part-way says how far
// it got. What went wrong takes the focus. Unknown jobs are 404.
func TestJobStates(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	now := time.Now().UTC()
	rule := func(id, title, subject string, batches, total, done int, figures, problem string, updated time.Time, finished *time.Time) jobs.Job {
		return jobs.Job{ID: id, Kind: jobs.KindRuleChange, Title: title, Subject: subject, Batches: batches, Total: total, Done: done,
			Figures: figures, Error: problem, StartedAt: now.Add(-10 * time.Minute), UpdatedAt: updated, FinishedAt: finished}
	}
	rows := []jobs.Job{
		rule("running", "Nursing <every> year", "r1", 12, 100000, 42000, "{}", "", now, nil),
		rule("stopped", "Porters", "r2", 3, 9000, 1500, "{}", "", now.Add(-3*time.Minute), nil),
		rule("failed", "New pharmacy rule", "", 0, 0, 0, "{}", "The scheduler is applying other changes right now, so the rule was not saved. Try again in a minute.", now, &now),
		rule("partly", "Estates", "r3", 2, 5000, 2000, `{"assigned":2000}`, "Something went wrong on the server; the error is in its log.", now, &now),
	}
	for i := range rows {
		if err := env.App.DB.Create(&rows[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	doc := learnerDoc(t, hr.Get("/admin/rules"))
	running := doc.Find(`[data-testid="jobs-running"]`)
	if running.Find("li").Length() != 1 || !strings.Contains(running.Text(), "“Nursing <every> year”: 42,000 of 100,000 people.") {
		t.Fatalf("under way: %q", running.Text())
	}
	if href, _ := running.Find("a").Attr("href"); href != "/admin/rules/changes/running" {
		t.Fatalf("link %q", href)
	}
	if doc.Find(`progress`).Length() != 0 {
		t.Error("the rules page shows a progress bar")
	}
	// A staff import's page does not list rule changes.
	if learnerDoc(t, hr.Get("/admin/people")).Find(`[data-testid="jobs-running"]`).Length() != 0 {
		t.Error("the people page lists a rule change")
	}

	want := map[string][]string{
		"running": {"42,000 of 100,000", "42%", "You can leave this page"},
		"stopped": {"after 1,500 of 9,000", "The rule is saved as it is; the next scheduler pass applies it to the others."},
		"failed":  {"The rule was not saved", "Try again in a minute."},
		"partly":  {"The rule was saved, but not yet applied to everyone", "It reached 2,000 of 5,000", "the next scheduler pass applies it to the others", "So far: 2000 people assigned"},
	}
	for id, texts := range want {
		res := hr.Get("/admin/rules/changes/" + id)
		mustStatus(t, res, http.StatusOK)
		doc := learnerDoc(t, res)
		status := doc.Find(`[data-testid="job-status"]`)
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
		// What went wrong takes the focus, so it is read out and in view.
		if wrong := status.Find(`.error-summary[autofocus]`).Length() == 1; wrong != (id != "running") {
			t.Errorf("%s: a focused error summary: %v", id, wrong)
		}
		if id == "failed" && status.Find(`a[href="/admin/rules/new"]`).Length() == 0 {
			t.Errorf("failed: no link back to the new-rule form")
		}
	}
	mustStatus(t, hr.Get("/admin/rules/changes/nothing-here"), http.StatusNotFound)
}
