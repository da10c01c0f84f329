package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSQLiteTimeColumns: after the migrations no SQLite column holds its
// times as text (migration 00045 converted them; a later migration adding a
// TIMESTAMP column in shared SQL fails here), and a time written through
// Onramp's driver is stored as integer microseconds.
func TestSQLiteTimeColumns(t *testing.T) {
	d := openTest(t, filepath.Join(t.TempDir(), "onramp.db"))
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var cols []struct {
		Tbl, Name, Type string
	}
	if err := d.Raw(`SELECT m.name AS tbl, c.name, c.type FROM sqlite_master m, pragma_table_xinfo(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`).Scan(&cols).Error; err != nil {
		t.Fatal(err)
	}
	micros := 0
	for _, c := range cols {
		switch strings.ToUpper(c.Type) {
		case "TIMESTAMP", "DATETIME", "DATE":
			t.Errorf("%s.%s is declared %s: declare it %s on SQLite (migrations/embed.go)", c.Tbl, c.Name, c.Type, TimeType)
		case TimeType, "DATE_US", "DATETIME_US":
			micros++
		}
	}
	if micros < 100 {
		t.Errorf("only %d columns are %s, want every time column (over 100)", micros, TimeType)
	}

	at := time.Date(2026, 12, 5, 9, 30, 15, 123456789, time.FixedZone("CET", 3600))
	if err := d.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c1', 'C', ?, ?)`, at, &at).Error; err != nil {
		t.Fatal(err)
	}
	var kind string
	var stored int64
	if err := d.Raw(`SELECT typeof(created_at), created_at + 0 FROM courses WHERE id = 'c1'`).Row().Scan(&kind, &stored); err != nil {
		t.Fatal(err)
	}
	if kind != "integer" || stored != at.UnixMicro() {
		t.Fatalf("stored %s %d, want integer %d", kind, stored, at.UnixMicro())
	}
}

