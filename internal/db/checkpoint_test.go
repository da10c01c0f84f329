package db

import (
	"context"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestACommitLeavesTheCheckpointToTheCheckpointer checks that a request's
// commit does not copy the write-ahead log into the database file, however
// long the log (a scheduler pass or an import fills it): by SQLite's
// default it would, before its commit returned, and a learner's one-row
// write waited over a second for the pass's pages. The checkpointer copies
// it instead.
func TestACommitLeavesTheCheckpointToTheCheckpointer(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	if d.Dialect != SQLite {
		t.Skip("PostgreSQL has no write-ahead log to copy on commit")
	}
	path, err := d.sqliteFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sizeOf := func(path string) int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	size := func() int64 { return sizeOf(path) }
	// No background copy while the log fills.
	d.checkpoints.close()
	if err := d.BulkTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`CREATE TABLE filler (b BLOB NOT NULL)`).Error; err != nil {
			return err
		}
		// About 2,000 pages: twice what makes SQLite checkpoint on commit
		// by default.
		return tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
			INSERT INTO filler (b) SELECT randomblob(4000) FROM n`).Error
	}); err != nil {
		t.Fatal(err)
	}
	before := size()
	if wal := sizeOf(path + "-wal"); before >= 4_000_000 || wal < 8_000_000 {
		t.Fatalf("after the filler: database file %d bytes, log %d: the filler is not (only) in the log, so this test checks nothing", before, wal)
	}
	now := time.Now().UTC()
	if err := d.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, "c1", "C", now, now).Error
	}); err != nil {
		t.Fatal(err)
	}
	if after := size(); after != before {
		t.Fatalf("a one-row commit grew the database file from %d to %d bytes: it copied the log into it", before, after)
	}

	d.checkpoints = startCheckpointer(d.SQL(), 20*time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+4_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("the checkpointer left the database file at %d bytes (%d before the filler), want the filler copied in", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
