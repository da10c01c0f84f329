package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Times on SQLite are integers.
//
// SQLite has no time type: mattn/go-sqlite3 writes a time.Time as the text
// "2006-01-02 15:04:05.999999999-07:00" (35 bytes, in the row and in every
// index over it) and reads it back by parsing that text whenever the column
// is declared TIMESTAMP. At hospital scale that text was a fifth of a cycle's
// bytes and most of its date-keyed indexes (docs/performance.md, session 19).
// Since migration 00045 every time column of the SQLite schema is declared
// TimeType and holds the time as integer microseconds since 1970 (UTC), the
// precision PostgreSQL's timestamp keeps; PostgreSQL is unchanged.
//
// The conversion is made here, once for every statement, by the driver
// Onramp opens SQLite with (sqliteDriver), so the rest of the code keeps
// passing and scanning time.Time whichever the database:
//   - every time.Time parameter (also *time.Time, sql.NullTime and other
//     valuers that give a time) is bound as its Unix microseconds;
//   - every result column declared TimeType is handed over as a time.Time
//     in UTC (NULL stays nil).
//
// What the driver cannot see: a result column that is an expression (MAX,
// COALESCE, CASE, a UNION's branch) has no declared type, so a time there
// comes back as an int64; scan it with TimeScanner or NullTimeScanner. And a
// time written as text into SQL (a literal, t.Format as a parameter) is
// text, which SQLite orders after every integer: always pass time.Time.
const TimeType = "TIMESTAMP_US"

// timeDecls are the declared types of SQLite's time columns, as mattn
// reports them: TimeType, and the DATE_US and DATETIME_US that migration
// 00045 gave columns declared DATE and DATETIME.
var timeDecls = map[string]bool{"timestamp_us": true, "date_us": true, "datetime_us": true}

// The driver name Onramp opens SQLite with.
const sqliteDriverName = "onramp-sqlite3"

func init() {
	sql.Register(sqliteDriverName, &timeDriver{inner: &sqlite3.SQLiteDriver{ConnectHook: registerTimeFuncs}})
}

// registerTimeFuncs gives every connection the functions migration 00045
// converts the stored text with (and back, when it is undone).
func registerTimeFuncs(c *sqlite3.SQLiteConn) error {
	if err := c.RegisterFunc("onramp_time_micros", timeTextMicros, true); err != nil {
		return err
	}
	return c.RegisterFunc("onramp_time_text", microsTimeText, true)
}

// sqliteTextTimes are the layouts mattn reads a TIMESTAMP column's text
// with (sqlite3.SQLiteTimestampFormats), in its order.
var sqliteTextTimes = sqlite3.SQLiteTimestampFormats

// parseSQLiteTextTime reads a time SQLite stored as text, as mattn did when
// it read a TIMESTAMP column.
func parseSQLiteTextTime(s string) (time.Time, error) {
	s = strings.TrimSuffix(s, "Z")
	for _, layout := range sqliteTextTimes {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time SQLite stored", s)
}

// timeTextMicros is onramp_time_micros(x): a stored time as microseconds.
// Integers are already converted (a migration run again finds them);
// text that is no time fails the statement, naming the value.
func timeTextMicros(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case string:
		if x == "" {
			// mattn read text it could not parse as the zero time.
			return time.Time{}.UnixMicro(), nil
		}
		t, err := parseSQLiteTextTime(x)
		if err != nil {
			return nil, err
		}
		return t.UnixMicro(), nil
	case []byte:
		if x == nil {
			return nil, nil // mattn passes NULL as a nil []byte
		}
		t, err := parseSQLiteTextTime(string(x))
		if err != nil {
			return nil, err
		}
		return t.UnixMicro(), nil
	}
	return nil, fmt.Errorf("a time cannot be a %T", v)
}

// microsTimeText is onramp_time_text(x), the way back: microseconds as the
// text mattn writes.
func microsTimeText(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return string(x), nil
	case int64:
		return time.UnixMicro(x).UTC().Format(sqliteTextTimes[0]), nil
	case string:
		return x, nil
	}
	return nil, fmt.Errorf("a time cannot be a %T", v)
}

// timeDriver is mattn's driver with times as integers.
type timeDriver struct{ inner *sqlite3.SQLiteDriver }

func (d *timeDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.inner.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &timeConn{c.(*sqlite3.SQLiteConn)}, nil
}

