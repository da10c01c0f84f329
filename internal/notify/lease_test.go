package notify_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

// TestALeaseExpiresByTheWallClock: a pass run as of a far future instant
// (`scheduler run-once --now 2031-…`) is killed mid-try. Its claim expires
// after the lease in real time, so an ordinary pass as of today takes the
// row over then, not in 2031.
func TestALeaseExpiresByTheWallClock(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)

	wall := clock.NewFake(time.Now())
	future := monday.AddDate(5, 0, 0)
	killed := &notify.Deliverer{DB: d, Host: "onramp.example.org", DefaultLocation: time.UTC, Wall: wall, Renderer: svc.Deliverer.Renderer,
		Mailer: &notify.RecordingMailer{Fail: func(*notify.Email) error {
			runtime.Goexit() // the process dies mid-try
			return nil
		}}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = killed.Deliver(context.Background(), future)
	}()
	<-done
	if e := entry(t, svc, msg.DedupeKey); e.State != notify.StateSending {
		t.Fatalf("after the killed pass the row is %s, want sending", e.State)
	}

	svc.Deliverer.Wall = wall
	later := monday.Add(time.Hour)
	wall.Advance(notify.DefaultLease - time.Second)
	if sent, _ := deliver(t, svc, later); sent != 0 {
		t.Fatal("took the row over before its lease ran out in real time")
	}
	wall.Advance(2 * time.Second)
	if sent, _ := deliver(t, svc, later); sent != 1 {
		e := entry(t, svc, msg.DedupeKey)
		t.Fatalf("lease over in real time, yet the row was not taken over: %s, claimed until %v", e.State, e.ClaimedUntil)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server got %d, want 1", n)
	}
}
