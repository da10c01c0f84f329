package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestTwoYears lives through two simulated years of one new hire's
// obligations with a real SMTP server, one scheduler pass a day at 09:00
// (and a second at the same instant, which must do nothing): every message
// the policy calls for arrives, on its day, exactly once.
func TestTwoYears(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env, mail := withMail(t, start)
	ctx := context.Background()
	manager := env.CreateEmployee("marcus@hospital.test", "Marcus", "Bell", people.RoleManager, "")
	learner := env.CreateEmployee("nina@hospital.test", "Nina", "Patel", people.RoleLearner, "")
	hired := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", learner.ID).
		Updates(map[string]any{"manager_id": manager.ID, "hire_date": hired}).Error; err != nil {
		t.Fatal(err)
	}
	learner.ManagerID = &manager.ID

	type got struct{ day, to, kind string }
	var log []got
	seen := map[string]bool{}
	completeOn := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	for day := start; day.Before(start.AddDate(2, 0, 0)); day = day.AddDate(0, 0, 1) {
		env.Clock.Set(day)
		for i := 0; i < 2; i++ { // the second pass at the same instant must change nothing
			rep, err := env.App.Scheduler.RunOnce(ctx, day)
			if err != nil {
				t.Fatalf("%s: pass %d: %v", day.Format("2006-01-02"), i, err)
			}
			if i == 1 && (rep.Sent != 0 || rep.Assigned != 0 || rep.Reminders != 0 || rep.WindowsOpened != 0 || rep.Expired != 0 || rep.Escalated != 0 || rep.Nudges != 0) {
				t.Fatalf("%s: a second pass at the same instant did something: %s", day.Format("2006-01-02"), rep)
			}
		}
		if day.Equal(completeOn) {
			env.Clock.Set(day.Add(2 * time.Hour))
			if _, err := env.App.Learning.CompleteCourse(ctx, learner, "basic"); err != nil {
				t.Fatalf("complete the course: %v", err)
			}
			env.Clock.Set(day.Add(3 * time.Hour))
			if _, err := env.App.Scheduler.RunOnce(ctx, day.Add(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range mail.Messages() {
			if seen[m.MessageID] {
				continue
			}
			seen[m.MessageID] = true
			log = append(log, got{day.Format("2006-01-02"), strings.Join(m.To, ","), kindOf(t, env, m.MessageID)})
		}
	}

	var nina []string
	for _, g := range log {
		if g.to == "nina@hospital.test" {
			nina = append(nina, g.day+" "+g.kind)
		}
	}
	want := []string{
		"2026-03-02 assigned", "2026-03-18 due_soon", "2026-03-29 due_soon", "2026-03-30 completed",
		// A refresher nudge on the first of each month while the completion is valid and the refresher window is not open.
		"2026-04-01 nudge", "2026-05-01 nudge", "2026-06-01 nudge", "2026-07-01 nudge", "2026-08-01 nudge",
		"2026-09-01 nudge", "2026-10-01 nudge", "2026-11-01 nudge", "2026-12-01 nudge", "2027-01-01 nudge",
		"2027-01-31 window_open", "2027-03-18 due_soon", "2027-03-29 due_soon", "2027-04-01 due_today",
		// The completion expires the day the refresher goes overdue: one
		// message says both (one e-mail per person per pass).
		"2027-04-02 digest", "2027-04-09 overdue", "2027-04-16 overdue", "2027-04-23 overdue",
	}
	if !slices.Equal(nina, want) {
		t.Errorf("the new hire's e-mails over two years:\n got %q\nwant %q", nina, want)
	}
	for _, m := range mail.Messages() {
		if m.To[0] == "nina@hospital.test" && kindOf(t, env, m.MessageID) == "digest" {
			low := strings.ToLower(m.Text)
			if !strings.Contains(low, "expired") || !strings.Contains(low, "overdue") {
				t.Errorf("the digest of 2027-04-02 should say the completion expired and the refresher is overdue:\n%s", m.Text)
			}
		}
	}
	var escalations []string
	for _, g := range log {
		if g.kind == string(notify.KindEscalation) {
			escalations = append(escalations, g.day+" "+g.to)
		}
	}
	if !slices.Equal(escalations, []string{"2027-04-08 marcus@hospital.test"}) {
		t.Errorf("escalations: %q, want one digest to the manager on 2027-04-08", escalations)
	}
	// Every message arrived exactly once, and every outbox row was sent.
	for id, ms := range mail.ByMessageID() {
		if len(ms) != 1 {
			t.Errorf("message %s arrived %d times", id, len(ms))
		}
	}
	var unsent int64
	env.App.DB.Table("outbox").Where("state <> ?", notify.StateSent).Count(&unsent)
	if unsent != 0 {
		t.Errorf("%d outbox rows were never sent", unsent)
	}
	// The assigned message carries the due date as a calendar event.
	for _, m := range mail.Messages() {
		if m.To[0] != "nina@hospital.test" || kindOf(t, env, m.MessageID) != "assigned" {
			continue
		}
		if len(m.Attachments) != 1 || !strings.Contains(string(m.Attachments[0].Data), "DTSTART;VALUE=DATE:20260401") {
			t.Errorf("assigned e-mail's calendar attachment: %+v", m.Attachments)
		}
		if !strings.Contains(m.Text, "/courses/basic") {
			t.Errorf("assigned e-mail has no course link:\n%s", m.Text)
		}
	}
	// What was sent once by the rows the pass wrote (a cycle expired, a
	// nudge logged, an escalation taken) left no key in outbox_keys: only
	// the reminders and the completion claim keys there.
	var kinds []string
	if err := env.App.DB.Raw(`SELECT DISTINCT dedupe_key FROM outbox_keys`).Scan(&kinds).Error; err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		kind := strings.Split(k, ":")[2]
		if !slices.Contains([]string{"due_soon", "due_today", "overdue", "completed"}, kind) {
			t.Errorf("outbox_keys holds %q, a key of kind %s", k, kind)
		}
	}
}

// withMail is an app at start that delivers to a real SMTP server.
func withMail(t *testing.T, start time.Time) (*apptest.Env, *smtptest.Server) {
	t.Helper()
	mail := smtptest.Start(t)
	env := apptest.New(t, apptest.Options{Now: start, Configure: func(c *config.Config) {
		c.SMTPURL = mail.URL()
		c.MailFrom = "Training <training@hospital.test>"
	}})
	return env, mail
}

// kindOf finds the outbox kind of a delivered message by its Message-ID.
func kindOf(t *testing.T, env *apptest.Env, messageID string) string {
	t.Helper()
	var kind string
	if err := env.App.DB.Table("outbox").Select("kind").Where("message_id = ?", messageID).Scan(&kind).Error; err != nil || kind == "" {
		t.Fatalf("no outbox row for Message-ID %s (%v)", messageID, err)
	}
	return kind
}
