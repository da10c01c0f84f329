package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Bulk runs a long job's bulk transactions (see BulkTx) one after the other
// on one connection that it keeps for the whole job (on SQLite), so that
// each transaction can tell whether anything but the job itself wrote to
// the database since the job's last commit: the transaction is quiet.
//
// A job uses it to do its reads outside the write lock. After a batch
// commits, the job reads what its next batch needs while it pauses (the
// pause lets waiting writers have the lock and checkpoints the log, see
// Pacer.Record), on other connections and on the other core, then begins
// the next transaction: when it is quiet, nothing has changed since those
// reads began, so they are what the transaction would read and the job
// uses them; otherwise (a learner's write, HR's change, an ANALYZE) it
// reads again inside the transaction, as it would have without reading
// ahead. Only reads that began after the last commit count (Bulk.TxHeld
// returns after the commit, so anything the job starts afterwards does).
//
// Quiet is SQLite's PRAGMA data_version on the job's connection: it
// changes exactly when another connection, of this process or another,
// commits; the job's own commits and checkpoints of the log do not change
// it. On PostgreSQL no transaction is quiet (DetectsWrites is false): the
// job reads inside its transactions as before.
type Bulk struct {
	d    *DB
	conn *sql.Conn // SQLite; nil on PostgreSQL
	// reader is the connection Reader hands out, taken when first asked.
	reader *sql.Conn
	// version is data_version read right after the last commit, valid
	// when known is set (a failed transaction clears it).
	version int64
	known   bool
	healthy bool
	// lastQuiet is whether the last transaction that could tell was quiet
	// (true before any could).
	lastQuiet bool
}

// NewBulk starts a job's bulk transactions; Close ends them. On SQLite it
// takes a connection from the pool for the job and sets it for throughput
// as BulkTx describes.
func (d *DB) NewBulk(ctx context.Context) (*Bulk, error) {
	b := &Bulk{d: d, lastQuiet: true}
	if d.Dialect != SQLite {
		return b, nil
	}
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return nil, err
	}
	b.conn = conn
	for _, pragma := range []string{"PRAGMA synchronous=NORMAL", "PRAGMA wal_autocheckpoint=0", "PRAGMA temp_store=MEMORY"} {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			b.Close()
			return nil, fmt.Errorf("bulk transaction: %w", err)
		}
	}
	b.healthy = true
	return b, nil
}

// DetectsWrites reports whether TxHeld can tell a quiet transaction: on
// SQLite.
func (b *Bulk) DetectsWrites() bool { return b.conn != nil }

// ReadAhead says whether the job should read its next batch ahead: when
// TxHeld can tell a quiet transaction and the last one that could tell
// was quiet. While others write all the time (learners during the day,
// every 20 ms in onramp-bench's probe) no transaction is quiet, and reads
// ahead would only take the other core from their requests; the job reads
// inside its transactions until one is quiet again.
func (b *Bulk) ReadAhead() bool { return b.conn != nil && b.lastQuiet }

