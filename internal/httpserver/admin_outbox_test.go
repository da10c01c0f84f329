package httpserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestOutboxShowsTheMessageThatIsDelivered: HR opens a queued digest (kept
// as a payload, rendered on view) and reads the text the person then
// receives.
func TestOutboxShowsTheMessageThatIsDelivered(t *testing.T) {
	t.Parallel()
	mail := smtptest.Start(t)
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) {
		c.SMTPURL = mail.URL()
		c.MailFrom = "Training <training@hospital.test>"
	}})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	ana := env.CreateEmployee("ana@example.org", "Ana", "Tester", people.RoleLearner, "")
	now := env.Clock.Now()
	first := assignBasic(t, env, ana)
	second := *first
	second.ID, second.AssignmentID, second.DueAt = "cycle-2", "assignment-2", now.AddDate(0, 0, 3)
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		return env.App.Engine.Notifier.NotifyAll(tx, []compliance.Event{
			{Kind: compliance.EventAssigned, Cycle: first},
			{Kind: compliance.EventReminder, Stage: "due_3", Cycle: &second},
		}, now)
	})
	if err != nil {
		t.Fatal(err)
	}

	res := hr.Get("/admin/outbox")
	mustStatus(t, res, http.StatusOK)
	links := learnerDoc(t, res).Find(`[data-testid="outbox"] tbody a[href^="/admin/outbox/"]`)
	if links.Length() != 1 {
		t.Fatalf("%d message links in the log, want 1 (one digest)", links.Length())
	}
	href, _ := links.Attr("href")
	res = hr.Get(href)
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	shown := doc.Find(`[data-testid="outbox-text"]`).Text()
	if !strings.Contains(shown, "Basic Training") || !strings.Contains(shown, "Hello Ana") {
		t.Fatalf("the outbox shows:\n%s", shown)
	}
	if to := doc.Find(`[data-testid="outbox-to"]`).Text(); !strings.Contains(to, "ana@example.org") {
		t.Errorf("To: %q", to)
	}
	if res := hr.Get("/admin/outbox/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown message: %d", res.StatusCode)
	}

	sent, _, err := env.App.Notify.Deliverer.Deliver(context.Background(), now)
	if err != nil || sent != 1 {
		t.Fatalf("Deliver = %d, %v", sent, err)
	}
	got := mail.Messages()
	if len(got) != 1 || got[0].To[0] != "ana@example.org" {
		t.Fatalf("delivered %d messages", len(got))
	}
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	if norm(got[0].Text) != norm(shown) {
		t.Errorf("delivered text:\n%s\n\noutbox showed:\n%s", got[0].Text, shown)
	}
}
