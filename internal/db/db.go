// Package db opens Onramp's database (SQLite by default, PostgreSQL when the
// URL says so), applies the embedded goose migrations, and offers the small
// helpers every store uses: new IDs and transactions.
//
// SQLite is opened for evidence-grade records: WAL, a busy timeout, foreign
// keys on, synchronous=FULL, and write transactions that take the write lock
// at BEGIN so two writers never deadlock on an upgrade. A transaction (Tx,
// BulkTx) that finds the lock taken tries again every 2 ms for up to the
// busy timeout (writelock.go) rather than in SQLite's busy handler, which
// looks only every 100 ms once a writer has waited a while. Long batch jobs (a
// scheduler pass, an import) write through BulkTx, whose connection trades
// each batch's own flush for throughput, and size their batches with a
// Pacer so no transaction holds the write lock for long, pausing after
// each so that the writers waiting get it. A job's transactions run on one
// connection through a Bulk, which tells each whether anything but the job
// wrote since its last commit (bulkjob.go): the job reads its next batch
// during the pause, on the other core, and uses those reads when nothing
// did, or when nobody changed a table they read (change marks: triggers of
// migration 00042 count every change of the tables jobs read ahead, and
// SQLite's authorizer names the tables a read ahead read).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database family behind a *DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the opened database with its dialect.
type DB struct {
	*gorm.DB
	Dialect Dialect
	// bulk is BulkTx's checkpoint bookkeeping.
	bulk *bulkState
}

// DialectOf tells which dialect a database URL selects.
func DialectOf(dsn string) Dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// SQLitePath turns a SQLite database URL (a plain path, sqlite://path or
// file:path) into a file path.
func SQLitePath(dsn string) string {
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		return strings.TrimPrefix(dsn, "sqlite://")
	case strings.HasPrefix(dsn, "file:"):
		p := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return p
	}
	return dsn
}

// Open connects to the database named by dsn. It does not migrate.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:  newGormLogger(log),
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Stores name their tables explicitly; never let GORM guess.
		DisableAutomaticPing: false,
	}
	switch DialectOf(dsn) {
	case Postgres:
		return openPostgres(ctx, dsn, cfg)
	default:
		return openSQLite(ctx, SQLitePath(dsn), cfg)
	}
}

func openSQLite(ctx context.Context, path string, cfg *gorm.Config) (*DB, error) {
	if path == "" {
		return nil, errors.New("no SQLite file path given")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	q := url.Values{}
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout/time.Millisecond)))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	// SQLite's default page cache is 2 MB per connection: at hospital
	// scale the indexes a write batch touches (cycles, compliance_status)
	// do not fit, and every index update re-reads its pages from the
	// operating system. 64 MB per connection keeps a batch's pages cached
	// (memory grows only as pages are read).
	q.Set("_cache_size", "-65536")
	// No statement cache (_stmt_cache_size): a Bulk's read ahead learns
	// the tables it read from SQLite's authorizer, which sees a statement
	// only when it is prepared.
	dsn := "file:" + path + "?" + q.Encode()
	// Onramp's SQLite driver stores times as integers (sqlitetime.go).
	driverName := sqliteDriverName
	if traceDriver != "" {
		driverName = traceDriver
	}
	dialector := sqlite.New(sqlite.Config{DriverName: driverName, DSN: dsn})
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	// One writer at a time is SQLite's rule; a small pool keeps readers
	// concurrent under WAL without piling up waiting writers.
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	var fk int
	if err := sqlDB.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		return nil, fmt.Errorf("open SQLite %s: foreign keys could not be enabled", path)
	}
	return &DB{DB: g, Dialect: SQLite, bulk: &bulkState{}}, nil
}

// SQL returns the underlying *sql.DB.
func (d *DB) SQL() *sql.DB {
	s, err := d.DB.DB()
	if err != nil {
		// gorm only fails here when the pool is not a *sql.DB, which Open never does.
		panic(err)
	}
	return s
}

// Close closes the connection pool.
func (d *DB) Close() error {
	if traceReport != nil && d.Dialect == SQLite {
		traceReport()
	}
	return d.SQL().Close()
}

// A binary built with -tags sqlite_trace opens SQLite through traceDriver
// and calls traceReport when the database is closed (sqltrace.go).
var (
	traceDriver string
	traceReport func()
)

// Tx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise. On SQLite its BEGIN waits for the write lock by trying again
// every few milliseconds (lockPoll), so a writer gets the lock within
// moments of its release, however long it has waited.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	_, err := d.TxHeld(ctx, fn)
	return err
}

// TxHeld is Tx, and also returns how long the transaction held its locks,
// as BulkTxHeld does: from the moment fn starts to the end of COMMIT.
func (d *DB) TxHeld(ctx context.Context, fn func(tx *gorm.DB) error) (time.Duration, error) {
	if d.Dialect == SQLite {
		began, err := d.sqliteTx(ctx, fn)
		return heldSince(began), err
	}
	var began time.Time
	err := d.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		began = time.Now()
		return fn(tx)
	})
	return heldSince(began), err
}

// NewID returns a new time-ordered unique ID (UUIDv7) as text.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.SQL().PingContext(ctx)
}

// slowStatement is how long a statement runs before it is logged as a warning.
const slowStatement = 500 * time.Millisecond

type gormLogger struct {
	log *slog.Logger
	// slow is the slow-statement threshold (slowStatement; tests lower it).
	slow time.Duration
}

func newGormLogger(log *slog.Logger) logger.Interface {
	return gormLogger{log: log, slow: slowStatement}
}

func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.DebugContext(ctx, fmt.Sprintf(msg, args...))
}
func (g gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (g gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// ParamsFilter drops a statement's arguments before GORM writes them into
// the SQL text it hands to Trace: arguments hold e-mail addresses, names,
// password hashes and token digests. The logged SQL keeps its placeholders.
// (GORM calls this through its gorm.ParamsFilter interface.)
func (g gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// quoted matches a quoted string in SQL text, with its doubled quotes.
// GORM's Scan and Row record a statement through a logger of their own,
// which writes the arguments into the text before Trace sees it, so Trace
// takes out every quoted string (and with them, on PostgreSQL, quoted
// names). Numbers stay: no secret is a bare number.
var quoted = regexp.MustCompile(`'(?:[^']|'')*'|"(?:[^"]|"")*"`)

// Trace logs slow statements (and every statement at debug level), with
// placeholders where the arguments were: ParamsFilter keeps the values out.
func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if elapsed < g.slow && !g.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	sqlText, rows := fc()
	if i := strings.Index(sqlText, " VALUES "); i > 0 {
		sqlText = sqlText[:i] + " VALUES …"
	}
	sqlText = quoted.ReplaceAllString(sqlText, "?")
	level := slog.LevelDebug
	if elapsed >= g.slow {
		level = slog.LevelWarn
	}
	g.log.Log(ctx, level, "sql", "elapsed", elapsed, "rows", rows, "sql", sqlText)
}
