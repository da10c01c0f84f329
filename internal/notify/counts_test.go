package notify_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

// countedByState counts the outbox's rows in each state the slow way, to
// check the counts kept by migration 00043's triggers against.
func countedByState(t testing.TB, d *db.DB) map[notify.State]int {
	t.Helper()
	var rows []struct {
		State notify.State
		N     int
	}
	if err := d.Raw(`SELECT state, COUNT(*) AS n FROM outbox GROUP BY state`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[notify.State]int{}
	for _, s := range notify.States {
		out[s] = 0
	}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out
}

// checkCounts checks CountByState against the outbox and against want
// (states not in want: none).
func checkCounts(t testing.TB, svc *notify.Service, d *db.DB, step string, want map[notify.State]int) {
	t.Helper()
	got, err := svc.Outbox.CountByState(context.Background())
	if err != nil {
		t.Fatalf("%s: CountByState: %v", step, err)
	}
	if counted := countedByState(t, d); !maps.Equal(got, counted) {
		t.Fatalf("%s: CountByState = %v, but the outbox holds %v", step, got, counted)
	}
	full := map[notify.State]int{}
	for _, s := range notify.States {
		full[s] = want[s]
	}
	if !maps.Equal(got, full) {
		t.Fatalf("%s: CountByState = %v, want %v", step, got, full)
	}
}

// TestOutboxCountsFollowEveryWrite: the counts the dashboard, the outbox
// page and the metrics read are kept by the outbox's triggers, so they
// match the outbox after every kind of write: queueing (one row and many in
// one statement), claims, sends, temporary and permanent rejections, quiet
// hours giving a claim back, an expired claim taken over, Retry, and an
// operator's own UPDATE and DELETE.
func TestOutboxCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	type counts = map[notify.State]int
	checkCounts(t, svc, d, "empty", counts{})

	for i := 0; i < 4; i++ {
		enqueue(t, d, assigned(t, svc, "", fmt.Sprintf("p%d@hospital.example", i), fmt.Sprintf("asg-%d", i), monday))
	}
	// Quiet hours: 09:00 UTC is 04:00 in New York, so this one is claimed
	// and given back.
	ny := addEmployee(t, d, "ny@hospital.example", "Nia", "America/New_York")
	enqueue(t, d, assigned(t, svc, ny, "ny@hospital.example", "asg-ny", monday))
	// Several rows in one statement (PostgreSQL's statement triggers sum
	// them).
	err := d.Exec(`INSERT INTO outbox (id, dedupe_key, kind, to_address, to_name, subject, text_body, html_body, attachments, state, next_attempt_at, created_at, updated_at)
		VALUES (?, 'bulk-1', 'assigned', 'b1@hospital.example', 'B', 'S', 'T', '', '[]', 'pending', ?, ?, ?),
		       (?, 'bulk-2', 'assigned', 'b2@hospital.example', 'B', 'S', 'T', '', '[]', 'pending', ?, ?, ?),
		       (?, 'bulk-3', 'assigned', 'b3@hospital.example', 'B', 'S', 'T', '', '[]', 'sent', ?, ?, ?)`,
		db.NewID(), monday, monday, monday, db.NewID(), monday, monday, monday, db.NewID(), monday, monday, monday).Error
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, svc, d, "queued", counts{notify.StatePending: 7, notify.StateSent: 1})

	srv.Reject("p0@hospital.example", 550, "No such user here")
	srv.Reject("p1@hospital.example", 451, "Try again later")
	if sent, failed := deliver(t, svc, monday); sent != 4 || failed != 2 {
		t.Fatalf("Deliver = %d sent, %d failed; want 4, 2", sent, failed)
	}
	checkCounts(t, svc, d, "delivered", counts{notify.StatePending: 1, notify.StateSent: 5, notify.StateFailed: 1, notify.StateDead: 1})

	// A sender claimed the failed one and stopped; the next pass takes the
	// claim over once it has expired.
	if err := d.Exec(`UPDATE outbox SET state = 'sending', claimed_until = ? WHERE to_address = 'p1@hospital.example'`, monday).Error; err != nil {
		t.Fatal(err)
	}
	checkCounts(t, svc, d, "claimed by a stopped sender", counts{notify.StatePending: 1, notify.StateSent: 5, notify.StateSending: 1, notify.StateDead: 1})
	srv.Accept("p1@hospital.example")
	if sent, _ := deliver(t, svc, monday.Add(time.Hour)); sent != 1 {
		t.Fatalf("the expired claim: sent %d, want 1", sent)
	}
	checkCounts(t, svc, d, "claim taken over", counts{notify.StatePending: 1, notify.StateSent: 6, notify.StateDead: 1})

	var dead notify.Entry
	if err := d.Where("state = ?", notify.StateDead).Take(&dead).Error; err != nil {
		t.Fatal(err)
	}
	if err := svc.Outbox.Retry(context.Background(), dead.ID, monday.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, svc, d, "retried", counts{notify.StatePending: 2, notify.StateSent: 6})

	if err := d.Exec(`DELETE FROM outbox WHERE dedupe_key IN ('bulk-1', 'bulk-2', 'bulk-3')`).Error; err != nil {
		t.Fatal(err)
	}
	checkCounts(t, svc, d, "deleted", counts{notify.StatePending: 2, notify.StateSent: 3})
	// An update that changes no state changes no count.
	if err := d.Exec(`UPDATE outbox SET last_error = 'looked at'`).Error; err != nil {
		t.Fatal(err)
	}
	checkCounts(t, svc, d, "updated", counts{notify.StatePending: 2, notify.StateSent: 3})

	// What CountByState reads is the kept counts, not the outbox (which
	// at 100,000 people holds hundreds of thousands of messages).
	if err := d.Exec(`UPDATE outbox_counts SET messages = messages + 1000 WHERE state = 'sent'`).Error; err != nil {
		t.Fatal(err)
	}
	got, err := svc.Outbox.CountByState(context.Background())
	if err != nil || got[notify.StateSent] != 1003 {
		t.Fatalf("CountByState = %v, %v; want the kept count of sent, 1003", got, err)
	}
}

