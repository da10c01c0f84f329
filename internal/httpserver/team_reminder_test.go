package httpserver_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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
// another attempt, and a "Send a reminder" button per person.
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
		t.Fatalf("%d reminder forms, want one per person (2)", n)
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

// twoCourses is a content directory with the fixture course twice: basic
// and second.
func twoCourses(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	basic := filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	for _, id := range []string{"basic", "second"} {
		to := filepath.Join(dir, id)
		if err := os.CopyFS(to, os.DirFS(basic)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(to, "course.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(strings.Replace(string(b), "\nid: basic\n", "\nid: "+id+"\n", 1), "\ntitle: Basic Training\n", "\ntitle: "+id+" training\n", 1))
		if err := os.WriteFile(filepath.Join(to, "course.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTeamReminderFormPerPerson: the team page has one "Send a reminder"
// form a person (not one a course), naming no course; it reminds the
// person about each course they have not finished and were not reminded
// of today, one e-mail a course, and once all were, a second post is
// refused (429). The form with a course still reminds about that course
// only.
func TestTeamReminderFormPerPerson(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{ContentDir: twoCourses(t)})
	boss, bossC := newLearner(t, env, "boss@example.org", "Bo", "Boss", people.RoleManager)
	emp, _ := newLearner(t, env, "grace@example.org", "Grace", "Hopper", people.RoleLearner)
	lee, _ := newLearner(t, env, "lee@example.org", "Lee", "Other", people.RoleLearner)
	setManager(t, env, emp, boss)
	setManager(t, env, lee, boss)
	assignCourse(t, env, emp, "basic")
	assignCourse(t, env, emp, "second")
	assignCourse(t, env, lee, "basic")
	assignCourse(t, env, lee, "second")
	refreshReports(t, env)

	doc := learnerDoc(t, bossC.Get("/team"))
	forms := doc.Find("[data-testid=remind-form]")
	if forms.Length() != 2 {
		t.Fatalf("%d reminder forms for two people with two open courses each, want one a person", forms.Length())
	}
	forms.Each(func(_ int, f *goquery.Selection) {
		if f.Find("input[name=course]").Length() != 0 || f.Find("input[name=csrf_token]").Length() != 1 || f.Find("input[name=person]").Length() != 1 {
			t.Errorf("a person's form: %s", f.Text())
		}
		if label := strings.Join(strings.Fields(f.Find("button").Text()), " "); !strings.HasPrefix(label, "Send a reminder to ") {
			t.Errorf("the button does not say whom it reminds: %q", label)
		}
	})
	form := url.Values{"person": {emp.ID}, "back": {"/team"}}
	if res := bossC.PostRaw("/team/reminders", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a person's reminder without the CSRF token: %d", res.StatusCode)
	}
	mustRedirect(t, bossC.Post("/team/reminders", form), "/team?done=reminded")
	sent := outboxKinds(t, env, notify.KindManagerReminder)
	if len(sent) != 2 {
		t.Fatalf("%d reminders queued, want one for each of Grace's courses", len(sent))
	}
	var courses []string
	if err := env.App.DB.Model(&learning.ManagerReminder{}).Where("employee_id = ?", emp.ID).Order("course_id").Pluck("course_id", &courses).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(courses, ",") != "basic,second" {
		t.Errorf("reminders recorded for courses %q, want basic and second", courses)
	}
	doc = learnerDoc(t, bossC.Get("/team"))
	if doc.Find("[data-testid=remind-form]").Length() != 1 || doc.Find("[data-testid=team-reminded]").Length() != 2 {
		t.Errorf("after reminding Grace: %d forms, %d 'reminded' notes; want 1 (Lee's), 2", doc.Find("[data-testid=remind-form]").Length(),
			doc.Find("[data-testid=team-reminded]").Length())
	}
	mustStatus(t, bossC.Post("/team/reminders", form), http.StatusTooManyRequests)

	// Lee reminded of one course by the course's form; his own form then
	// reminds him of the other only.
	mustRedirect(t, bossC.Post("/team/reminders", remindForm(lee.ID, "basic")), "/team?done=reminded")
	mustRedirect(t, bossC.Post("/team/reminders", url.Values{"person": {lee.ID}, "back": {"/team"}}), "/team?done=reminded")
	if n := len(outboxKinds(t, env, notify.KindManagerReminder)); n != 4 {
		t.Fatalf("%d reminders queued, want 4", n)
	}
	// Nobody outside the team: the person's form is refused too.
	mustStatus(t, bossC.Post("/team/reminders", url.Values{"person": {boss.ID}, "back": {"/team"}}), http.StatusForbidden)
}
