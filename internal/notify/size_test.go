package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
)

// twentyAssignments is what a new hire in a hospital gets on day one: 20
// courses at once (the three test courses, over and over, each its own
// assignment and cycle).
func twentyAssignments(employeeID string) []compliance.Event {
	ids := []string{"fire-safety", "hand-hygiene", "manual-handling"}
	evs := make([]compliance.Event, 20)
	for i := range evs {
		c := cycle(employeeID, ids[i%len(ids)], day(2026, 4, 1).AddDate(0, 0, i))
		c.Derivation = fmt.Sprintf("due %s: 30 days after your hire date 2026-03-02 (rule %d: Everyone in Nursing, every 12 months)", c.DueAt.Format("2006-01-02"), i)
		evs[i] = compliance.Event{Kind: compliance.EventAssigned, Cycle: c}
	}
	return evs
}

// outboxBytes adds up what the outbox keeps for its messages: every text
// column of every outbox row, and the per-event keys.
func outboxBytes(t testing.TB, d *db.DB) (rows, bytes int) {
	t.Helper()
	var out []struct {
		ID, DedupeKey, Kind, ToAddress, ToName, Subject, TextBody, HTMLBody, Attachments, Payload string
		RecipientEmployeeID                                                                       *string
	}
	if err := d.Raw(`SELECT id, dedupe_key, kind, recipient_employee_id, to_address, to_name, subject, text_body, html_body, attachments, payload FROM outbox`).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		bytes += len(r.ID) + len(r.DedupeKey) + len(r.Kind) + len(r.ToAddress) + len(r.ToName) + len(r.Subject) +
			len(r.TextBody) + len(r.HTMLBody) + len(r.Attachments) + len(r.Payload)
		if r.RecipientEmployeeID != nil {
			bytes += len(*r.RecipientEmployeeID)
		}
	}
	var keys []struct{ DedupeKey, OutboxID string }
	if err := d.Raw(`SELECT dedupe_key, outbox_id FROM outbox_keys`).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		bytes += len(k.DedupeKey) + len(k.OutboxID)
	}
	return len(out), bytes
}

// queueTheOldWay writes one fully rendered row per event, as Onramp did
// before payloads and digests.
func queueTheOldWay(t testing.TB, env *digestEnv, evs []compliance.Event, now time.Time) {
	t.Helper()
	err := env.d.Tx(context.Background(), func(tx *gorm.DB) error {
		for _, ev := range evs {
			c := ev.Cycle
			course := env.notifier.Catalog.Course(c.CourseID)
			msg, err := env.svc.Renderer.Compose(notify.Key(c.AssignmentID, c.ID, notify.KindAssigned, ""),
				notify.Recipient{EmployeeID: c.EmployeeID, Name: "Ana Tester", Address: "ana@hospital.example"},
				notify.Assigned{Name: "Ana", Course: notify.CourseRef{ID: course.ID, Title: course.Title}, DueAt: c.DueAt,
					Reason: c.Derivation, EstimatedMinutes: course.EstimatedMinutes}, now)
			if err != nil {
				return err
			}
			msg.Payload = "" // stored with its bodies
			if _, err := notify.Enqueue(tx, msg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTwentyAssignmentsMakeOneSmallMessage measures the outbox bytes one
// person's 20 assignments cost: one rendered row each before, one digest
// row (payload only) and 20 keys now.
func TestTwentyAssignmentsMakeOneSmallMessage(t *testing.T) {
	t.Parallel()
	before := newDigestEnv(t)
	ana := addEmployee(t, before.d, "ana@hospital.example", "Ana", "")
	queueTheOldWay(t, before, twentyAssignments(ana), monday)
	oldRows, oldBytes := outboxBytes(t, before.d)

	after := newDigestEnv(t)
	ana = addEmployee(t, after.d, "ana@hospital.example", "Ana", "")
	after.notifyAll(t, twentyAssignments(ana), monday)
	newRows, newBytes := outboxBytes(t, after.d)

	t.Logf("20 assignments for one person: before %d rows, %d bytes; after %d row, %d bytes (%.1f×)",
		oldRows, oldBytes, newRows, newBytes, float64(oldBytes)/float64(newBytes))
	if oldRows != 20 || newRows != 1 {
		t.Fatalf("rows before %d, after %d; want 20 and 1", oldRows, newRows)
	}
	if newBytes*5 > oldBytes {
		t.Errorf("the digest keeps %d bytes, more than a fifth of the %d it replaces", newBytes, oldBytes)
	}
}

// BenchmarkRenderAtDelivery is what delivery now pays per message: decode
// the payload and render both parts and the calendar.
func BenchmarkRenderAtDelivery(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("courses=%d", n), func(b *testing.B) {
			env := newDigestEnv(b)
			ana := addEmployee(b, env.d, "ana@hospital.example", "Ana", "")
			env.notifyAll(b, twentyAssignments(ana)[:n], monday)
			var e notify.Entry
			if err := env.d.Take(&e).Error; err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				row := e
				if err := env.svc.Renderer.RenderEntry(&row); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(e.Payload)), "payload-bytes")
		})
	}
}

// BenchmarkQueueTwentyAssignments is what queueing one person's 20
// assignments costs inside the pass's transaction: before, 20 rendered rows;
// now, one payload row and 20 keys.
func BenchmarkQueueTwentyAssignments(b *testing.B) {
	b.Run("before", func(b *testing.B) {
		env := newDigestEnv(b)
		for b.Loop() {
			b.StopTimer()
			ana := addEmployee(b, env.d, db.NewID()+"@hospital.example", "Ana", "")
			evs := twentyAssignments(ana)
			b.StartTimer()
			queueTheOldWay(b, env, evs, monday)
		}
	})
	b.Run("after", func(b *testing.B) {
		env := newDigestEnv(b)
		for b.Loop() {
			b.StopTimer()
			ana := addEmployee(b, env.d, db.NewID()+"@hospital.example", "Ana", "")
			evs := twentyAssignments(ana)
			b.StartTimer()
			env.notifyAll(b, evs, monday)
		}
	})
}
