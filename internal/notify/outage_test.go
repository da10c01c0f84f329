package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

// TestThirtyHourOutage: the mail server is down for 30 hours while a pass
// runs every 10 minutes (on the test clock, quiet hours included). Every
// message waiting is charged each failed try, and goes dead exactly 24 hours
// after its first one, visible with its last error; messages written later
// are still waiting when the server comes back and are then sent once; HR's
// retry brings a dead one back.
func TestThirtyHourOutage(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	clk := clock.NewFake(time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC)) // 07:30 in London
	start := clk.Now()
	ctx := context.Background()

	type msg struct {
		key string
		at  time.Time
	}
	var msgs []msg
	add := func(n int) {
		for range n {
			i := len(msgs)
			m := assigned(t, svc, "", fmt.Sprintf("p%d@hospital.example", i), fmt.Sprintf("asg-%d", i), clk.Now())
			enqueue(t, d, m)
			msgs = append(msgs, msg{m.DedupeKey, clk.Now()})
		}
	}
	add(20)
	srv.Down()
	deadAt := map[string]time.Time{}
	for clk.Now().Before(start.Add(30 * time.Hour)) {
		if clk.Now().Equal(start.Add(10 * time.Hour)) {
			add(5) // written at 17:30, during the outage
		}
		if sent, _ := deliver(t, svc, clk.Now()); sent != 0 {
			t.Fatalf("sent %d while the server was down", sent)
		}
		dead, _, err := svc.Outbox.List(ctx, notify.Filter{State: notify.StateDead}, notify.Paging{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range dead {
			if _, ok := deadAt[e.DedupeKey]; !ok {
				deadAt[e.DedupeKey] = clk.Now()
			}
		}
		clk.Advance(10 * time.Minute)
	}
	for i, m := range msgs {
		e := entry(t, svc, m.key)
		if i < 20 {
			// First tried, and failed, when written.
			if got, want := deadAt[m.key], m.at.Add(notify.DeadAfter); !got.Equal(want) {
				t.Errorf("message %d went dead at %s, want %s (24 hours after its first failed try)", i, got, want)
			}
			if e.State != notify.StateDead || !strings.Contains(e.LastError, "connect to 127.0.0.1") || !strings.Contains(e.LastError, "24 hours") {
				t.Errorf("message %d: %s, error %q", i, e.State, e.LastError)
			}
			if e.Attempts < 10 || e.Attempts > notify.MaxAttempts {
				t.Errorf("message %d: %d tries in its day, want every try of its timetable (10 to %d)", i, e.Attempts, notify.MaxAttempts)
			}
		} else if e.State != notify.StateFailed || e.FirstFailedAt == nil || !e.FirstFailedAt.Equal(m.at) {
			t.Errorf("message %d, written during the outage: %s, first failure %v; want failed since %s", i, e.State, e.FirstFailedAt, m.at)
		}
	}
	if len(deadAt) != 20 {
		t.Errorf("%d messages went dead, want the 20 written before the outage", len(deadAt))
	}

	srv.Up()
	back := clk.Now()
	for len(srv.Messages()) < 5 && clk.Now().Before(back.Add(5*time.Hour)) {
		deliver(t, svc, clk.Now())
		clk.Advance(10 * time.Minute)
	}
	if got := len(srv.Messages()); got != 5 {
		t.Fatalf("after the server came back the 5 waiting messages were sent %d times", got)
	}
	rows, _, err := svc.Outbox.List(ctx, notify.Filter{State: notify.StateDead}, notify.Paging{Limit: 1})
	if err != nil || len(rows) != 1 {
		t.Fatalf("dead rows: %v, %v", rows, err)
	}
	if err := svc.Outbox.Retry(ctx, rows[0].ID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if sent, _ := deliver(t, svc, clk.Now()); sent != 1 {
		t.Fatalf("after HR's retry sent %d, want 1", sent)
	}
	if e := entry(t, svc, rows[0].DedupeKey); e.State != notify.StateSent || e.FirstFailedAt != nil {
		t.Errorf("retried message: %s, first failure %v", e.State, e.FirstFailedAt)
	}
}
