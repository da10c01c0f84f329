package httpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
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

// TestOutboxPagesByPosition: the delivery log pages from a position, so
// HR walks from the newest messages to the oldest and back with the Older
// and Newer links (a pass's messages all share one moment), with the state
// filter kept; a page link edited by hand is a 400 that says what to do.
func TestOutboxPagesByPosition(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		for i := 0; i < 62; i++ {
			st := "pending"
			if i%10 == 0 {
				st = "dead"
			}
			err := tx.Exec(`INSERT INTO outbox (id, dedupe_key, kind, to_address, to_name, subject, text_body, html_body, attachments, state, next_attempt_at, created_at, updated_at)
				VALUES (?, ?, 'assigned', ?, 'P', ?, 'T', '', '[]', ?, ?, ?, ?)`,
				fmt.Sprintf("msg-%03d", i), fmt.Sprintf("key-%d", i), fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("Message %03d", i), st, now, now, now).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	subjects := func(doc *goquery.Document) []string {
		var out []string
		doc.Find(`[data-testid="outbox"] tbody a[href^="/admin/outbox/"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.Text())
		})
		return out
	}
	link := func(doc *goquery.Document, text string) string {
		href, _ := doc.Find(`nav[aria-label="Pages"] a`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Text() == text
		}).Attr("href")
		return href
	}

	res := hr.Get("/admin/outbox")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	first := subjects(doc)
	if len(first) != 50 || first[0] != "Message 061" || first[49] != "Message 012" || link(doc, "Newer") != "" {
		t.Fatalf("first page: %d rows, %v … %v, newer link %q", len(first), first[0], first[len(first)-1], link(doc, "Newer"))
	}
	older := link(doc, "Older")
	res = hr.Get(older)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := subjects(doc); len(got) != 12 || got[0] != "Message 011" || got[11] != "Message 000" || link(doc, "Older") != "" {
		t.Fatalf("older page: %v, older link %q", got, link(doc, "Older"))
	}
	res = hr.Get(link(doc, "Newer"))
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := subjects(doc); !slices.Equal(got, first) || link(doc, "Newer") != "" || link(doc, "Older") != older {
		t.Fatalf("back to the newest: %v; newer %q, older %q", got, link(doc, "Newer"), link(doc, "Older"))
	}

	res = hr.Get("/admin/outbox?state=dead")
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := subjects(doc); len(got) != 7 || got[0] != "Message 060" || link(doc, "Older") != "" {
		t.Fatalf("dead messages: %v", got)
	}
	if opt := doc.Find(`select#state option[value="dead"]`).Text(); !strings.Contains(opt, "(7)") {
		t.Errorf("the state filter says %q, want 7 dead", opt)
	}

	res = hr.Get("/admin/outbox?before=bm90IGEgcG9zaXRpb24")
	mustStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(res.Body, "start again from the newest messages") {
		t.Errorf("a bad page link says:\n%s", res.Body)
	}
}
