package db

import (
	"context"
	"testing"
	"time"
)

// TestAnalyzerVacuumsQueueTables: on PostgreSQL a long job's Analyzer
// vacuums a queue table whose dead rows pile up (every fold of
// compliance_count_changes deletes what the batch before added), and leaves
// one with a few dead rows alone. With autovacuum off, 4.2 million dead rows
// made each fold of the 100,000-people first pass take 200–270 ms.
func TestAnalyzerVacuumsQueueTables(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	d := newTestDB(t)
	// Rows written and deleted, as folds do; their counts reach the
	// statistics when the session says so.
	churn := func(n int) {
		t.Helper()
		conn, err := d.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `INSERT INTO compliance_count_changes (course_id, department, status, people)
			SELECT 'c' || i, 'd', 'completed', 1 FROM generate_series(1, $1) i`, n); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM compliance_count_changes`); err != nil {
			t.Fatal(err)
		}
		_, _ = conn.ExecContext(ctx, `SELECT pg_stat_force_next_flush()`)
	}
	stats := func() (dead, vacuums int64) {
		t.Helper()
		if err := d.Raw(`SELECT n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = 'compliance_count_changes'`).
			Row().Scan(&dead, &vacuums); err != nil {
			t.Fatal(err)
		}
		return dead, vacuums
	}
	waitDead := func(want int64) {
		t.Helper()
		dead, _ := stats()
		for deadline := time.Now().Add(20 * time.Second); dead < want && time.Now().Before(deadline); dead, _ = stats() {
			time.Sleep(100 * time.Millisecond)
		}
		if dead < want {
			t.Fatalf("compliance_count_changes shows %d dead rows, want at least %d", dead, want)
		}
	}

	churn(100)
	waitDead(100)
	if err := d.NewAnalyzer().Check(ctx); err != nil {
		t.Fatal(err)
	}
	if _, vacuums := stats(); vacuums != 0 {
		t.Fatalf("vacuumed a queue table with 100 dead rows (%d times)", vacuums)
	}

	churn(2 * queueDeadRows)
	waitDead(2 * queueDeadRows)
	if err := d.NewAnalyzer().Check(ctx); err != nil {
		t.Fatal(err)
	}
	dead, vacuums := stats()
	for deadline := time.Now().Add(10 * time.Second); vacuums == 0 && time.Now().Before(deadline); dead, vacuums = stats() {
		time.Sleep(100 * time.Millisecond)
	}
	if vacuums == 0 || dead >= queueDeadRows {
		t.Fatalf("after Check: %d dead rows, vacuumed %d times; want it vacuumed", dead, vacuums)
	}
}
