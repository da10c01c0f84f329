package db

import (
	"context"
	"time"
)

// TxTarget is how long one write transaction of a pass or an import aims to
// hold the database: SQLite has one write lock for the whole file, and a
// learner's write waits for it (issue 10 asks for at most ~0.2 s).
const TxTarget = 120 * time.Millisecond

// Pacer sizes the batches of a long write job (a scheduler pass, an import)
// by time rather than by a fixed count: after each transaction it scales the
// next batch so that it would take about TxTarget, and on SQLite it then
// pauses briefly so that writers waiting for the lock (whose busy handler
// polls every few to 100 ms) get it before the job's next batch does. On
// PostgreSQL, which has no database-wide write lock, every batch has the
// largest size and there is no pause.
type Pacer struct {
	n, min, max int
	target      time.Duration
	pause       bool
}

// NewPacer starts at size start, never going below lo or above hi.
func (d *DB) NewPacer(start, lo, hi int) *Pacer {
	lo = max(lo, 1)
	hi = max(hi, lo)
	if d.Dialect != SQLite {
		// No database-wide lock to share: smaller batches would only add
		// commits (each one a WAL flush), so the largest size stays.
		return &Pacer{n: hi, min: hi, max: hi, target: TxTarget}
	}
	return &Pacer{n: min(max(start, lo), hi), min: lo, max: hi, target: TxTarget, pause: true}
}

// Size is the size of the next batch.
func (p *Pacer) Size() int { return p.n }

// Done records that a batch of size items held a transaction for took,
// sets the next size, and (on SQLite) yields the lock to waiting writers.
func (p *Pacer) Done(ctx context.Context, size int, took time.Duration) {
	if size > 0 && took > 0 {
		// Aim for the target from this batch's rate, changing by at most
		// a factor of two at a time (one slow batch on a busy machine
		// must not shrink the job to nothing).
		want := int(float64(size) * float64(p.target) / float64(took))
		want = min(max(want, p.n/2), p.n*2)
		p.n = min(max(want, p.min), p.max)
	}
	if !p.pause {
		return
	}
	// A pause of a fifth of the transaction (at most 50 ms): a waiting
	// writer's busy handler retries within this window.
	gap := min(max(took/5, 5*time.Millisecond), 50*time.Millisecond)
	t := time.NewTimer(gap)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
