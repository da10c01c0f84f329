package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// TestManagerJourney: a manager signs in, opens the team view, sees who
// needs attention first (overdue), who is done and who reports to them
// through someone else, downloads the team's overdue report, and opens one
// person's progress.
func TestManagerJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		now := s.Clock.Now()
		marcus := s.addPerson(person{Email: "marcus@hospital.test", First: "Marcus", Last: "Bell", Role: people.RoleManager, JobTitle: "Ward Manager"})
		omar := s.addPerson(person{Email: "omar@hospital.test", First: "Omar", Last: "Haddad", ManagerID: &marcus.ID, NoPassword: true})
		nina := s.addPerson(person{Email: "nina@hospital.test", First: "Nina", Last: "Patel", ManagerID: &marcus.ID, NoPassword: true, HiredDaysAgo: 40})
		lee := s.addPerson(person{Email: "lee@hospital.test", First: "Lee", Last: "Chen", ManagerID: &omar.ID, NoPassword: true, JobTitle: "Healthcare Assistant"})
		s.assign(nina, now.AddDate(0, 0, -3)) // overdue since three days
		s.assign(omar, now.AddDate(0, 0, 30))
		if _, err := s.App.Learning.CompleteCourse(context.Background(), omar, "basic"); err != nil {
			t.Fatalf("complete the course: %v", err)
		}
		s.assign(lee, now.AddDate(0, 0, 30))
		s.runScheduler() // brings the report tables the team view reads up to date
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/team")
		signIn(tb, marcus.Email)
		tb.expectPath("/team")
		tb.expectText("h1", "My team")
		if tb.attr(`nav[aria-label=Main] a[href="/team"]`, "aria-current") != "page" {
			tb.fatalf("the main navigation does not mark My team as the current page")
		}

		tb.visit("manager's own training", "/")
		tb.follow(`nav[aria-label=Main] a[href="/team"]`, "team")
		if got := tb.text("[data-testid=team-attention]"); got != "1 person is overdue or expired: they need attention." {
			tb.fatalf("the summary reads %q", got)
		}
		rows := eval[[]string](tb, `[...document.querySelectorAll("[data-testid=team] tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
		if len(rows) != 3 {
			tb.fatalf("the team table has %d rows, want 3: %q", len(rows), rows)
		}
		if !strings.HasPrefix(rows[0], "Nina Patel") || !strings.Contains(rows[0], "Basic Training: Overdue") {
			tb.fatalf("the first row is %q, want Nina Patel, overdue (who needs attention comes first)", rows[0])
		}
		byName := map[string]string{}
		for _, r := range rows {
			byName[strings.Join(strings.Fields(r)[:2], " ")] = r
		}
		if !strings.Contains(byName["Omar Haddad"], "Basic Training: Completed") {
			tb.fatalf("Omar's row does not say he is done: %q", byName["Omar Haddad"])
		}
		if !strings.Contains(byName["Lee Chen"], "reports to you indirectly") || !strings.Contains(byName["Lee Chen"], "Not started") {
			tb.fatalf("Lee's row: %q", byName["Lee Chen"])
		}

		// Each person's progress in each course, and who may be reminded.
		if !strings.Contains(byName["Nina Patel"], "0 of ") || !strings.Contains(byName["Nina Patel"], "steps done") {
			tb.fatalf("Nina's row does not show her progress: %q", byName["Nina Patel"])
		}
		if !strings.Contains(byName["Lee Chen"], "due ") {
			tb.fatalf("Lee's row does not show the due date: %q", byName["Lee Chen"])
		}
		// Omar is done: nothing to remind him of. Nina and Lee: one button each.
		if n := tb.count("[data-testid=remind-form]"); n != 2 {
			tb.fatalf("%d reminder buttons, want 2 (Nina and Lee)", n)
		}
		// The filters fold away on a phone and are open on a laptop.
		if open := eval[bool](tb, `document.querySelector("details.fold-filters").open`); open == vp.Mobile {
			tb.fatalf("the team's filters are open=%v at %s size", open, vp.Name)
		}

		// A reminder to Nina: the page says it went, and she gets it.
		tb.follow(`form[data-testid=remind-form]:has(input[name=person][value="`+nina.ID+`"]) button[type=submit]`, "send a reminder")
		tb.expectPath("/team?done=reminded")
		if got := tb.text(".flash"); !strings.Contains(got, "Reminder sent") {
			tb.fatalf("after the reminder the page says %q", got)
		}
		if tb.count("[data-testid=team-reminded]") != 1 || tb.count("[data-testid=remind-form]") != 1 {
			tb.fatalf("after the reminder: %d notes, %d buttons; want 1 and 1", tb.count("[data-testid=team-reminded]"), tb.count("[data-testid=remind-form]"))
		}
		s.runScheduler() // delivers the outbox
		if got := s.mailTo(nina.Email, "Marcus Bell reminds you"); len(got) != 1 {
			tb.fatalf("Nina received %d reminders from Marcus, want 1", len(got))
		}

		// The team's overdue report, downloaded as a spreadsheet file.
		name, csv := tb.download(`[data-testid=team-reports] a[href^="/team/reports/overdue.csv"]`)
		if !strings.HasSuffix(name, ".csv") || !strings.Contains(string(csv), "Nina") || strings.Contains(string(csv), "Omar") {
			tb.fatalf("the overdue report %q should list Nina and not Omar:\n%s", name, csv)
		}

		tb.follow(`[data-testid=team] a[href="/people/`+nina.ID+`/progress"]`, "person's progress")
		tb.expectText("h1", "Nina Patel: training progress")
		tb.expectText(courseCard+" [data-testid=status]", "Overdue")
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
