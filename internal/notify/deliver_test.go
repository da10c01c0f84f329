package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

func TestEnqueueTwiceKeepsOneRow(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	emp := addEmployee(t, d, "ana@hospital.example", "Ana", "")
	msg := assigned(t, svc, emp, "ana@hospital.example", "asg-1", monday)

	if !enqueue(t, d, msg) {
		t.Fatal("first enqueue: created = false")
	}
	if enqueue(t, d, msg) {
		t.Fatal("second enqueue with the same dedupe key: created = true")
	}
	// Twice in one transaction, too: the conflict must not abort it.
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		for i := 0; i < 2; i++ {
			if created, err := notify.Enqueue(tx, msg); err != nil || created {
				return fmt.Errorf("enqueue again in one transaction: created=%v err=%v", created, err)
			}
		}
		return tx.Exec(`UPDATE employees SET department = 'Nursing' WHERE id = ?`, emp).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d); n != 1 {
		t.Fatalf("outbox rows = %d, want 1", n)
	}
	e := entry(t, svc, msg.DedupeKey)
	if e.State != notify.StatePending || e.Attempts != 0 || !e.NextAttemptAt.Equal(monday) {
		t.Errorf("new row: state %s attempts %d next %s; want pending 0 %s", e.State, e.Attempts, e.NextAttemptAt, monday)
	}
	// The row keeps the payload, not the rendered message; Get renders it.
	if e.Payload == "" || e.TextBody != "" || e.HTMLBody != "" || len(e.Attachments) != 0 {
		t.Errorf("stored row: payload %d bytes, text %d, html %d, attachments %d; want only the payload",
			len(e.Payload), len(e.TextBody), len(e.HTMLBody), len(e.Attachments))
	}
	full, err := svc.Outbox.Get(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Attachments) != 1 || full.Attachments[0].Name != "due-date.ics" {
		t.Errorf("attachments = %+v, want due-date.ics", full.Attachments)
	}
}

func TestEnqueueIsPartOfTheCallersTransaction(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	boom := errors.New("the change failed")
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		if _, err := notify.Enqueue(tx, msg); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction error = %v", err)
	}
	if n := countRows(t, d); n != 0 {
		t.Fatalf("outbox rows after rollback = %d, want 0", n)
	}
}

func TestEnqueueRefusesIncompleteMessages(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	good := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	cases := map[string]func(m *notify.Message){
		"no key":      func(m *notify.Message) { m.DedupeKey = "" },
		"no time":     func(m *notify.Message) { m.At = time.Time{} },
		"bad address": func(m *notify.Message) { m.ToAddress = "not an address" },
		"no subject":  func(m *notify.Message) { m.Subject = " " },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			m := good
			spoil(&m)
			err := d.Tx(context.Background(), func(tx *gorm.DB) error {
				_, err := notify.Enqueue(tx, m)
				return err
			})
			if err == nil {
				t.Fatal("Enqueue accepted it")
			}
		})
	}
}

