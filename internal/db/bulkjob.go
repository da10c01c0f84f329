package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
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
// Quiet means that nothing the job read ahead has changed since its last
// commit, told two ways on SQLite:
//
//   - PRAGMA data_version on the job's connection did not change: no other
//     connection, of this process or another, committed anything (the
//     job's own commits and checkpoints of the log do not change it);
//   - or every table the read ahead read (SQLite's authorizer on the
//     reading connection names them as its statements are prepared) has a
//     change mark, and none of those marks moved. A mark is a row of
//     change_marks that triggers bump on every insert, update and delete of
//     its table, by whatever connection or process (migration 00042). So a
//     learner's progress, the outbox or the audit log written beside a
//     pass leaves it quiet, while a completion (cycles) does not.
//
// On PostgreSQL no transaction is quiet (DetectsWrites is false): the job
// reads inside its transactions as before.
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
	// marks is whether the database keeps change marks; markBase holds
	// them as read right after the last commit (valid with known).
	marks    bool
	markBase map[string]int64
	// recording collects the tables the reading connection's statements
	// read while ReadDuring's read runs (its authorizer adds to it);
	// readTables is what the last read ahead read, for the next
	// transaction (nil: no read ahead, or one that cannot be told).
	recording  map[string]bool
	readTables map[string]bool
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
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'change_marks'").Scan(&n); err != nil {
		b.Close()
		return nil, fmt.Errorf("bulk transaction: %w", err)
	}
	b.marks = n > 0
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
// committed since this Bulk's last transaction committed, or when none
// has changed a table that the read ahead since then (ReadDuring) read;
// it is false for the first transaction, after a failed one, and always
// on PostgreSQL.
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
	read := b.readTables
	b.readTables = nil
	// Its BEGIN polls for the write lock, as Tx's does (txOnConn).
	began, ok, err := d.txOnConn(ctx, b.conn, func(tx *gorm.DB) error {
		quiet := false
		if known {
			v, err := dataVersion(tx)
			if err != nil {
				return err
			}
			quiet = v == b.version
			if !quiet && len(read) > 0 && b.marks {
				if quiet, err = b.unmarked(tx, read); err != nil {
					return err
				}
			}
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
		if b.marks {
			base, merr := readMarks(context.WithoutCancel(ctx), b.conn)
			if merr != nil {
				return held, nil
			}
			b.markBase = base
		}
		b.version, b.known = v, true
	}
	return held, nil
}

// unmarked reports whether every table in read has a change mark that has
// not moved since the last commit.
func (b *Bulk) unmarked(tx *gorm.DB, read map[string]bool) (bool, error) {
	rows, err := tx.Raw("SELECT name, n FROM change_marks").Rows()
	if err != nil {
		return false, fmt.Errorf("bulk transaction: read change marks: %w", err)
	}
	now, err := scanMarks(rows)
	if err != nil {
		return false, fmt.Errorf("bulk transaction: read change marks: %w", err)
	}
	for table := range read {
		was, ok := b.markBase[table]
		if !ok || now[table] != was {
			return false, nil
		}
	}
	return true, nil
}

// readMarks reads every change mark on conn.
func readMarks(ctx context.Context, conn *sql.Conn) (map[string]int64, error) {
	rows, err := conn.QueryContext(ctx, "SELECT name, n FROM change_marks")
	if err != nil {
		return nil, err
	}
	return scanMarks(rows)
}

func scanMarks(rows *sql.Rows) (map[string]int64, error) {
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		m[name] = n
	}
	return m, rows.Err()
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
		// SQLite's authorizer names every table a statement reads as it is
		// prepared: ReadDuring records them for the next transaction.
		err = conn.Raw(func(dc any) error {
			c, ok := SQLiteConn(dc)
			if !ok {
				return fmt.Errorf("bulk transaction: the reading connection is a %T", dc)
			}
			c.RegisterAuthorizer(func(op int, table, _, schema string) int {
				if op == sqlite3.SQLITE_READ && b.recording != nil && !strings.HasPrefix(table, "sqlite_") {
					b.recording[schema+"."+table] = true
				}
				return sqlite3.SQLITE_OK
			})
			return nil
		})
		if err != nil {
			conn.Close()
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
	recording := map[string]bool{}
	b.recording = recording
	go func() {
		q, err := b.Reader(ctx)
		if err == nil {
			err = read(q)
		}
		done <- err
	}()
	pause(ctx)
	err := <-done
	b.recording = nil
	if err != nil {
		return false
	}
	// Tables of the main database only: anything else (a temporary
	// table, an attached database) has no mark, so the next transaction
	// is quiet only when nothing at all was written.
	tables := map[string]bool{}
	for name := range recording {
		table, ok := strings.CutPrefix(name, "main.")
		if !ok {
			tables = nil
			break
		}
		tables[table] = true
	}
	b.readTables = tables
	return true
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
