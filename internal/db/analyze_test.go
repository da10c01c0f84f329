package db

import (
	"context"
	"strconv"
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

// TestAnalyzerTidiesAfterAJob: at the end of a long job, Tidy vacuums the
// watched tables where the job left more dead rows than a fifth of the
// live ones (a pass rewriting most people's report rows), and leaves alone
// a table with few dead rows, or with many among far more live ones. Right
// after the first pass at 100,000 people, the status report filtered by
// course took 742 ms on PostgreSQL walking the dead rows (3 ms after
// autovacuum).
func TestAnalyzerTidiesAfterAJob(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	d := newTestDB(t)
	// Each table: rows written, then some deleted; the counts reach the
	// statistics when the session says so.
	tables := map[string][2]int{
		"tidy_rewritten": {3 * queueDeadRows, 2 * queueDeadRows},  // 20,000 dead, 10,000 live: vacuumed
		"tidy_few":       {3000, 2000},                            // 2,000 dead: left
		"tidy_big":       {20 * queueDeadRows, 2 * queueDeadRows}, // 20,000 dead, 180,000 live: left
	}
	for name, n := range tables {
		conn, err := d.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`CREATE TABLE ` + name + ` (n integer PRIMARY KEY)`,
			`INSERT INTO ` + name + ` (n) SELECT i FROM generate_series(1, ` + strconv.Itoa(n[0]) + `) i`,
			`DELETE FROM ` + name + ` WHERE n <= ` + strconv.Itoa(n[1]),
			`SELECT pg_stat_force_next_flush()`,
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
	}
	stats := func(name string) (dead, vacuums int64) {
		t.Helper()
		if err := d.Raw(`SELECT n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = ?`, name).
			Row().Scan(&dead, &vacuums); err != nil {
			t.Fatal(err)
		}
		return dead, vacuums
	}
	for name, n := range tables {
		dead, _ := stats(name)
		for deadline := time.Now().Add(20 * time.Second); dead < int64(n[1]) && time.Now().Before(deadline); dead, _ = stats(name) {
			time.Sleep(100 * time.Millisecond)
		}
		if dead < int64(n[1]) {
			t.Fatalf("%s shows %d dead rows, want %d", name, dead, n[1])
		}
	}

	// Check (before each batch) leaves them: they are not queue tables.
	a := d.NewAnalyzer("tidy_rewritten", "tidy_few", "tidy_big")
	if err := a.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if _, vacuums := stats("tidy_rewritten"); vacuums != 0 {
		t.Fatalf("Check vacuumed a table that is not a queue (%d times)", vacuums)
	}
	if err := a.Tidy(ctx); err != nil {
		t.Fatal(err)
	}
	dead, vacuums := stats("tidy_rewritten")
	for deadline := time.Now().Add(10 * time.Second); vacuums == 0 && time.Now().Before(deadline); dead, vacuums = stats("tidy_rewritten") {
		time.Sleep(100 * time.Millisecond)
	}
	if vacuums == 0 || dead >= queueDeadRows {
		t.Fatalf("after Tidy, tidy_rewritten has %d dead rows, vacuumed %d times; want it vacuumed", dead, vacuums)
	}
	for _, name := range []string{"tidy_few", "tidy_big"} {
		if _, vacuums := stats(name); vacuums != 0 {
			t.Errorf("Tidy vacuumed %s (%d times), which has few dead rows for its size", name, vacuums)
		}
	}
}