func TestDeliverSendsOnceOverSMTP(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	emp := addEmployee(t, d, "ana@hospital.example", "Ana", "Europe/London")
	msg := assigned(t, svc, emp, "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)

	if sent, failed := deliver(t, svc, monday); sent != 1 || failed != 0 {
		t.Fatalf("Deliver = %d sent, %d failed; want 1, 0", sent, failed)
	}
	if sent, failed := deliver(t, svc, monday); sent != 0 || failed != 0 {
		t.Fatalf("second Deliver at the same instant = %d sent, %d failed; want nothing", sent, failed)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	m := got[0]
	if m.ParseErr != nil {
		t.Fatalf("parse: %v", m.ParseErr)
	}
	wantID := notify.MessageID(msg.DedupeKey, "onramp.example.org")
	if m.MessageID != wantID {
		t.Errorf("Message-ID = %q, want %q", m.MessageID, wantID)
	}
	if len(m.To) != 1 || m.To[0] != "ana@hospital.example" || m.From != "onramp@hospital.example" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	if m.Subject != msg.Subject || !strings.Contains(m.Subject, "Social Media Guidelines") {
		t.Errorf("Subject = %q, want %q", m.Subject, msg.Subject)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
		for _, want := range []string{"Social Media Guidelines", "Wednesday 1 April 2026", baseURL + "/courses/social-media", "Everyone in Nursing"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments = %d, want the .ics", len(m.Attachments))
	}
	ics := m.Attachments[0]
	if ics.Filename != "due-date.ics" || !strings.HasPrefix(ics.ContentType, "text/calendar") {
		t.Errorf("attachment %q of type %q", ics.Filename, ics.ContentType)
	}
	props := parseICS(t, ics.Data)
	if props["DTSTART;VALUE=DATE"] != "20260401" || props["METHOD"] != "PUBLISH" {
		t.Errorf("calendar: %v", props)
	}
	if !strings.Contains(props["DESCRIPTION"], baseURL+"/courses/social-media") {
		t.Errorf("calendar description lacks the link: %q", props["DESCRIPTION"])
	}

	e := entry(t, svc, msg.DedupeKey)
	if e.State != notify.StateSent || e.SentAt == nil || !e.SentAt.Equal(monday) || e.MessageID != wantID || e.Attempts != 1 {
		t.Errorf("row after sending: %+v", e)
	}
}

func TestSMTPDownForSixHoursThenBack(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	start := time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC) // 07:30 in London: a whole day ahead before quiet hours

	var keys []string
	add := func(i int, at time.Time) {
		emp := addEmployee(t, d, fmt.Sprintf("person%d@hospital.example", i), "P", "")
		msg := assigned(t, svc, emp, fmt.Sprintf("person%d@hospital.example", i), fmt.Sprintf("asg-%d", i), at)
		enqueue(t, d, msg)
		keys = append(keys, msg.DedupeKey)
	}
	for i := 0; i < 20; i++ {
		add(i, start)
	}

	srv.Down()
	now := start
	for ; now.Before(start.Add(6 * time.Hour)); now = now.Add(10 * time.Minute) {
		if now.Minute() == 0 { // the scheduler keeps enqueuing during the outage
			add(len(keys), now)
		}
		if sent, _ := deliver(t, svc, now); sent != 0 {
			t.Fatalf("sent %d while the server was down", sent)
		}
	}
	counts, err := svc.Outbox.CountByState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[notify.StateDead] != 0 || counts[notify.StateSent] != 0 || counts[notify.StatePending]+counts[notify.StateFailed] != len(keys) {
		t.Fatalf("after the outage: %v, want all %d waiting", counts, len(keys))
	}

	srv.Up()
	back := now
	deadline := now.Add(12 * time.Hour)
	for ; now.Before(deadline); now = now.Add(10 * time.Minute) {
		deliver(t, svc, now)
		if len(srv.Messages()) >= len(keys) {
			break
		}
	}
	// Every waiting message was charged each failed try of the outage, so
	// each is retried within the longest backoff of the server's return.
	if took := now.Sub(back); took > notify.Backoff(notify.MaxAttempts) {
		t.Errorf("delivery took until %s, %s after the outage ended; want at most %s", now, took, notify.Backoff(notify.MaxAttempts))
	}
	// A few more passes: nothing may arrive twice.
	for i := 0; i < 12; i++ {
		now = now.Add(10 * time.Minute)
		deliver(t, svc, now)
	}
	byID := srv.ByMessageID()
	for _, k := range keys {
		id := notify.MessageID(k, "onramp.example.org")
		if n := len(byID[id]); n != 1 {
			t.Errorf("message %s arrived %d times, want once", k, n)
		}
	}
	if len(srv.Messages()) != len(keys) {
		t.Errorf("server got %d messages, want %d", len(srv.Messages()), len(keys))
	}
	counts, _ = svc.Outbox.CountByState(context.Background())
	if counts[notify.StateSent] != len(keys) {
		t.Errorf("states at the end: %v, want all %d sent", counts, len(keys))
	}
}

func TestUnreachableServerChargesEveryWaitingMessage(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	svc.Deliverer.BatchSize = 2 // the outage spans batches
	for i := 0; i < 5; i++ {
		enqueue(t, d, assigned(t, svc, "", fmt.Sprintf("p%d@hospital.example", i), fmt.Sprintf("asg-%d", i), monday))
	}
	srv.SetFault(smtptest.FaultGreeting421)
	if sent, failed := deliver(t, svc, monday); sent != 0 || failed != 5 {
		t.Fatalf("Deliver with the server refusing = %d sent, %d failed; want 0, 5", sent, failed)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("the pass connected %d times, want once", n)
	}
	rows, _, err := svc.Outbox.List(context.Background(), notify.Filter{}, notify.Paging{Limit: 10})
	if err != nil || len(rows) != 5 {
		t.Fatalf("List = %v, %v", rows, err)
	}
	for _, r := range rows {
		if r.State != notify.StateFailed || r.Attempts != 1 || !strings.Contains(r.LastError, "421") ||
			!r.NextAttemptAt.Equal(monday.Add(time.Minute)) || r.FirstFailedAt == nil || !r.FirstFailedAt.Equal(monday) {
			t.Errorf("row after the failed pass: %s, %d tries, next %s, first failure %v, error %q",
				r.State, r.Attempts, r.NextAttemptAt, r.FirstFailedAt, r.LastError)
		}
	}
	srv.SetFault(smtptest.FaultNone)
	if sent, _ := deliver(t, svc, monday.Add(time.Minute)); sent != 5 {
		t.Fatalf("after the server came back, sent %d, want 5", sent)
	}
}

func TestPermanentRejectionIsDeadAndRetryBringsItBack(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	msg := assigned(t, svc, "", "gone@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	srv.Reject("gone@hospital.example", 550, "No such user here")

	if sent, failed := deliver(t, svc, monday); sent != 0 || failed != 1 {
		t.Fatalf("Deliver = %d sent, %d failed; want 0, 1", sent, failed)
	}
	e := entry(t, svc, msg.DedupeKey)
	if e.State != notify.StateDead || e.Attempts != 1 || !strings.Contains(e.LastError, "550") || !strings.Contains(e.LastError, "No such user") {
		t.Fatalf("after a 550: state %s, attempts %d, error %q; want dead after 1 with the reply", e.State, e.Attempts, e.LastError)
	}
	if sent, failed := deliver(t, svc, monday.Add(time.Hour)); sent+failed != 0 {
		t.Fatalf("a dead message was tried again")
	}

	ctx := context.Background()
	later := monday.Add(2 * time.Hour)
	if err := svc.Outbox.Retry(ctx, "no-such-id", later); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("Retry(unknown) = %v, want ErrNotFound", err)
	}
	srv.Accept("gone@hospital.example")
	if err := svc.Outbox.Retry(ctx, e.ID, later); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if err := svc.Outbox.Retry(ctx, e.ID, later); !errors.Is(err, notify.ErrNotDead) {
		t.Errorf("Retry of a pending message = %v, want ErrNotDead", err)
	}
	if e := entry(t, svc, msg.DedupeKey); e.State != notify.StatePending || e.Attempts != 0 {
		t.Fatalf("after Retry: state %s attempts %d", e.State, e.Attempts)
	}
	if sent, _ := deliver(t, svc, later); sent != 1 {
		t.Fatalf("after Retry, Deliver sent %d, want 1", sent)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server got %d messages, want 1", n)
	}
}

func TestTemporaryRejectionIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	msg := assigned(t, svc, "", "busy@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	srv.Reject("busy@hospital.example", 451, "Try again later")

	deliver(t, svc, monday)
	e := entry(t, svc, msg.DedupeKey)
	if e.State != notify.StateFailed || e.Attempts != 1 || !e.NextAttemptAt.Equal(monday.Add(time.Minute)) || !strings.Contains(e.LastError, "451") {
		t.Fatalf("after a 451: %s, attempts %d, next %s, error %q", e.State, e.Attempts, e.NextAttemptAt, e.LastError)
	}
	if sent, failed := deliver(t, svc, monday.Add(59*time.Second)); sent+failed != 0 {
		t.Fatal("tried again before its backoff was over")
	}
	srv.Accept("busy@hospital.example")
	if sent, _ := deliver(t, svc, monday.Add(time.Minute)); sent != 1 {
		t.Fatal("not sent when its backoff was over")
	}
	if e := entry(t, svc, msg.DedupeKey); e.State != notify.StateSent || e.Attempts != 2 || e.LastError != "" {
		t.Errorf("after sending: %s, attempts %d, error %q", e.State, e.Attempts, e.LastError)
	}
}

func TestGivesUpADayAfterTheFirstFailedTry(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	tries := 0
	svc.Deliverer.Mailer = &notify.RecordingMailer{Fail: func(*notify.Email) error {
		tries++
		return errors.New("451 4.3.0 Try again later")
	}}
	svc.Deliverer.DefaultLocation = time.UTC
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)

	var at []time.Time
	for i := 0; i < 100; i++ {
		e := entry(t, svc, msg.DedupeKey)
		if e.State == notify.StateDead {
			break
		}
		now := e.NextAttemptAt
		if _, _, err := svc.Deliverer.Deliver(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		at = append(at, now)
	}
	e := entry(t, svc, msg.DedupeKey)
	// Quiet hours (20:00 to 07:00 UTC here) move tries to the morning but
	// do not stop the day from running out.
	if e.State != notify.StateDead || !at[len(at)-1].Equal(monday.Add(notify.DeadAfter)) {
		t.Fatalf("state %s, last try at %s; want dead at %s", e.State, at[len(at)-1], monday.Add(notify.DeadAfter))
	}
	if tries != e.Attempts || tries != 12 {
		t.Errorf("%d tries (attempts %d), want 12: 10 on Monday before quiet hours, at 07:00 and 09:00 on Tuesday", tries, e.Attempts)
	}
	if !strings.Contains(e.LastError, "451") || !strings.Contains(e.LastError, "24 hours") {
		t.Errorf("last error %q", e.LastError)
	}
}

func TestBackoffSpansADay(t *testing.T) {
	t.Parallel()
	var total time.Duration
	for n := 1; n < notify.MaxAttempts; n++ {
		b := notify.Backoff(n)
		if n > 1 && b < notify.Backoff(n-1) {
			t.Errorf("Backoff(%d) = %s is shorter than Backoff(%d)", n, b, n-1)
		}
		total += b
	}
	if notify.Backoff(1) != time.Minute || notify.Backoff(30) != 4*time.Hour {
		t.Errorf("Backoff(1) = %s, Backoff(30) = %s", notify.Backoff(1), notify.Backoff(30))
	}
	if notify.MaxAttempts < 12 || total < 24*time.Hour {
		t.Errorf("%d tries span %s; want at least 12 over at least 24h", notify.MaxAttempts, total)
	}
}

func TestQuietHoursDeferToSevenInTheMorning(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	// 02:00 UTC on Tuesday: 21:00 Monday in New York, 02:00 in London, 11:00 in Tokyo.
	at := time.Date(2026, 3, 3, 2, 0, 0, 0, time.UTC)
	ny := addEmployee(t, d, "ny@hospital.example", "Nia", "America/New_York")
	london := addEmployee(t, d, "ldn@hospital.example", "Len", "") // the organisation's zone
	tokyo := addEmployee(t, d, "tky@hospital.example", "Toshi", "Asia/Tokyo")
	bad := addEmployee(t, d, "bad@hospital.example", "Bea", "Mars/Olympus_Mons") // falls back to London
	keys := map[string]string{}
	for name, emp := range map[string]string{"ny": ny, "london": london, "tokyo": tokyo, "bad": bad} {
		msg := assigned(t, svc, emp, name+"@hospital.example", "asg-"+name, at)
		enqueue(t, d, msg)
		keys[name] = msg.DedupeKey
	}

	if sent, failed := deliver(t, svc, at); sent != 1 || failed != 0 {
		t.Fatalf("Deliver at 02:00 UTC = %d sent, %d failed; want only Tokyo's", sent, failed)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].To[0] != "tokyo@hospital.example" {
		t.Fatalf("sent %v, want Tokyo's", got)
	}
	sevenLondon := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC) // GMT in March before the change
	sevenNY := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)    // EST
	for name, want := range map[string]time.Time{"london": sevenLondon, "bad": sevenLondon, "ny": sevenNY} {
		e := entry(t, svc, keys[name])
		if e.State != notify.StatePending || e.Attempts != 0 || !e.NextAttemptAt.Equal(want) {
			t.Errorf("%s: state %s attempts %d next %s; want pending, 0 tries, %s", name, e.State, e.Attempts, e.NextAttemptAt, want)
		}
	}
	if sent, _ := deliver(t, svc, sevenLondon.Add(-time.Minute)); sent != 0 {
		t.Fatalf("sent %d before 07:00", sent)
	}
	if sent, _ := deliver(t, svc, sevenLondon); sent != 2 {
		t.Fatalf("at 07:00 London sent %d, want London's two", sent)
	}
	if sent, _ := deliver(t, svc, sevenNY); sent != 1 {
		t.Fatalf("at 07:00 New York sent %d, want one", sent)
	}
	if n := len(srv.Messages()); n != 4 {
		t.Fatalf("server got %d, want 4", n)
	}
}