// TestSQLiteTimesRoundTrip: times go in as time.Time and come back as the
// same instant to the microsecond, in UTC, through GORM and database/sql,
// compare in SQL in time order, and an expression over a time column (which
// SQLite gives no declared type) scans with TimeScanner.
func TestSQLiteTimesRoundTrip(t *testing.T) {
	d := openTest(t, filepath.Join(t.TempDir(), "onramp.db"))
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	times := []time.Time{
		base.Add(1500 * time.Nanosecond), // 1 µs and a half: kept as 1 µs
		base.In(time.FixedZone("EST", -5*3600)).Add(time.Hour),
		time.Date(1995, 3, 1, 0, 0, 0, 0, time.UTC), // before 2001: no heuristic on digits
		{}, // the zero time
	}
	for i, at := range times {
		id := string(rune('a' + i))
		if err := d.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, 'C', ?, ?)`, id, at, sql.NullTime{Time: at, Valid: true}).Error; err != nil {
			t.Fatal(err)
		}
	}
	type course struct {
		ID        string
		CreatedAt time.Time
		UpdatedAt *time.Time
	}
	var got []course
	if err := d.Table("courses").Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	for i, c := range got {
		want := times[i].Truncate(time.Microsecond)
		if !c.CreatedAt.Equal(want) || c.CreatedAt.Location() != time.UTC || c.UpdatedAt == nil || !c.UpdatedAt.Equal(want) {
			t.Errorf("%s: read %v / %v, want %v in UTC", c.ID, c.CreatedAt, c.UpdatedAt, want)
		}
	}
	var ids []string
	if err := d.Raw(`SELECT id FROM courses WHERE created_at > ? AND created_at <= ? ORDER BY created_at`, times[2], times[1]).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "a,b" {
		t.Errorf("between 1995 and base+1h: %v, want a,b in time order", ids)
	}
	var latest, none time.Time
	if err := d.SQL().QueryRow(`SELECT MAX(created_at), MIN(CASE WHEN id = 'x' THEN created_at END) FROM courses`).
		Scan(TimeScanner{&latest}, NullTimeScanner{&none}); err != nil {
		t.Fatal(err)
	}
	if !latest.Equal(times[1]) || !none.IsZero() {
		t.Errorf("MAX %v, want %v; an empty MIN %v, want zero", latest, times[1], none)
	}
	var plain time.Time
	if err := d.SQL().QueryRow(`SELECT MAX(created_at) FROM courses`).Scan(&plain); err == nil {
		t.Error("an expression's integer scanned into time.Time without TimeScanner: the driver converted what it cannot know is a time")
	}
}

// TestSQLiteTimesMigration: migration 00045 converts the text times an
// earlier Onramp stored (as mattn wrote them, with nanoseconds and an
// offset, the zero time, and the 1970 default of next_event_at) to
// microseconds, keeps rowids, indexes, triggers and planner statistics,
// gives next_event_at the default 0, and goes down to text and up again.
func TestSQLiteTimesMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "onramp.db")
	d := openTest(t, path)
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 44); err != nil {
		t.Fatal(err)
	}
	// Rows as an earlier Onramp wrote them: mattn's own driver, text times.
	old, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	at := time.Date(2026, 3, 1, 8, 15, 30, 123456789, time.FixedZone("CET", 3600))
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO employees (id, email, first_name, last_name, hire_date, created_at, updated_at) VALUES ('e1', 'e1@x', 'A', 'B', ?, ?, ?)`, []any{time.Date(1995, 3, 1, 0, 0, 0, 0, time.UTC), at, at}},
		{`INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c1', 'C', ?, ?)`, []any{at, time.Time{}}},
		{`INSERT INTO assignments (id, employee_id, course_id, created_at) VALUES ('a1', 'e1', 'c1', ?)`, []any{at}},
		{`INSERT INTO cycles (id, assignment_id, employee_id, course_id, number, status, window_opens_at, due_at, created_at, updated_at)
			VALUES ('y1', 'a1', 'e1', 'c1', 1, 'open', ?, ?, ?, ?)`, []any{at, at.AddDate(0, 1, 0), at, at}},
		{`ANALYZE`, nil},
	}
	for _, s := range stmts {
		if _, err := old.Exec(s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	var rowid int64
	if err := old.QueryRow(`SELECT rowid FROM cycles WHERE id = 'y1'`).Scan(&rowid); err != nil {
		t.Fatal(err)
	}
	var statsBefore int
	if err := old.QueryRow(`SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'cycles'`).Scan(&statsBefore); err != nil {
		t.Fatal(err)
	}

	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	check := func(when string) {
		t.Helper()
		var c struct {
			WindowOpensAt, DueAt time.Time
			NextEventAt          time.Time
			Rowid                int64
		}
		if err := d.Raw(`SELECT window_opens_at, due_at, next_event_at, rowid FROM cycles WHERE id = 'y1'`).Row().
			Scan(&c.WindowOpensAt, &c.DueAt, &c.NextEventAt, &c.Rowid); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if !c.WindowOpensAt.Equal(at.Truncate(time.Microsecond)) || !c.DueAt.Equal(at.AddDate(0, 1, 0).Truncate(time.Microsecond)) ||
			!c.NextEventAt.Equal(time.Unix(0, 0)) || c.Rowid != rowid {
			t.Errorf("%s: cycle %+v, want window %v, next event 1970, rowid %d", when, c, at, rowid)
		}
		var hire, courseUpdated time.Time
		if err := d.Raw(`SELECT e.hire_date, c.updated_at FROM employees e, courses c`).Row().Scan(&hire, &courseUpdated); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if !hire.Equal(time.Date(1995, 3, 1, 0, 0, 0, 0, time.UTC)) || !courseUpdated.IsZero() {
			t.Errorf("%s: hire date %v, course updated %v", when, hire, courseUpdated)
		}
	}
	check("after 00045")
	var kinds string
	if err := d.Raw(`SELECT typeof(window_opens_at) || typeof(next_event_at) FROM cycles`).Row().Scan(&kinds); err != nil {
		t.Fatal(err)
	}
	if kinds != "integerinteger" {
		t.Errorf("stored as %s, want integers", kinds)
	}
	var objects []string
	if err := d.Raw(`SELECT name FROM sqlite_master WHERE tbl_name = 'cycles' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name`).Scan(&objects).Error; err != nil {
		t.Fatal(err)
	}
	want := "cycles_completed_id_idx,cycles_employee_idx,cycles_mark_delete,cycles_mark_insert,cycles_mark_update,cycles_next_event_idx,cycles_open_due_idx"
	if strings.Join(objects, ",") != want {
		t.Errorf("cycles' indexes and triggers: %v, want %s", objects, want)
	}
	var stats int
	if err := d.Raw(`SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'cycles'`).Row().Scan(&stats); err != nil {
		t.Fatal(err)
	}
	if stats != statsBefore || stats == 0 {
		t.Errorf("cycles has %d planner statistics, had %d", stats, statsBefore)
	}
	// A cycle inserted without next_event_at is looked at on the next pass.
	if err := d.Exec(`INSERT INTO cycles (id, assignment_id, employee_id, course_id, number, status, window_opens_at, due_at, created_at, updated_at)
		VALUES ('y2', 'a1', 'e1', 'c1', 2, 'upcoming', ?, ?, ?, ?)`, at, at, at, at).Error; err != nil {
		t.Fatal(err)
	}
	var due []string
	if err := d.Raw(`SELECT id FROM cycles WHERE next_event_at <= ? ORDER BY id`, time.Now()).Scan(&due).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(due, ",") != "y1,y2" {
		t.Errorf("cycles with an event due: %v, want y1,y2", due)
	}
	if err := d.Exec(`DELETE FROM cycles WHERE id = 'y2'`).Error; err != nil {
		t.Fatal(err)
	}

	if _, err := p.DownTo(ctx, 44); err != nil {
		t.Fatalf("down: %v", err)
	}
	var text string
	if err := old.QueryRow(`SELECT typeof(due_at) || ' ' || due_at FROM cycles WHERE id = 'y1'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "text 2026-04-01 07:15:30.123456+00:00" {
		t.Errorf("down: due_at is %q, want the text mattn writes", text)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	check("up again")
}
