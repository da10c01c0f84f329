package httpserver_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

func setManager(t *testing.T, env *apptest.Env, emp, boss *people.Employee) {
	t.Helper()
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("manager_id", boss.ID).Error; err != nil {
		t.Fatal(err)
	}
}

func refreshReports(t *testing.T, env *apptest.Env) {
	t.Helper()
	if err := env.App.DB.Transaction(func(tx *gorm.DB) error { return report.Refresh(tx, env.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
}

func remindForm(person, course string) url.Values {
	return url.Values{"person": {person}, "course": {course}, "back": {"/team"}}
}

// TestTeamProgressAndReminders: the manager's team page shows each
// person's steps done of steps required, the due date, who waits for
// another attempt, and a "Send a reminder" button per person and course.
// A reminder goes through the outbox, is audited, and at most one a day
// per person and course; nobody can remind someone outside their own team
// (the person themself, another manager, HR without a team).
func TestTeamProgressAndReminders(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	boss, bossC := newLearner(t, env, "boss@example.org", "Bo", "Boss", people.RoleManager)
	_, otherC := newLearner(t, env, "other@example.org", "Olga", "Other", people.RoleManager)
	_, hrC := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	emp, c := newLearner(t, env, "grace@example.org", "Grace", "Hopper", people.RoleLearner)
	stuck, stuckC := newLearner(t, env, "sam@example.org", "Sam", "Stuck", people.RoleLearner)
	setManager(t, env, emp, boss)
	setManager(t, env, stuck, boss)
	assignBasic(t, env, emp)
	assignBasic(t, env, stuck)
	// Grace does the first step; Sam uses every quiz attempt.
	mustStatus(t, c.Post(basicStep+"welcome/done", nil), http.StatusSeeOther)
	failQuizAllowed(t, env, stuckC, 3)
	refreshReports(t, env)

	doc := learnerDoc(t, bossC.Get("/team"))
	var graceRow, samRow string
	doc.Find("[data-testid=team] tbody tr").Each(func(_ int, s *goquery.Selection) {
		switch {
		case strings.Contains(s.Text(), "Grace Hopper"):
			graceRow = strings.Join(strings.Fields(s.Text()), " ")
		case strings.Contains(s.Text(), "Sam Stuck"):
			samRow = strings.Join(strings.Fields(s.Text()), " ")
		}
	})
	course := basicCourse(t, env)
	required := 0
	for _, m := range course.Modules {
		for _, st := range m.Steps {
			if st.Required {
				required++
			}
		}
	}
	want := "1 of " + strconv.Itoa(required) + " steps done"
	if !strings.Contains(graceRow, want) || !strings.Contains(graceRow, "due ") {
		t.Errorf("Grace's row %q does not say %q and the due date", graceRow, want)
	}
	if !strings.Contains(samRow, "Waiting for another attempt") {
		t.Errorf("Sam's row does not say he waits for another attempt: %q", samRow)
	}
	if strings.Contains(graceRow, "Waiting for another attempt") {
		t.Errorf("Grace is shown waiting: %q", graceRow)
	}
	if n := doc.Find("[data-testid=remind-form]").Length(); n != 2 {
		t.Fatalf("%d reminder forms, want one per person and course (2)", n)
	}
	if doc.Find("details.fold-filters summary").Length() != 1 {
		t.Error("the team's filters do not fold away (<details>)")
	}

	// Nobody outside the team can remind Grace: herself, another team's
	// manager, HR (who has no team here).
	mustStatus(t, c.Post("/team/reminders", remindForm(emp.ID, "basic")), http.StatusForbidden)
	mustStatus(t, otherC.Post("/team/reminders", remindForm(emp.ID, "basic")), http.StatusForbidden)
	mustStatus(t, hrC.Post("/team/reminders", remindForm(emp.ID, "basic")), http.StatusForbidden)
	// A manager cannot remind themself.
	mustStatus(t, bossC.Post("/team/reminders", remindForm(boss.ID, "basic")), http.StatusForbidden)
	// Without the CSRF token, refused.
	if res := bossC.PostRaw("/team/reminders", remindForm(emp.ID, "basic")); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reminder without the CSRF token: %d", res.StatusCode)
	}
	if n := len(outboxKinds(t, env, notify.KindManagerReminder)); n != 0 {
		t.Fatalf("refused reminders queued %d e-mails", n)
	}

	mustRedirect(t, bossC.Post("/team/reminders", remindForm(emp.ID, "basic")), "/team?done=reminded")
	sent := outboxKinds(t, env, notify.KindManagerReminder)
	if len(sent) != 1 || sent[0].RecipientEmployeeID == nil || *sent[0].RecipientEmployeeID != emp.ID {
		t.Fatalf("reminders queued: %+v", sent)
	}
	entry := sent[0]
	if err := env.App.Notify.Renderer.RenderEntry(&entry); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(entry.TextBody, "Bo Boss") || !strings.Contains(entry.TextBody, want[:len("1 of ")]) || !strings.Contains(entry.TextBody, "/courses/basic") {
		t.Errorf("the reminder does not say who, how far and where:\n%s", entry.TextBody)
	}
	var trail []audit.Entry
	if err := env.App.DB.Where("action = ?", "send_reminder").Find(&trail).Error; err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].ActorID != boss.ID || trail[0].EntityID != emp.ID {
		t.Fatalf("audit trail: %+v", trail)
	}

	// Once a day: the button gives way to when it went, and a second post
	// is refused (429) and queues nothing.
	doc = learnerDoc(t, bossC.Get("/team?done=reminded"))
	if doc.Find("[data-testid=team-reminded]").Length() != 1 || doc.Find("[data-testid=remind-form]").Length() != 1 {
		t.Errorf("after the reminder: %d 'reminded' notes and %d forms, want 1 and 1 (Sam's):\n%s",
			doc.Find("[data-testid=team-reminded]").Length(), doc.Find("[data-testid=remind-form]").Length(), doc.Find("main").Text())
	}
	env.Clock.Advance(23 * time.Hour)
	bossC.Login("boss@example.org", learnerPassword)
	res := bossC.Post("/team/reminders", remindForm(emp.ID, "basic"))
	mustStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(res.Body, "one reminder a day") {
		t.Errorf("the refusal does not say why:\n%s", learnerDoc(t, res).Find("main").Text())
	}
	if n := len(outboxKinds(t, env, notify.KindManagerReminder)); n != 1 {
		t.Fatalf("%d reminders queued after the second try the same day", n)
	}
	// The other person is not limited by Grace's reminder.
	mustRedirect(t, bossC.Post("/team/reminders", remindForm(stuck.ID, "basic")), "/team?done=reminded")
	// A day later, Grace may be reminded again.
	env.Clock.Advance(2 * time.Hour)
	bossC.Login("boss@example.org", learnerPassword)
	mustRedirect(t, bossC.Post("/team/reminders", remindForm(emp.ID, "basic")), "/team?done=reminded")
	if n := len(outboxKinds(t, env, notify.KindManagerReminder)); n != 3 {
		t.Fatalf("%d reminders queued, want 3", n)
	}
	var stored []learning.ManagerReminder
	env.App.DB.Find(&stored)
	if len(stored) != 3 {
		t.Errorf("%d reminders recorded", len(stored))
	}
}
