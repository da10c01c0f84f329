package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

// TestMailServerFaults sends one message to a server misbehaving in each way
// real servers do, and checks what arrived, what the row says and how many
// tries it cost; then runs a later pass to check a delivered message is not
// sent again. Once the server has answered 250 to the end of DATA the
// message is the server's, whatever happens after (RSET, QUIT, the
// connection dropping).
func TestMailServerFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault      smtptest.Fault
		deliveries int
		state      notify.State
		tries      int
		errHas     string
	}{
		{smtptest.FaultNone, 1, notify.StateSent, 1, ""},
		{smtptest.FaultGreeting421, 0, notify.StateFailed, 1, "421"},
		{smtptest.FaultRcpt451, 0, notify.StateFailed, 1, "451"},
		{smtptest.FaultRcpt550, 0, notify.StateDead, 1, "550"},
		{smtptest.FaultDropMidData, 0, notify.StateFailed, 1, ""},
		{smtptest.FaultData451, 0, notify.StateFailed, 1, "451"},
		{smtptest.FaultData554, 0, notify.StateDead, 1, "554"},
		{smtptest.FaultDropAfter250, 1, notify.StateSent, 1, ""},
		{smtptest.FaultRset502, 1, notify.StateSent, 1, ""},
		{smtptest.FaultSilent, 0, notify.StateFailed, 1, "timeout"},
	}
	for _, c := range cases {
		t.Run(c.fault.String(), func(t *testing.T) {
			d, _ := newDB(t)
			srv := smtptest.Start(t)
			srv.SetFault(c.fault)
			svc := newService(t, d, srv.URL())
			settings, err := notify.ParseSMTPURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			svc.Deliverer.Mailer = notify.NewSMTPMailer(settings, "onramp.example.org").WithTimeout(500 * time.Millisecond)
			msg := assigned(t, svc, "", "ana@hospital.example", "asg-1", monday)
			enqueue(t, d, msg)

			deliver(t, svc, monday)
			e := entry(t, svc, msg.DedupeKey)
			if got := len(srv.Messages()); got != c.deliveries || e.State != c.state || e.Attempts != c.tries {
				t.Fatalf("after one pass: %d deliveries, row %s after %d tries (error %q); want %d, %s, %d",
					got, e.State, e.Attempts, e.LastError, c.deliveries, c.state, c.tries)
			}
			if c.errHas != "" && !strings.Contains(e.LastError, c.errHas) {
				t.Errorf("last error %q, want it to mention %q", e.LastError, c.errHas)
			}
			if c.state == notify.StateSent && e.LastError != "" {
				t.Errorf("a sent row shows error %q", e.LastError)
			}
			// Later passes, the fault still there: a delivered message is
			// never sent again.
			for _, after := range []time.Duration{time.Hour, 3 * time.Hour} {
				deliver(t, svc, monday.Add(after))
			}
			e = entry(t, svc, msg.DedupeKey)
			if got := len(srv.Messages()); got != c.deliveries {
				t.Errorf("after later passes the server has %d deliveries, want %d (row %s, %d tries)", got, c.deliveries, e.State, e.Attempts)
			}
			if c.state != notify.StateFailed && (e.State != c.state || e.Attempts != c.tries) {
				t.Errorf("after later passes: row %s after %d tries, want %s after %d", e.State, e.Attempts, c.state, c.tries)
			}
		})
	}
}