// TxHeld runs fn in one bulk transaction and returns how long it held the
// locks (see BulkTxHeld). quiet is true when no other connection has
// committed since this Bulk's last transaction committed, and false for
// its first transaction, after a failed one, and always on PostgreSQL.
func (b *Bulk) TxHeld(ctx context.Context, fn func(tx *gorm.DB, quiet bool) error) (time.Duration, error) {
	d := b.d
	if b.conn == nil {
		return d.TxHeld(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL synchronous_commit TO OFF").Error; err != nil {
				return fmt.Errorf("bulk transaction: %w", err)
			}
			return fn(tx, false)
		})
	}
	if !b.healthy {
		return 0, fmt.Errorf("bulk transaction: the job's connection was lost")
	}
	known := b.known
	b.known = false
	// Its BEGIN polls for the write lock, as Tx's does (txOnConn).
	began, ok, err := d.txOnConn(ctx, b.conn, func(tx *gorm.DB) error {
		quiet := false
		if known {
			v, err := dataVersion(tx)
			if err != nil {
				return err
			}
			quiet = v == b.version
			b.lastQuiet = quiet
		}
		return fn(tx, quiet)
	})
	held := heldSince(began)
	if !ok {
		b.healthy = false
		return held, err
	}
	if began.IsZero() {
		return held, err
	}
	d.bulk.mu.Lock()
	d.bulk.pending += held
	checkpoint := d.bulk.pending >= bulkCheckpointEvery
	if checkpoint {
		d.bulk.pending = 0
	}
	d.bulk.mu.Unlock()
	if err != nil {
		return held, err
	}
	if checkpoint {
		// PASSIVE copies what it can without waiting for readers or
		// writers; what it cannot copy now is copied by a later one.
		_, _ = b.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
	// The mark the next transaction compares with, read after the commit:
	// whatever another connection commits from here on changes it.
	var v int64
	if verr := b.conn.QueryRowContext(context.WithoutCancel(ctx), "PRAGMA data_version").Scan(&v); verr == nil {
		b.version, b.known = v, true
	}
	return held, nil
}

// Reader is a handle for the job's reads ahead of its transactions, on a
// second connection the job keeps (SQLite; the pool on PostgreSQL): one
// connection's page cache rather than a share of every pooled one's. It
// must not be used for writes, nor from two goroutines at once.
func (b *Bulk) Reader(ctx context.Context) (*gorm.DB, error) {
	if b.conn == nil {
		return b.d.WithContext(ctx), nil
	}
	if b.reader == nil {
		conn, err := b.d.SQL().Conn(ctx)
		if err != nil {
			return nil, err
		}
		b.reader = conn
	}
	g := b.d.DB.WithContext(ctx)
	g.Statement.ConnPool = b.reader
	return g, nil
}

// ReadDuring is a job's pause with its next batch read ahead: when
// ReadAhead says so, read runs on the reading connection (Reader) in a
// goroutine while pause runs (it checkpoints the log and waits for the
// writers: see Pacer.Record), so on the other core; otherwise only pause
// runs. It returns when both are done, with whether read ran and succeeded:
// only then may the job use what it read, and only in a quiet transaction.
// Call it after the job's last TxHeld returned, so the reads begin after
// that commit.
func (b *Bulk) ReadDuring(ctx context.Context, pause func(context.Context), read func(q *gorm.DB) error) bool {
	if !b.ReadAhead() {
		pause(ctx)
		return false
	}
	done := make(chan error, 1)
	go func() {
		q, err := b.Reader(ctx)
		if err == nil {
			err = read(q)
		}
		done <- err
	}()
	pause(ctx)
	return <-done == nil
}

// dataVersion is SQLite's PRAGMA data_version on tx's connection.
func dataVersion(tx *gorm.DB) (int64, error) {
	var v int64
	if err := tx.Raw("PRAGMA data_version").Row().Scan(&v); err != nil {
		return 0, fmt.Errorf("bulk transaction: read data_version: %w", err)
	}
	return v, nil
}

// Close sets the job's connection back to the pool's settings (FULL, the
// default checkpoints, temporary files on disk: a request's sort of a large
// report may spill) and returns it, or discards it when that fails.
func (b *Bulk) Close() {
	if b.reader != nil {
		_ = b.reader.Close()
		b.reader = nil
	}
	if b.conn == nil {
		return
	}
	ctx := context.Background() // a cancelled job must still leave the connection as requests expect it
	if b.healthy {
		for _, pragma := range []string{"PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=1000", "PRAGMA temp_store=DEFAULT"} {
			if _, err := b.conn.ExecContext(ctx, pragma); err != nil {
				b.healthy = false
				break
			}
		}
	}
	if !b.healthy {
		// Never hand a connection with the bulk settings to a request.
		_ = b.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = b.conn.Close()
	b.conn = nil
}
