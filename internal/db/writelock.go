package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// busyTimeout is how long a SQLite statement waits for a lock another
// connection holds before it fails with "database is locked" (the
// connection's busy_timeout), and how long a transaction's BEGIN waits for
// the write lock (lockPoll).
const busyTimeout = 10 * time.Second

// lockPoll is how often a transaction waiting for SQLite's write lock tries
// to take it.
//
// SQLite's own wait (its busy handler, set by busy_timeout) sleeps 1, 2, 5,
// 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms between tries: a writer
// that has waited a quarter of a second looks again only every 100 ms. A
// pass or an import yields the lock for a short pause after each batch
// (busyGap, 30 ms after a batch of up to 128 ms), and with several writers
// waiting (learners posting progress, each on a connection of its own)
// most of them slept through the pause and the next batch, and the one
// after: a learner's write during a pass waited up to 0.5–2.6 s for a lock
// held at most 150 ms at a time (docs/performance.md, item 5). So a
// transaction's BEGIN IMMEDIATE does not wait in SQLite: it is tried with
// busy_timeout 0 and tried again every lockPoll, up to busyTimeout, and a
// writer takes the lock within a few milliseconds of its release. Each try
// costs a few microseconds; the statements inside the transaction wait as
// before (they hold the write lock already, so they rarely need to).
const lockPoll = 2 * time.Millisecond

// lockWait is busyTimeout, shortened by tests.
var lockWait = busyTimeout

// lockTries counts the tries at BEGIN that found the lock taken (tests).
var lockTries func()

// isBusy reports whether err is SQLite's SQLITE_BUSY: the lock is taken.
func isBusy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.Code == sqlite3.ErrBusy
}

// txOnConn runs fn in a transaction on conn (SQLite), waiting for the
// write lock by polling (lockPoll) rather than in SQLite's busy handler. It
// returns when fn began (zero when the transaction never began). conn is
// left with its busy_timeout as it was found (busyTimeout); when that
// cannot be put back, healthy is false and the caller must discard conn.
func (d *DB) txOnConn(ctx context.Context, conn *sql.Conn, fn func(tx *gorm.DB) error) (began time.Time, healthy bool, err error) {
	g := d.DB.WithContext(ctx)
	g.Statement.ConnPool = conn
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout=0"); err != nil {
		return began, false, err
	}
	restored := false
	defer func() {
		if !restored {
			_, rerr := conn.ExecContext(context.Background(), busyTimeoutPragma)
			healthy = rerr == nil
		}
	}()
	deadline := time.Now().Add(lockWait)
	for {
		err = g.Transaction(func(tx *gorm.DB) error {
			began = time.Now()
			// Inside, statements wait in SQLite as every connection's do.
			if err := tx.Exec(busyTimeoutPragma).Error; err != nil {
				return err
			}
			restored = true
			return fn(tx)
		})
		if !began.IsZero() || !isBusy(err) || time.Now().After(deadline) {
			return began, true, err
		}
		if lockTries != nil {
			lockTries()
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return began, true, ctx.Err()
		case <-t.C:
		}
	}
}

// busyTimeoutPragma sets a connection's busy_timeout back to busyTimeout.
var busyTimeoutPragma = "PRAGMA busy_timeout=" + strconv.Itoa(int(busyTimeout/time.Millisecond))

// sqliteTx is Tx on SQLite: fn on a connection of its own, whose BEGIN
// polls for the write lock (txOnConn).
func (d *DB) sqliteTx(ctx context.Context, fn func(tx *gorm.DB) error) (time.Time, error) {
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return time.Time{}, err
	}
	began, healthy, err := d.txOnConn(ctx, conn, fn)
	if !healthy {
		// Never hand a connection that would not wait for locks to others.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
	return began, err
}
