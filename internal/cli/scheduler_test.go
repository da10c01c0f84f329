package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestSchedulerRunOnceCountsNoOutbox: `scheduler run-once` exports no
// metrics, so it does not count the outbox by state for them (a read of the
// whole outbox in every pass: 0.1 s of an idle pass at 10,000 people on
// PostgreSQL). Every statement is logged at debug level.
func TestSchedulerRunOnceCountsNoOutbox(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	r.logLevel = "debug"
	res := r.run("scheduler", "run-once", "--now", time.Now().UTC().Format(time.RFC3339))
	if res.code != 0 || !strings.Contains(res.stdout, "Scheduler pass at") || !strings.Contains(res.stdout, "assigned 2") {
		t.Fatalf("run-once: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "FROM cycles WHERE next_event_at") {
		t.Fatalf("no statement of the pass in the debug log:\n%s", res.stderr)
	}
	if strings.Contains(res.stderr, "FROM outbox GROUP BY state") {
		t.Errorf("run-once counted the outbox by state:\n%s", res.stderr)
	}
}
