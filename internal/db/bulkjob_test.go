package db

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestBulkTellsQuietTransactions: a Bulk transaction is quiet exactly when
// no other connection committed since the job's last commit. The job's own
// commits, reads on other connections and checkpoints of the log (what a
// paced job does between batches) leave it quiet; a commit from another
// connection of the process, or from another process, does not; nor does
// the first transaction, or the one after a failed one.
func TestBulkTellsQuietTransactions(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	b, err := d.NewBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if d.Dialect != SQLite {
		if b.DetectsWrites() || b.ReadAhead() {
			t.Fatal("DetectsWrites or ReadAhead on PostgreSQL, want false")
		}
		for i := 0; i < 2; i++ {
			if _, err := b.TxHeld(ctx, func(_ *gorm.DB, quiet bool) error {
				if quiet {
					t.Error("a PostgreSQL transaction was quiet")
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if !b.DetectsWrites() || !b.ReadAhead() {
		t.Fatal("DetectsWrites or ReadAhead false on SQLite before any transaction, want true")
	}
	path, err := d.sqliteFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	insert := func(tx *gorm.DB) error {
		n++
		now := time.Now().UTC()
		return tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			"bulk-"+time.Now().Format("150405.000000000"), "C", now, now).Error
	}
	step := func(what string, want bool, fail bool) {
		t.Helper()
		_, err := b.TxHeld(ctx, func(tx *gorm.DB, quiet bool) error {
			if quiet != want {
				t.Errorf("%s: quiet = %v, want %v", what, quiet, want)
			}
			if err := insert(tx); err != nil {
				return err
			}
			if fail {
				return sql.ErrNoRows
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatalf("%s: %v", what, err)
		}
	}
	otherProcess := func() {
		t.Helper()
		other, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := other.ExecContext(ctx, `UPDATE courses SET title = 'Other' WHERE id IN (SELECT id FROM courses LIMIT 1)`); err != nil {
			t.Fatal(err)
		}
	}

	step("the first transaction", false, false)
	step("after the job's own commit", true, false)
	// Reads on other connections and a checkpoint, as in a job's pause.
	var c int64
	if err := d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses`).Scan(&c).Error; err != nil {
		t.Fatal(err)
	}
	d.bulk.mu.Lock()
	d.bulk.pending = time.Millisecond
	d.bulk.mu.Unlock()
	d.checkpointBulk(ctx)
	if _, err := d.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		t.Fatal(err)
	}
	step("after reads and checkpoints elsewhere", true, false)
	// A checkpoint that restarts the log changes what the job's connection
	// sees of it: counted as a change (safe: the job reads again).
	if _, err := d.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	step("after a checkpoint that restarted the log", false, false)
	step("quiet after it", true, false)
	// A write of this process on another connection (a learner's request).
	if err := d.Tx(ctx, insert); err != nil {
		t.Fatal(err)
	}
	// ReadDuring reads (on the reading connection) while the pause runs,
	// or only pauses.
	readDuring := func() (paused, read, ok bool) {
		ok = b.ReadDuring(ctx, func(context.Context) { paused = true }, func(q *gorm.DB) error {
			read = true
			var c int64
			return q.Raw(`SELECT COUNT(*) FROM courses`).Scan(&c).Error
		})
		return paused, read, ok
	}
	step("after another connection's commit", false, false)
	if b.ReadAhead() {
		t.Error("ReadAhead after a transaction that was not quiet")
	}
	if paused, read, ok := readDuring(); !paused || read || ok {
		t.Errorf("ReadDuring after a transaction that was not quiet: paused %v, read %v, ok %v; want a pause only", paused, read, ok)
	}
	step("after the job's commit again", true, false)
	if !b.ReadAhead() {
		t.Error("no ReadAhead after a quiet transaction")
	}
	if paused, read, ok := readDuring(); !paused || !read || !ok {
		t.Errorf("ReadDuring after a quiet transaction: paused %v, read %v, ok %v; want all", paused, read, ok)
	}
	step("after reading ahead", true, false)
	otherProcess()
	step("after another process's commit", false, false)
	step("then quiet", true, false)
	step("a transaction that fails", true, true)
	step("after a failed transaction", false, false)
	step("and quiet again", true, false)
	var got int64
	if err := d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses WHERE id LIKE 'bulk-%'`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if want := int64(n - 1); got != want { // the failed one rolled back
		t.Errorf("%d rows written, want %d", got, want)
	}
}

// TestBulkQuietWhileOthersWriteElsewhere: with change marks (SQLite), a
// transaction after a read ahead is quiet when what others wrote since the
// job's last commit is in tables the read did not read, and not quiet when
// they changed a table it read (whichever connection or process), or when
// the read read a table without a mark (then only "nothing written at all"
// counts). The tables are the ones SQLite prepared the read's statements
// for, every time (the second read ahead names them again).
func TestBulkQuietWhileOthersWriteElsewhere(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	if d.Dialect != SQLite {
		t.Skip("change marks are SQLite's (PostgreSQL jobs read inside their transactions)")
	}
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES ('marks', 'Marks', ?, ?)`, now, now).Error)
	b, err := d.NewBulk(ctx)
	must(err)
	defer b.Close()
	path, err := d.sqliteFile(ctx)
	must(err)
	n := 0
	// Writes of other connections: a marked table (assignment_rules), an
	// unmarked one (courses), and a marked one from another process.
	rule := func(tx *gorm.DB) error {
		n++
		return tx.Exec(`INSERT INTO assignment_rules (id, name, course_id, created_at, updated_at) VALUES (?, 'R', 'marks', ?, ?)`,
			fmt.Sprintf("rule-%d", n), now, now).Error
	}
	course := func(tx *gorm.DB) error {
		n++
		return tx.Exec(`UPDATE courses SET title = ? WHERE id = 'marks'`, fmt.Sprintf("Marks %d", n)).Error
	}
	otherProcess := func() {
		other, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000")
		must(err)
		defer other.Close()
		_, err = other.ExecContext(ctx, `UPDATE assignment_rules SET name = 'Other' WHERE course_id = 'marks'`)
		must(err)
	}
	// A job step: its transaction, then its pause with a read ahead of
	// the given statement, with others' writes during the pause.
	step := func(what string, want bool) {
		t.Helper()
		if _, err := b.TxHeld(ctx, func(tx *gorm.DB, quiet bool) error {
			if quiet != want {
				t.Errorf("%s: quiet = %v, want %v", what, quiet, want)
			}
			return tx.Exec(`UPDATE assignment_rules SET due_days = due_days + 1 WHERE course_id = 'marks'`).Error
		}); err != nil {
			t.Fatal(err)
		}
	}
	ahead := func(query string, during func()) {
		t.Helper()
		if !b.ReadDuring(ctx, func(context.Context) {
			if during != nil {
				during()
			}
		}, func(q *gorm.DB) error {
			var c int64
			return q.Raw(query).Scan(&c).Error
		}) {
			t.Fatal("ReadDuring did not read")
		}
	}
	readRules := `SELECT COUNT(*) FROM assignment_rules WHERE course_id = 'marks'`
	step("the first transaction", false)
	step("after the job's own commit", true)
	ahead(readRules, func() { must(d.Tx(ctx, course)) })
	step("a read of rules while another connection changed a course", true)
	ahead(readRules, func() { must(d.Tx(ctx, course)) })
	step("the same again (the read's statement prepared again)", true)
	ahead(readRules, func() { must(d.Tx(ctx, rule)) })
	step("a read of rules while another connection added a rule", false)
	step("quiet again", true)
	ahead(readRules, otherProcess)
	step("a read of rules while another process changed one", false)
	step("and quiet again", true)
	ahead(`SELECT COUNT(*) FROM courses c JOIN assignment_rules r ON r.course_id = c.id`, func() { must(d.Tx(ctx, course)) })
	step("a read of courses (no mark) and rules while a course changed", false)
	step("quiet once more", true)
	ahead(`SELECT COUNT(*) FROM courses`, func() { must(d.Tx(ctx, rule)) })
	step("a read of courses (no mark) while a rule was added", false)
	step("quiet before the last read", true)
	// A table read without naming a column (COUNT(*)) counts too.
	if !b.ReadDuring(ctx, func(context.Context) { must(d.Tx(ctx, course)) }, func(q *gorm.DB) error {
		var c int64
		if err := q.Raw(readRules).Scan(&c).Error; err != nil {
			return err
		}
		return q.Raw(`SELECT COUNT(*) FROM courses`).Scan(&c).Error
	}) {
		t.Fatal("ReadDuring did not read")
	}
	step("a read of rules and of every course while a course changed", false)
	// Without a read ahead, only "nothing written at all" counts.
	step("quiet after that", true)
	must(d.Tx(ctx, course))
	step("no read ahead, a course changed", false)
}

// TestChangeMarksMigration: migration 00042 gives every marked table its
// three triggers on SQLite and nothing on PostgreSQL; each insert, update
// and delete of a marked table moves its mark; down removes it all.
func TestChangeMarksMigration(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	if d.Dialect != SQLite {
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'change_marks'`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Error("change_marks on PostgreSQL")
		}
		return
	}
	count := func(q string) int64 {
		t.Helper()
		var n int64
		if err := d.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	const triggers = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\_mark\_%' ESCAPE '\'`
	// Every marked table has its three triggers, and nothing else has one.
	const marked = `SELECT COUNT(*) FROM change_marks m WHERE (SELECT COUNT(*) FROM sqlite_master t
		WHERE t.type = 'trigger' AND t.tbl_name = m.name AND t.name IN (m.name || '_mark_insert', m.name || '_mark_update', m.name || '_mark_delete')) = 3`
	tables := count(`SELECT COUNT(*) FROM change_marks`)
	if tables < 10 || count(marked) != tables || count(triggers) != 3*tables {
		t.Fatalf("%d marked tables, %d of them with their three triggers, %d mark triggers; want at least 10, all, three each",
			tables, count(marked), count(triggers))
	}
	mark := func() int64 { return count(`SELECT n FROM change_marks WHERE name = 'assignment_rules'`) }
	now := time.Now().UTC()
	before := mark()
	for _, q := range []string{
		`INSERT INTO courses (id, title, created_at, updated_at) VALUES ('m', 'M', ?, ?)`,
		`INSERT INTO assignment_rules (id, name, course_id, created_at, updated_at) VALUES ('r1', 'R', 'm', ?, ?)`,
		`INSERT INTO assignment_rules (id, name, course_id, created_at, updated_at) VALUES ('r2', 'R', 'm', ?, ?)`,
	} {
		if err := d.Exec(q, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got := mark() - before; got != 2 {
		t.Errorf("two rules added moved the mark by %d, want 2", got)
	}
	if err := d.Exec(`UPDATE assignment_rules SET name = 'S'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`DELETE FROM assignment_rules`).Error; err != nil {
		t.Fatal(err)
	}
	if got := mark() - before; got != 6 {
		t.Errorf("two added, two updated, two deleted moved the mark by %d, want 6", got)
	}
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 41); err != nil {
		t.Fatal(err)
	}
	if got := count(triggers); got != 0 {
		t.Errorf("%d mark triggers after down, want 0", got)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(triggers); got != 3*tables {
		t.Errorf("%d mark triggers after up again, want %d", got, 3*tables)
	}
}
