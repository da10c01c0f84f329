package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// holdWriteLock takes SQLite's write lock on path from a connection of its
// own (another process, as far as SQLite can tell) and keeps it until the
// returned function is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	other.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, 'Held', '2026-01-01', '2026-01-01')`,
		fmt.Sprint("held-", time.Now().UnixNano())); err != nil {
		t.Fatal(err)
	}
	var once atomic.Bool
	release = func() {
		if once.Swap(true) {
			return
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Error(err)
		}
		_ = conn.Close()
		_ = other.Close()
	}
	t.Cleanup(release)
	return release
}

// countLockTries counts the tries at BEGIN that found the lock taken,
// until the test ends.
func countLockTries(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	lockTries = func() { n.Add(1) }
	t.Cleanup(func() { lockTries = nil })
	return &n
}

// TestTxPollsForTheWriteLock: a transaction that finds SQLite's write lock
// taken tries again every few milliseconds (not in SQLite's busy handler,
// which looks only every 100 ms once a writer has waited a quarter of a
// second, so writers slept through the pauses a pass leaves them), takes
// the lock once it is free, and leaves its connection waiting for locks as
// every connection does. Past busyTimeout, or when its context ends, it
// gives up with SQLite's error, or the context's.
func TestTxPollsForTheWriteLock(t *testing.T) {
	// Not parallel: lockTries and lockWait are package variables.
	d := newTestDB(t)
	if d.Dialect != SQLite {
		t.Skip("SQLite's write lock")
	}
	d.SQL().SetMaxOpenConns(1) // the connection checked after is the one used
	ctx := context.Background()
	path, err := d.sqliteFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	busyTimeoutOf := func() int {
		t.Helper()
		var v int
		if err := d.SQL().QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	insert := func(id string) func(tx *gorm.DB) error {
		return func(tx *gorm.DB) error {
			now := time.Now().UTC()
			return tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, id, id, now, now).Error
		}
	}

	for _, c := range []struct {
		what string
		tx   func(context.Context, func(*gorm.DB) error) error
	}{
		{"Tx", d.Tx},
		{"BulkTx", d.BulkTx},
	} {
		tries := countLockTries(t)
		release := holdWriteLock(t, path)
		held := 300 * time.Millisecond
		go func() { time.Sleep(held); release() }()
		began := time.Now()
		if err := c.tx(ctx, insert("after-"+c.what)); err != nil {
			t.Fatalf("%s after the lock was released: %v", c.what, err)
		}
		if waited := time.Since(began); waited < held {
			t.Fatalf("%s: committed after %v, before the lock held for %v was released", c.what, waited, held)
		}
		// Every 2 ms for 300 ms is some 150 tries; SQLite's own wait
		// would be one.
		if n := tries.Load(); n < 10 {
			t.Errorf("%s: %d tries at the lock while it was held for %v", c.what, n, held)
		}
		if got := busyTimeoutOf(); got != 10000 {
			t.Errorf("after %s the connection's busy_timeout is %d, want 10000", c.what, got)
		}
	}

	// Held for longer than a writer waits: SQLite's "database is locked".
	defer func(w time.Duration) { lockWait = w }(lockWait)
	lockWait = 100 * time.Millisecond
	release := holdWriteLock(t, path)
	err = d.Tx(ctx, insert("never"))
	if !isBusy(err) {
		t.Fatalf("the lock held past the wait: %v, want SQLITE_BUSY", err)
	}
	if got := busyTimeoutOf(); got != 10000 {
		t.Errorf("after giving up, busy_timeout is %d, want 10000", got)
	}
	// The context ends while it waits.
	lockWait = busyTimeout
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := d.Tx(cctx, insert("cancelled")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled while waiting: %v, want the context's error", err)
	}
	release()
	if got := busyTimeoutOf(); got != 10000 {
		t.Errorf("after a cancelled wait, busy_timeout is %d, want 10000", got)
	}
	var n int
	if err := d.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM courses WHERE id IN ('never', 'cancelled')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("writes that never got the lock: %d rows (%v)", n, err)
	}
}
