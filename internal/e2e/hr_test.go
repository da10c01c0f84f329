package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// hrStep is one part of HR's journey. Each starts from wherever the last
// one ended, by the HR sub-navigation, so a step can be added, removed or
// moved on its own.
type hrStep struct {
	name string
	run  func(tb *tab, s *site)
}

// hrJourney is HR's work in the order a person would do it.
var hrJourney = []hrStep{
	{"compliance dashboard", hrDashboard},
	{"staff import", hrStaffImport},
	{"assignment rule", hrRule},
	{"report download", hrReport},
	{"e-mail delivery log", hrOutbox},
}

// TestHRJourney: an HR admin signs in and goes through the HR workspace:
// the compliance dashboard, a staff import checked in its preview before it
// is applied, a new assignment rule checked in its preview before it is
// saved, a report downloaded, and the e-mail delivery log.
func TestHRJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		hr := s.addPerson(person{Email: "hana@hospital.test", First: "Hana", Last: "Okafor", Role: people.RoleHRAdmin, Department: "Human Resources", JobTitle: "HR Officer"})
		staff := []*people.Employee{
			s.addPerson(person{Email: "nina@hospital.test", First: "Nina", Last: "Patel", NoPassword: true}),
			s.addPerson(person{Email: "omar@hospital.test", First: "Omar", Last: "Haddad", NoPassword: true}),
			s.addPerson(person{Email: "lee@hospital.test", First: "Lee", Last: "Chen", NoPassword: true, Department: "Pharmacy", JobTitle: "Pharmacist"}),
		}
		s.runScheduler() // everyone, HR included, is assigned the course
		if _, err := s.App.Learning.CompleteCourse(context.Background(), staff[0], "basic"); err != nil {
			t.Fatalf("complete the course: %v", err)
		}
		s.runScheduler() // sends the completion e-mail, works out the figures
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/admin")
		signIn(tb, hr.Email)
		tb.expectPath("/admin")
		for _, step := range hrJourney {
			tb.at(step.name)
			step.run(tb, s)
		}
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}

// hrSection opens one HR section from the sub-navigation.
func hrSection(tb *tab, href, step string) {
	tb.t.Helper()
	tb.follow(`nav[aria-label="HR sections"] a[href="`+href+`"]`, step)
	tb.expectPath(href)
	if tb.attr(`nav[aria-label="HR sections"] a[href="`+href+`"]`, "aria-current") != "page" {
		tb.fatalf("the HR navigation does not mark %s as the current section", href)
	}
}

// hrDashboard: compliance at a glance.
func hrDashboard(tb *tab, s *site) {
	tb.t.Helper()
	hrSection(tb, "/admin", "compliance dashboard")
	tb.expectText("h1", "Compliance dashboard")
	if got := tb.text("main"); !strings.Contains(got, "4 active people") {
		tb.fatalf("the dashboard does not count 4 active people")
	}
	// Four assigned, one done.
	if got := tb.text("[data-testid=tile-compliant]"); !strings.Contains(got, "25%") {
		tb.fatalf("the compliant tile reads %q, want 25%%", got)
	}
	if got := tb.text("[data-testid=tile-overdue]"); !strings.Contains(got, "0") {
		tb.fatalf("the overdue tile reads %q", got)
	}
}

// staffCSV is the staff list as an HR system exports it: Nina promoted, two
// new starters.
const staffCSV = `employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date
E100,nina@hospital.test,Nina,Patel,Nursing,Charge Nurse,Main Hospital,,2026-03-02
E200,ravi@hospital.test,Ravi,Shah,Pharmacy,Pharmacist,Main Hospital,,2026-03-02
E201,mia@hospital.test,Mia,Jones,Nursing,Registered Nurse,Main Hospital,,2026-03-02
`