// TestOutboxCountsUnderParallelSenders: on PostgreSQL several senders
// change states at once; their changes are appended and folded one
// transaction at a time, and the counts come out right with no sender
// waiting on another's counter.
func TestOutboxCountsUnderParallelSenders(t *testing.T) {
	t.Parallel()
	d, dsn := newDB(t)
	if d.Dialect != db.Postgres {
		t.Skip("parallel senders are a PostgreSQL matter (set ONRAMP_TEST_DATABASE_URL)")
	}
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	const n = 60
	for i := 0; i < n; i++ {
		enqueue(t, d, assigned(t, svc, "", fmt.Sprintf("p%d@hospital.example", i), fmt.Sprintf("asg-%d", i), monday))
	}
	for i := 0; i < n; i += 7 {
		srv.Reject(fmt.Sprintf("p%d@hospital.example", i), 451, "Try again later")
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		s := newService(t, openDB(t, dsn), srv.URL())
		s.Deliverer.BatchSize = 3
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.Deliverer.Deliver(context.Background(), monday)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("sender %d: %v", i, err)
		}
	}
	checkCounts(t, svc, d, "after parallel senders", map[notify.State]int{notify.StateSent: n - 9, notify.StateFailed: 9})
	// Whatever a sender could not fold (another was folding) is folded by
	// the next write that can.
	if err := d.Exec(`UPDATE outbox SET state = 'pending' WHERE state = 'failed'`).Error; err != nil {
		t.Fatal(err)
	}
	var left int
	if err := d.Raw(`SELECT COUNT(*) FROM outbox_count_changes`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d changes left unfolded after a write with no other transaction folding", left)
	}
	checkCounts(t, svc, d, "after a fold", map[notify.State]int{notify.StateSent: n - 9, notify.StatePending: 9})
}
