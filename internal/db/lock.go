package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strconv"
	"strings"
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
// On SQLite it is a mutex per database file and key within the process,
// and, across processes, an operating-system lock (flock) on the file
// LockFile names, beside the database: while a process holds any key,
// another process gets none (they exclude each other wholesale; within one
// process, keys are independent). The operating system frees the file lock
// when the holder dies, however it dies. On systems without flock only the
// process-local mutex remains.
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

// fileLocks holds this process's locks on lock files, by path: the file
// stays locked while any key of its database is held here.
var fileLocks sync.Map // path → *fileLock

type fileLock struct {
	mu   sync.Mutex
	held int
	f    *os.File
}

// LockFile is the file beside a SQLite database that TryAdvisoryLock locks
// across processes: the database file's name with ".lock" added. It is ""
// on PostgreSQL and for a database without a file.
func (d *DB) LockFile(ctx context.Context) (string, error) {
	if d.Dialect == Postgres {
		return "", nil
	}
	file, err := d.sqliteFile(ctx)
	if err != nil || file == "" {
		return "", err
	}
	return file + ".lock", nil
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
	if file == "" {
		var once sync.Once
		return func() { once.Do(mu.Unlock) }, true, nil
	}
	path := file + ".lock"
	v, _ := fileLocks.LoadOrStore(path, &fileLock{})
	fl := v.(*fileLock)
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.held == 0 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			mu.Unlock()
			return noRelease, false, fmt.Errorf("advisory lock %d: open lock file: %w", key, err)
		}
		locked, err := tryLockFile(f)
		if err != nil || !locked {
			_ = f.Close()
			mu.Unlock()
			if err != nil {
				return noRelease, false, fmt.Errorf("advisory lock %d: lock %s: %w", key, path, err)
			}
			return noRelease, false, nil
		}
		// Who holds it, for the message another process gives.
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		fl.f = f
	}
	fl.held++
	var once sync.Once
	return func() {
		once.Do(func() {
			fl.mu.Lock()
			fl.held--
			if fl.held == 0 {
				_ = unlockFile(fl.f)
				_ = fl.f.Close()
				fl.f = nil
			}
			fl.mu.Unlock()
			mu.Unlock()
		})
	}, true, nil
}

// LockHolder is the process ID written in a lock file by the process that
// holds it, or "" if unknown.
func LockHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	pid := strings.TrimSpace(string(b))
	if _, err := strconv.Atoi(pid); err != nil {
		return ""
	}
	return pid
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