// hrStaffImport: upload the staff CSV, check the preview, apply it.
func hrStaffImport(tb *tab, s *site) {
	tb.t.Helper()
	hrSection(tb, "/admin/people", "people")
	tb.follow(`main a[href="/admin/people/import"]`, "staff import")
	tb.expectText("h1", "Import the staff list")
	file := filepath.Join(tb.t.TempDir(), "staff.csv")
	if err := os.WriteFile(file, []byte(staffCSV), 0o644); err != nil {
		tb.fatalf("write the staff file: %v", err)
	}
	tb.must("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	tb.follow(`[data-testid=import-form] button[type=submit]`, "staff import preview")

	if !strings.HasPrefix(tb.path(), "/admin/people/import/") {
		tb.fatalf("the upload did not lead to its preview")
	}
	tb.expectText("h1", "Preview: staff.csv")
	if n := tb.count("[data-testid=import-added] [data-testid=import-row]"); n != 2 {
		tb.fatalf("the preview adds %d people, want 2", n)
	}
	if n := tb.count("[data-testid=import-changed] [data-testid=import-row]"); n != 1 {
		tb.fatalf("the preview changes %d people, want 1", n)
	}
	if !strings.Contains(tb.text("[data-testid=import-changed]"), "Charge Nurse") {
		tb.fatalf("the preview does not show Nina's new job title")
	}
	// Nothing changes before Apply.
	if _, err := s.App.People.ByEmail(tb.ctx, "ravi@hospital.test"); err == nil {
		tb.fatalf("the preview already added Ravi")
	}
	tb.follow(`[data-testid=apply-form] button[type=submit]`, "staff import applied")
	if got := tb.text("[data-testid=import-applied]"); !strings.Contains(got, "2 added, 1 changed") {
		tb.fatalf("the import says %q", got)
	}
}

// hrRule: a new rule for the pharmacy, previewed (in place, with htmx)
// before it is saved.
func hrRule(tb *tab, s *site) {
	tb.t.Helper()
	hrSection(tb, "/admin/rules", "rules")
	tb.expectText("h1", "Assignment rules")
	tb.follow("[data-testid=new-rule]", "new rule")
	tb.fill("#name", "Pharmacy, every two years")
	tb.choose("#course", "basic")
	tb.press(`label[for="who-groups"]`)
	tb.press(`label[for="` + tb.attr(`input[name=department][value="Pharmacy"]`, "id") + `"]`)
	tb.fill("#due-days", "14")
	tb.fill("#every-months", "24")
	tb.fill("#window-days", "30")

	tb.press("[data-testid=preview-button]")
	tb.waitFor("the rule's preview", `document.querySelector("#rule-preview-region [data-testid=rule-preview]") !== null`, 10*time.Second)
	tb.at("rule preview")
	tb.expectPath("/admin/rules/new")
	summary := tb.text("[data-testid=rule-preview-summary]")
	if !strings.Contains(tb.text("[data-testid=rule-preview]"), "2 people today") {
		tb.fatalf("the preview should match the two pharmacists (Lee, and Ravi from the import): %q", summary)
	}
	tb.checkPage() // the page as the preview left it

	// Pressed twice before the answer comes, the button asks once, and the
	// region says the preview is being worked out meanwhile.
	asked := eval[int](tb, `(() => {
		window.__onrampPreviews = 0;
		const f = window.fetch;
		window.fetch = function () { window.__onrampPreviews++; return f.apply(this, arguments); };
		const b = document.querySelector("[data-testid=preview-button]");
		b.click();
		const working = document.querySelector("#rule-preview-region [data-testid=preview-working]") !== null;
		b.click();
		return working ? window.__onrampPreviews : -1;
	})()`)
	tb.waitFor("the rule's preview again", `document.querySelector("#rule-preview-region [data-testid=rule-preview]") !== null`, 10*time.Second)
	if after := eval[int](tb, `window.__onrampPreviews`); asked != 1 || after != 1 {
		tb.fatalf("pressing Preview twice asked for %d previews (%d after the answer; -1: nothing said it was working), want 1", asked, after)
	}

	tb.follow("[data-testid=save-button]", "rules after saving")
	tb.expectPath("/admin/rules")
	if !strings.Contains(tb.text("[data-testid=rules]"), "Pharmacy, every two years") {
		tb.fatalf("the new rule is not in the list")
	}

	// A change that takes longer than the save waits (here a scheduler pass
	// holds planning for a moment) is followed on its own page, which
	// app.js keeps up to date until the change is done.
	tb.follow(`[data-testid=rules] a:not([href*="/course-"])[href$="/edit"]`, "the pharmacy rule")
	tb.fill("#due-days", "21")
	tb.press("[data-testid=preview-button]")
	tb.waitFor("the changed rule's preview", `document.querySelector("#rule-preview-region [data-testid=rule-preview]") !== null`, 10*time.Second)
	release, ok, err := s.App.DB.TryAdvisoryLock(tb.ctx, compliance.PlanningLock)
	if err != nil || !ok {
		tb.fatalf("take the planning lock: %v %v", ok, err)
	}
	wait := s.App.Server.JobWait
	s.App.Server.JobWait = 200 * time.Millisecond
	tb.follow("[data-testid=save-button]", "the rule change's progress")
	s.App.Server.JobWait = wait
	if !strings.HasPrefix(tb.path(), "/admin/rules/changes/") {
		release()
		tb.fatalf("saving a change that waits went to %s, want its progress page", tb.path())
	}
	if state := tb.attr("[data-testid=job-status]", "data-state"); state != "running" {
		release()
		tb.fatalf("the change's page says %q while it waits, want running", state)
	}
	tb.checkPage()
	release()
	tb.waitFor("the change to be done", `document.querySelector("[data-testid=job-status]").getAttribute("data-state") === "done"`, 30*time.Second)
	if got := tb.text("[data-testid=job-result]"); !strings.Contains(got, "Saved the rule “Pharmacy, every two years”") {
		tb.fatalf("the finished change says %q", got)
	}
	tb.checkPage()
}

// hrReport: the compliance status report, downloaded as CSV.
func hrReport(tb *tab, s *site) {
	tb.t.Helper()
	hrSection(tb, "/admin/reports", "reports")
	tb.expectText("h1", "Reports")
	name, body := tb.download(`[data-testid=downloads] a[href^="/admin/reports/status.csv"]`)
	csv := string(body)
	if !strings.HasSuffix(name, ".csv") {
		tb.fatalf("the download is named %q, want a .csv", name)
	}
	// Everyone active, with the people the import added.
	for _, who := range []string{"Hana", "Nina", "Omar", "Lee", "Ravi", "Mia"} {
		if !strings.Contains(csv, who) {
			tb.fatalf("the status report has no row for %s:\n%s", who, csv)
		}
	}
}

// hrOutbox: the delivery log lists every message; a filter narrows it.
func hrOutbox(tb *tab, s *site) {
	tb.t.Helper()
	hrSection(tb, "/admin/outbox", "e-mail delivery log")
	tb.expectText("h1", "E-mail delivery log")
	tb.choose("#state", "sent")
	tb.follow(`form.filters button[type=submit]`, "delivery log, sent only")
	tb.expectPath("/admin/outbox?state=sent")
	// Four "required training" messages and one "completed".
	if n := tb.count("[data-testid=outbox] tbody tr"); n != 5 {
		tb.fatalf("the sent filter lists %d messages, want 5", n)
	}
	if !strings.Contains(tb.text("[data-testid=outbox]"), "Completed: Basic Training") {
		tb.fatalf("the completion e-mail is not in the log")
	}
}