// SQLiteConn is the driver connection under conn.Raw's argument, for the
// few uses of mattn's own API (an authorizer, a trace).
func SQLiteConn(dc any) (*sqlite3.SQLiteConn, bool) {
	switch c := dc.(type) {
	case *timeConn:
		return c.SQLiteConn, true
	case *sqlite3.SQLiteConn:
		return c, true
	}
	return nil, false
}

// timeConn is a mattn connection whose statements convert times.
type timeConn struct{ *sqlite3.SQLiteConn }

var (
	_ driver.Conn               = (*timeConn)(nil)
	_ driver.ConnBeginTx        = (*timeConn)(nil)
	_ driver.ConnPrepareContext = (*timeConn)(nil)
	_ driver.ExecerContext      = (*timeConn)(nil)
	_ driver.QueryerContext     = (*timeConn)(nil)
	_ driver.Pinger             = (*timeConn)(nil)
	_ driver.NamedValueChecker  = (*timeConn)(nil)
)

// CheckNamedValue converts a parameter as database/sql would, then a time
// to its microseconds.
func (c *timeConn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	if t, ok := v.(time.Time); ok {
		v = t.UnixMicro()
	}
	nv.Value = v
	return nil
}

func (c *timeConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *timeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &timeStmt{s.(*sqlite3.SQLiteStmt)}, nil
}

func (c *timeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.SQLiteConn.QueryContext(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return newTimeRows(r), nil
}

func (c *timeConn) Query(query string, args []driver.Value) (driver.Rows, error) {
	r, err := c.SQLiteConn.Query(query, args)
	if err != nil {
		return nil, err
	}
	return newTimeRows(r), nil
}

// timeStmt is a prepared statement whose rows convert times.
type timeStmt struct{ *sqlite3.SQLiteStmt }

func (s *timeStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	r, err := s.SQLiteStmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return newTimeRows(r), nil
}

func (s *timeStmt) Query(args []driver.Value) (driver.Rows, error) {
	r, err := s.SQLiteStmt.Query(args)
	if err != nil {
		return nil, err
	}
	return newTimeRows(r), nil
}

// timeRows hands over the columns declared TimeType as time.Time.
type timeRows struct {
	*sqlite3.SQLiteRows
	times []int // indexes of the columns declared TimeType; nil until known
}

func newTimeRows(r driver.Rows) driver.Rows {
	rows, ok := r.(*sqlite3.SQLiteRows)
	if !ok {
		return r
	}
	return &timeRows{SQLiteRows: rows}
}

func (r *timeRows) Next(dest []driver.Value) error {
	if err := r.SQLiteRows.Next(dest); err != nil {
		return err
	}
	if r.times == nil {
		r.times = []int{}
		for i, d := range r.SQLiteRows.DeclTypes() {
			if timeDecls[d] {
				r.times = append(r.times, i)
			}
		}
	}
	for _, i := range r.times {
		if i < len(dest) {
			if n, ok := dest[i].(int64); ok {
				dest[i] = time.UnixMicro(n).UTC()
			}
		}
	}
	return nil
}

var timeType = reflect.TypeOf(time.Time{})

// ColumnTypeScanType says time.Time for a TimeType column.
func (r *timeRows) ColumnTypeScanType(i int) reflect.Type {
	if timeDecls[strings.ToLower(r.SQLiteRows.ColumnTypeDatabaseTypeName(i))] {
		return timeType
	}
	return r.SQLiteRows.ColumnTypeScanType(i)
}

// TimeScanner scans a time from either database, also where SQLite gives
// no declared type (an expression over a time column gives its integer).
type TimeScanner struct{ T *time.Time }

// Scan implements sql.Scanner.
func (s TimeScanner) Scan(v any) error {
	t, ok, err := scanTime(v)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("a time cannot be NULL here")
	}
	*s.T = t
	return nil
}

// NullTimeScanner is TimeScanner where NULL is allowed: *T becomes the zero time.
type NullTimeScanner struct{ T *time.Time }

// Scan implements sql.Scanner.
func (s NullTimeScanner) Scan(v any) error {
	t, _, err := scanTime(v)
	if err != nil {
		return err
	}
	*s.T = t
	return nil
}

// scanTime reads what a driver gives for a time: time.Time (PostgreSQL, or
// a TimeType column), int64 microseconds (an expression on SQLite), or text
// (SQLite's text times, before migration 00045).
func scanTime(v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return x, true, nil
	case int64:
		return time.UnixMicro(x).UTC(), true, nil
	case string:
		t, err := parseSQLiteTextTime(x)
		return t, err == nil, err
	case []byte:
		t, err := parseSQLiteTextTime(string(x))
		return t, err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("a time cannot be a %T", v)
}
