package db

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"
)

// bulkCheckpointEvery is how much lock-holding time of bulk transactions may
// pile up in the write-ahead log before BulkTx checkpoints it.
const bulkCheckpointEvery = 2 * time.Second

// bulkState counts what BulkTx left in the WAL since its last checkpoint.
type bulkState struct {
	mu      sync.Mutex
	pending time.Duration
}

// BulkTx runs fn in one transaction of a long batch job (a scheduler pass,
// an import, the report's first build): like Tx, but on SQLite the
// transaction runs on a connection set for throughput rather than for each
// commit's durability on its own:
//
//   - synchronous=NORMAL: the commit is not flushed to disk by itself. The
//     write-ahead log is still written in order and flushed at the next
//     checkpoint or by the next commit of any other connection (those stay
//     synchronous=FULL), so a power cut can lose only the job's last batches,
//     never corrupt or reorder anything; a job's batches are all redone by
//     running it again (passes and imports are idempotent).
//   - wal_autocheckpoint=0: the WAL is not copied into the database by the
//     job's commits. A paced job's pause (Pacer.Record) copies it, passively
//     (without taking the write lock), while writers that waited for the
//     lock have it: the copying fills time the job would otherwise sleep.
//     BulkTx checkpoints itself only after bulkCheckpointEvery of batches
//     that no pause checkpointed.
//   - temp_store=MEMORY: the journal SQLite keeps of each multi-row
//     statement (to undo that statement alone if it fails midway: an
//     original copy of every page it changes) and the report refresh's
//     temporary table stay in memory instead of temporary files, which a
//     batch wrote and threw away (a 4-byte and a 4 KiB write per page). A
//     batch's share is a few megabytes. At 30,000 people, side by side,
//     twice: the staff import 6% faster, 4 s less system time; the other
//     jobs within noise (docs/performance.md, session 10).
//
// The connection is set back (FULL, 1000 pages, temp files on disk: a
// request's sort of a large report may spill) before it returns to the
// pool, or discarded if that fails.
//
// On PostgreSQL the transaction sets synchronous_commit off for itself
// (SET LOCAL): its commit returns before the WAL reaches the disk, with the
// same promise (a crash loses at most the last batches, in order, and never
// corrupts anything).
func (d *DB) BulkTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	_, err := d.BulkTxHeld(ctx, fn)
	return err
}

// BulkTxHeld is BulkTx, and also returns how long the transaction held
// its locks: from the moment fn starts (the write lock is taken at BEGIN)
// to the end of COMMIT. It leaves out the wait for the lock and BulkTx's
// own checkpoint after the commit, which takes no write lock (a writer
// is not kept waiting by it): a job that paces itself by this time sizes
// its batches by what others wait for.
func (d *DB) BulkTxHeld(ctx context.Context, fn func(tx *gorm.DB) error) (time.Duration, error) {
	b, err := d.NewBulk(ctx)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	return b.TxHeld(ctx, func(tx *gorm.DB, _ bool) error { return fn(tx) })
}

// checkpointBulk copies into the database file, passively (taking no
// write lock, so a writer may commit meanwhile), what bulk transactions
// wrote to the write-ahead log since the last such checkpoint. Nothing to
// do when no bulk transaction committed since. It is the first part of a
// paced job's pause (Pacer.Record). Checkpointing in the pause after every
// batch, instead of after every 2 s of batches, made the jobs 2–11% faster
// side by side at 30,000 people and 22–35% faster at 100,000
// (docs/performance.md, session 9).
func (d *DB) checkpointBulk(ctx context.Context) {
	if d.bulk == nil || d.Dialect != SQLite {
		return
	}
	d.bulk.mu.Lock()
	due := d.bulk.pending > 0
	d.bulk.pending = 0
	d.bulk.mu.Unlock()
	if !due {
		return
	}
	// A checkpoint that fails (the context ended, a reader in the way) is
	// left to the next one; nothing is lost by skipping it.
	_, _ = d.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
}

// heldSince is the time since began, or zero when the transaction never
// began (began is zero).
func heldSince(began time.Time) time.Duration {
	if began.IsZero() {
		return 0
	}
	return time.Since(began)
}
