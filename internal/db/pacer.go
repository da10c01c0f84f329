package db

import (
	"context"
	"time"
)

// TxTarget is how long one write transaction of a pass or an import aims to
// hold the database: SQLite has one write lock for the whole file, and a
// learner's write waits for it (issue 10 asks for at most ~0.2 s). It is
// kept under 128 ms, the point where a waiting writer's busy handler moves
// from 25 ms to 50 ms sleeps (busyGap), so most pauses stay short.
const TxTarget = 100 * time.Millisecond

// busySleeps are the sleeps of SQLite's default busy handler between a
// waiting writer's tries for the lock (sqliteDefaultBusyCallback, built with
// usleep as mattn/go-sqlite3 is), in ms; after the last, it repeats.
var busySleeps = []time.Duration{1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100}

// busyGap is how long the lock must stay free after a transaction of took
// so that every writer that began waiting during it tries again inside the
// gap: a writer that has waited w <= took is in one of the handler's sleeps,
// and the longest sleep it can be in is the one that began last before took.
// A little more (busySlack) covers the wake-up and the try itself.
func busyGap(took time.Duration) time.Duration {
	const busySlack = 5 * time.Millisecond
	var waited time.Duration
	gap := busySleeps[0] * time.Millisecond
	for i := 0; waited < took; i++ {
		gap = busySleeps[min(i, len(busySleeps)-1)] * time.Millisecond
		waited += gap
	}
	return gap + busySlack
}

// Pacer sizes the batches of a long write job (a scheduler pass, an import)
// by time rather than by a fixed count: after each transaction it scales the
// next batch so that it would take about TxTarget, and on SQLite it then
// pauses so that writers waiting for the lock get it before the job's next
// batch does. On PostgreSQL, which has no database-wide write lock, every
// batch has the largest size and there is no pause.
//
// The pause follows the waiting writer, not the job. A writer in another
// process (or on another connection) waits in SQLite's busy handler, which
// sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms between tries:
// a pause shorter than the sleep the writer is in passes unseen, the writer
// sleeps through the next batch too, and soon polls only every 100 ms. So
// the pause is the longest sleep a writer can be in after waiting as long
// as the transaction just held the lock, plus 5 ms (busyGap): 30 ms after a
// transaction of up to 128 ms (hence TxTarget 100 ms), 55 ms up to 228 ms,
// 105 ms beyond. A writer that began waiting during a batch then gets the
// lock in the pause after it: its wait is one batch and one pause, not
// several. Measured on the first pass after a history import at 10,000
// people, with a writer every 20 ms in another process as in onramp-bench's
// probe (2 cores shared, load 7 to 12; two runs each):
//
//	pause after each batch                  pass     writer's longest wait (99th pct)
//	took/5, 5–50 ms, batches by people      35–38 s  2.33–2.46 s (0.86–0.99 s)
//	took/5, 5–50 ms, batches by work        36–37 s  1.46–1.69 s (0.74–0.86 s)
//	busyGap, batches by work (chosen)       43–48 s  0.59–0.89 s (0.40 s)
//	105 ms every second batch, else 5 ms    52 s     0.72 s (0.43 s)
//
// A long pause every few batches costs more pass time for a longer wait (a
// writer can sleep through the batches between); busyGap pays a fifth to
// a quarter more pass time at 10,000 people for a third of the longest
// wait. What remains of the wait is batches held longer than their work
// (the machine's other load stretched 80 ms of CPU to 0.5 s).
type Pacer struct {
	d           *DB
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
	return &Pacer{d: d, n: min(max(start, lo), hi), min: lo, max: hi, target: TxTarget, pause: true}
}

// Size is the size of the next batch.
func (p *Pacer) Size() int { return p.n }

// Done records that a batch of size items held a transaction for took,
// sets the next size, and (on SQLite) yields the lock to waiting writers.
func (p *Pacer) Done(ctx context.Context, size int, took time.Duration) {
	p.Record(size, took)(ctx)
}

// Record is Done in two halves: it records the batch and sets the next
// size at once, and returns the pause, which the job waits out (calls)
// before its next transaction. Between the two the job may read what its
// next batch needs (reads take no write lock), so the pause is not lost.
// The pause first checkpoints what the job's bulk transactions wrote to the
// write-ahead log (checkpointBulk), then waits for what is left of busyGap:
// the copying takes no write lock, so waiting writers commit meanwhile.
func (p *Pacer) Record(size int, took time.Duration) (pause func(ctx context.Context)) {
	p.resize(size, took)
	if !p.pause {
		return func(context.Context) {}
	}
	until := time.Now().Add(busyGap(took))
	return func(ctx context.Context) {
		if p.d != nil {
			p.d.checkpointBulk(ctx)
		}
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}

func (p *Pacer) resize(size int, took time.Duration) {
	if size > 0 && took > 0 {
		// Aim for the target from this batch's rate, changing by at most
		// a factor of two at a time (one slow batch on a busy machine
		// must not shrink the job to nothing).
		want := int(float64(size) * float64(p.target) / float64(took))
		want = min(max(want, p.n/2), p.n*2)
		p.n = min(max(want, p.min), p.max)
	}
}
