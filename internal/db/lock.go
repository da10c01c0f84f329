package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// TryAdvisoryLock takes the lock named by key without waiting, for work that
// only one instance may do at a time (the scheduler's pass, for example). ok
// is false when someone else holds it. Call release exactly once when done;
// it is safe to call more than once and is a no-op when ok is false.
//
// On PostgreSQL it is a session-level pg_try_advisory_lock on a connection
// set aside for the holder, so it spans instances and is freed by the server
// if the process dies. The lock lives as long as that connection: keep work
// under it short and take it again for the next pass rather than holding it
// for hours.
//
// On SQLite it is a process-local mutex per database file and key: a SQLite
// database is served by a single instance (several processes on one file are
// not supported), so excluding the goroutines of this process is enough.
func (d *DB) TryAdvisoryLock(ctx context.Context, key int64) (release func(), ok bool, err error) {
	if d.Dialect == Postgres {
		return d.tryPostgresLock(ctx, key)
	}
	return d.trySQLiteLock(ctx, key)
}

func noRelease() {}

func (d *DB) tryPostgresLock(ctx context.Context, key int64) (func(), bool, error) {
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return noRelease, false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	var locked bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&locked); err != nil {
		discardConn(conn)
		return noRelease, false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	if !locked {
		_ = conn.Close()
		return noRelease, false, nil
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			// The caller's context may be done by now; unlocking must still happen.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			var unlocked bool
			err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&unlocked)
			if err != nil || !unlocked {
				// Never hand a session that may still hold the lock back to the
				// pool: closing it makes the server drop the lock.
				discardConn(conn)
				return
			}
			_ = conn.Close()
		})
	}
	return release, true, nil
}

// discardConn closes the server session behind conn instead of returning it
// to the pool.
func discardConn(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// sqliteLocks holds the process-local locks, by database file and key.
var sqliteLocks sync.Map // sqliteLockName → *sync.Mutex

type sqliteLockName struct {
	file string
	key  int64
}

func (d *DB) trySQLiteLock(ctx context.Context, key int64) (func(), bool, error) {
	file, err := d.sqliteFile(ctx)
	if err != nil {
		return noRelease, false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	m, _ := sqliteLocks.LoadOrStore(sqliteLockName{file, key}, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return noRelease, false, nil
	}
	var once sync.Once
	return func() { once.Do(mu.Unlock) }, true, nil
}

// sqliteFile names the main database file, so two handles on one file share
// their locks and two test databases do not.
func (d *DB) sqliteFile(ctx context.Context) (string, error) {
	rows, err := d.SQL().QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" {
			return file, nil
		}
	}
	return "", rows.Err()
}
