package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
)

// TestPassWithNothingDueAnalyzesNothing: on PostgreSQL a pass with nothing
// due leaves the planner's statistics alone, even when another job left a
// table stale. At 10,000 people the pass after the first one spent 1.9 s of
// its 3.7 s in ANALYZE of compliance_status and escalations, which the
// first pass had rewritten.
func TestPassWithNothingDueAnalyzesNothing(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	if env.App.DB.Dialect != db.Postgres {
		t.Skip("PostgreSQL only (SQLite's passes never analyze); set " + apptest.TestDatabaseEnv)
	}
	env.App.Scheduler.Deliver = nil
	ctx := context.Background()
	insertPeople(t, env.App.DB, 300, start)
	if _, err := env.App.Scheduler.RunOnce(ctx, start); err != nil {
		t.Fatal(err)
	}

	// Another writer changes every report row four times: more than 1,000
	// rows and more than a tenth of the table, which db.Analyzer calls
	// stale. Its statistics reach the server when the session says so
	// (PostgreSQL 15) or within about ten seconds.
	conn, err := env.App.DB.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := conn.ExecContext(ctx, `UPDATE compliance_status SET refreshed_at = refreshed_at`); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = conn.ExecContext(ctx, `SELECT pg_stat_force_next_flush()`)
	conn.Close()
	stats := func() (mods, analyzed int64) {
		t.Helper()
		if err := env.App.DB.Raw(`SELECT n_mod_since_analyze, analyze_count FROM pg_stat_user_tables WHERE relname = 'compliance_status'`).
			Row().Scan(&mods, &analyzed); err != nil {
			t.Fatal(err)
		}
		return mods, analyzed
	}
	mods, before := stats()
	for deadline := time.Now().Add(20 * time.Second); mods < 1200 && time.Now().Before(deadline); mods, before = stats() {
		time.Sleep(100 * time.Millisecond)
	}
	if mods < 1200 {
		t.Fatalf("compliance_status shows %d changes since its last ANALYZE, want at least 1,200", mods)
	}

	rep, err := env.App.Scheduler.RunOnce(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Batches != 0 || rep.Examined != 0 {
		t.Fatalf("the pass again at %s: %s; want nothing due", start, rep)
	}
	if _, after := stats(); after != before {
		t.Fatalf("the pass with nothing due analyzed compliance_status (ANALYZE count %d, then %d)", before, after)
	}
}