func TestQuietUntil(t *testing.T) {
	t.Parallel()
	london, _ := time.LoadLocation("Europe/London")
	cases := []struct {
		at    time.Time
		quiet bool
		until time.Time
	}{
		{time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC), false, time.Time{}},                                 // 07:00 BST
		{time.Date(2026, 6, 1, 5, 59, 0, 0, time.UTC), true, time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)}, // 06:59 BST
		{time.Date(2026, 6, 1, 18, 59, 0, 0, time.UTC), false, time.Time{}},                               // 19:59 BST
		{time.Date(2026, 6, 1, 19, 0, 0, 0, time.UTC), true, time.Date(2026, 6, 2, 6, 0, 0, 0, time.UTC)}, // 20:00 BST
		// The night the clocks go forward: 20:00 GMT Saturday until 07:00 BST Sunday.
		{time.Date(2026, 3, 28, 20, 0, 0, 0, time.UTC), true, time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		until, quiet := notify.QuietUntil(c.at, london)
		if quiet != c.quiet || !until.Equal(c.until) {
			t.Errorf("QuietUntil(%s) = %s, %v; want %s, %v", c.at, until, quiet, c.until, c.quiet)
		}
	}
}

func TestRestartBetweenEnqueueAndSendSendsOnce(t *testing.T) {
	t.Parallel()
	d, dsn := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	// The process stops here, before any delivery pass.
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d2 := openDB(t, dsn)
	svc2 := newService(t, d2, srv.URL())
	if sent, _ := deliver(t, svc2, monday.Add(time.Minute)); sent != 1 {
		t.Fatalf("after the restart, sent %d, want 1", sent)
	}
	deliver(t, svc2, monday.Add(time.Hour))
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server got %d, want 1", n)
	}
}

