package db

import (
	"context"
	"database/sql"
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