func TestAClaimFromAStoppedSenderIsTakenOverWhenItExpires(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	// A sender claimed it and stopped before sending. Claims run on the
	// wall clock.
	wall := clock.NewFake(monday)
	svc.Deliverer.Wall = wall
	err := d.Exec(`UPDATE outbox SET state = 'sending', attempts = 1, claimed_until = ? WHERE dedupe_key = ?`,
		monday.Add(notify.DefaultLease), msg.DedupeKey).Error
	if err != nil {
		t.Fatal(err)
	}
	wall.Advance(time.Minute)
	if sent, _ := deliver(t, svc, monday.Add(time.Minute)); sent != 0 {
		t.Fatal("took over a claim that had not expired")
	}
	wall.Advance(notify.DefaultLease)
	if sent, _ := deliver(t, svc, monday.Add(notify.DefaultLease+time.Second)); sent != 1 {
		t.Fatal("did not take over an expired claim")
	}
	if e := entry(t, svc, msg.DedupeKey); e.State != notify.StateSent || e.Attempts != 2 {
		t.Errorf("after the take-over: %s, attempts %d", e.State, e.Attempts)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server got %d, want 1", n)
	}
}

func TestWithoutSMTPMessagesWaitInTheOutbox(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	if sent, failed := deliver(t, svc, monday.Add(48*time.Hour)); sent+failed != 0 {
		t.Fatal("sent without a mail server")
	}
	counts, err := svc.Outbox.CountByState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[notify.State]int{notify.StatePending: 1, notify.StateSending: 0, notify.StateSent: 0, notify.StateFailed: 0, notify.StateDead: 0}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("CountByState = %v, want %v", counts, want)
	}
	rows, _, err := svc.Outbox.List(context.Background(), notify.Filter{}, notify.Paging{Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("List = %v, %v", rows, err)
	}
	if rows[0].Subject != msg.Subject || rows[0].TextBody != "" {
		t.Errorf("List row: subject %q, body %q (List leaves bodies out)", rows[0].Subject, rows[0].TextBody)
	}
	full, err := svc.Outbox.Get(context.Background(), rows[0].ID)
	if err != nil || full.TextBody != msg.Text || full.HTMLBody != msg.HTML || len(full.Attachments) != 1 {
		t.Errorf("Get = %+v, %v", full, err)
	}
	if _, err := svc.Outbox.Get(context.Background(), "nope"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("Get(unknown) = %v", err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	emp := addEmployee(t, d, "ana@hospital.example", "Ana", "")
	for i := 0; i < 5; i++ {
		enqueue(t, d, assigned(t, svc, emp, "ana@hospital.example", fmt.Sprintf("asg-%d", i), monday.Add(time.Duration(i)*time.Minute)))
	}
	enqueue(t, d, assigned(t, svc, "", "bob@hospital.example", "asg-bob", monday.Add(10*time.Minute)))
	ctx := context.Background()
	first, more, _ := svc.Outbox.List(ctx, notify.Filter{}, notify.Paging{Limit: 2})
	if len(first) != 2 || first[0].ToAddress != "bob@hospital.example" || !more {
		t.Fatalf("newest first: %+v, more %v", first, more)
	}
	mine, _, _ := svc.Outbox.List(ctx, notify.Filter{RecipientEmployeeID: emp}, notify.Paging{Limit: 50})
	if len(mine) != 5 {
		t.Errorf("Ana's messages: %d, want 5", len(mine))
	}
	before := first[1].Position()
	page, more, _ := svc.Outbox.List(ctx, notify.Filter{Kind: notify.KindAssigned}, notify.Paging{Before: &before, Limit: 4})
	if len(page) != 4 || more {
		t.Errorf("second page: %d rows, more %v; want 4, no more", len(page), more)
	}
	dead, _, _ := svc.Outbox.List(ctx, notify.Filter{State: notify.StateDead}, notify.Paging{Limit: 50})
	if len(dead) != 0 {
		t.Errorf("dead: %d, want 0", len(dead))
	}
}

// TestListPagesThroughAPassesMessages: a scheduler pass queues all its
// messages at one moment. Paging older from the newest and then newer from
// the oldest, by position, visits every message once, in the log's order
// (newest first, then by ID), with or without a state filter, and a
// position survives its round trip through a page link.
func TestListPagesThroughAPassesMessages(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	for i := 0; i < 23; i++ {
		at := monday // most at the pass's moment, a few earlier and later
		switch {
		case i < 3:
			at = monday.Add(-time.Duration(i+1) * time.Hour)
		case i > 20:
			at = monday.Add(time.Duration(i) * time.Millisecond)
		}
		enqueue(t, d, assigned(t, svc, "", fmt.Sprintf("p%02d@hospital.example", i), fmt.Sprintf("asg-%d", i), at))
	}
	if err := d.Exec(`UPDATE outbox SET state = 'dead' WHERE to_address IN ('p01@hospital.example', 'p05@hospital.example', 'p07@hospital.example', 'p22@hospital.example')`).Error; err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range []notify.Filter{{}, {State: notify.StatePending}, {State: notify.StateDead}} {
		var want []notify.Entry
		if err := d.Where("? = '' OR state = ?", f.State, f.State).Order("created_at DESC, id DESC").Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		ids := func(rows []notify.Entry) []string {
			var out []string
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		// Older, a page of 5 at a time.
		var got []notify.Entry
		p := notify.Paging{Limit: 5}
		for pages := 0; ; pages++ {
			rows, more, err := svc.Outbox.List(ctx, f, p)
			if err != nil || pages > 10 {
				t.Fatalf("%v: page %d: %v", f, pages, err)
			}
			got = append(got, rows...)
			if !more {
				break
			}
			pos, err := notify.ParsePosition(rows[len(rows)-1].Position().String())
			if err != nil {
				t.Fatal(err)
			}
			p.Before = &pos
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("%v: paging older visited\n%v\nwant\n%v", f, ids(got), ids(want))
		}
		// Newer, from just below the oldest: each page is shown newest first.
		got = nil
		oldest := want[len(want)-1].Position()
		oldest.ID = "" // below every ID at that moment
		p = notify.Paging{After: &oldest, Limit: 5}
		for pages := 0; ; pages++ {
			rows, more, err := svc.Outbox.List(ctx, f, p)
			if err != nil || pages > 10 {
				t.Fatalf("%v: page %d: %v", f, pages, err)
			}
			got = append(rows, got...)
			if !more {
				break
			}
			pos := rows[0].Position()
			p.After = &pos
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("%v: paging newer visited\n%v\nwant\n%v", f, ids(got), ids(want))
		}
	}
	for _, bad := range []string{"", "not-base64!", "aGVsbG8", "MjAyNi0wMy0wMlQwOTowMDowMFo"} {
		if _, err := notify.ParsePosition(bad); !errors.Is(err, notify.ErrBadPosition) {
			t.Errorf("ParsePosition(%q) = %v, want ErrBadPosition", bad, err)
		}
	}
}

func TestSMTPLogin(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	srv.RequireLogin("onramp", "s3cr3t-pw")
	good := newService(t, d, srv.URLWithLogin("onramp", "s3cr3t-pw"))
	wrong := newService(t, d, srv.URLWithLogin("onramp", "wrong-pw"))
	a := assigned(t, good, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, a)

	if _, failed := deliver(t, wrong, monday); failed != 1 {
		t.Fatal("a refused login did not fail the try")
	}
	e := entry(t, good, a.DedupeKey)
	if e.State != notify.StateFailed || strings.Contains(e.LastError, "wrong-pw") {
		t.Fatalf("after a refused login: %s, %q (must be retried, and never show the password)", e.State, e.LastError)
	}
	if sent, _ := deliver(t, good, e.NextAttemptAt); sent != 1 {
		t.Fatal("not sent with the right login")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("server got %d, want 1", n)
	}
}

func TestParallelDeliverersOnPostgresSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	d, dsn := newDB(t)
	if d.Dialect != db.Postgres {
		t.Skip("parallel delivery is a PostgreSQL matter (set ONRAMP_TEST_DATABASE_URL)")
	}
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	const n = 50
	keys := make([]string, 0, n)
	for i := 0; i < n; i++ {
		msg := assigned(t, svc, "", fmt.Sprintf("p%d@hospital.example", i), fmt.Sprintf("asg-%d", i), monday)
		enqueue(t, d, msg)
		keys = append(keys, msg.DedupeKey)
	}

	const senders = 3
	var services []*notify.Service
	for i := 0; i < senders; i++ {
		s := newService(t, openDB(t, dsn), srv.URL())
		s.Deliverer.BatchSize = 4
		services = append(services, s)
	}
	var wg sync.WaitGroup
	sentBy := make([]int, senders)
	errs := make([]error, senders)
	for i, s := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sentBy[i], _, errs[i] = s.Deliverer.Deliver(context.Background(), monday)
		}()
	}
	wg.Wait()
	total := 0
	for i := range services {
		if errs[i] != nil {
			t.Errorf("sender %d: %v", i, errs[i])
		}
		total += sentBy[i]
	}
	if total != n {
		t.Errorf("senders sent %v = %d, want %d", sentBy, total, n)
	}
	byID := srv.ByMessageID()
	for _, k := range keys {
		if c := len(byID[notify.MessageID(k, "onramp.example.org")]); c != 1 {
			t.Errorf("message %s arrived %d times", k, c)
		}
	}
	t.Logf("sent per sender: %v", sentBy)
}

// A message whose 24 hours are up at a moment in the recipient's quiet hours
// is given up on then, without a try, rather than at 07:00.
func TestDayUpInQuietHoursIsDeadWithoutATry(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	svc := newService(t, d, "")
	rec := &notify.RecordingMailer{}
	svc.Deliverer.Mailer = rec
	svc.Deliverer.DefaultLocation = time.UTC
	msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
	enqueue(t, d, msg)
	night := time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)
	err := d.Exec(`UPDATE outbox SET state = 'failed', attempts = 9, first_failed_at = ?, next_attempt_at = ?, last_error = ? WHERE dedupe_key = ?`,
		night.Add(-notify.DeadAfter), night, "451 4.3.0 Try again later", msg.DedupeKey).Error
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, svc, night)
	e := entry(t, svc, msg.DedupeKey)
	if e.State != notify.StateDead || len(rec.Sent()) != 0 || e.Attempts != 10 ||
		!strings.Contains(e.LastError, "(9 tries)") || !strings.Contains(e.LastError, "451") {
		t.Errorf("at 21:00, a day after its first failed try: %s, %d sent, attempts %d, error %q; want dead without a try",
			e.State, len(rec.Sent()), e.Attempts, e.LastError)
	}
}
