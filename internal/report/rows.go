package report

import (
	"database/sql"
	"strconv"
	"time"
)

// Column is one column of a report: Key names it in JSON and on the
// command line, Title heads it in CSV, XLSX and on the page.
type Column struct {
	Key   string
	Title string
}

// Date is a calendar day (a due date, an expiry date): written 2006-01-02.
type Date time.Time

// Rows is a report being read, one row at a time, straight from a database
// cursor: nothing holds more than the current row (the matrix, one person).
// A value is a string, an int, a Date, a time.Time (an instant, UTC) or
// nil (empty).
type Rows interface {
	Columns() []Column
	// Next moves to the next row; false at the end or on an error.
	Next() bool
	// Values is the current row; it is valid until the next call to Next.
	Values() []any
	Err() error
	Close() error
}

// Text writes a value for people: dates as 2006-01-02, instants as
// 2006-01-02 15:04 UTC.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case Date:
		return time.Time(x).Format(time.DateOnly)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ""
}

// machineText writes a value for files other programs read: instants in
// RFC 3339.
func machineText(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339)
	}
	return Text(v)
}

// sqlRows reads a database cursor, turning each row into values with scan.
type sqlRows struct {
	columns []Column
	rows    *sql.Rows
	scan    func(*sql.Rows, []any) ([]any, error)
	// keys receive the row's order keys (see plan.keys), after its values.
	keys    []any
	current []any
	err     error
	// lastRead is called once, when the cursor is exhausted (tests observe it).
	lastRead func()
}

func (r *sqlRows) Columns() []Column { return r.columns }

func (r *sqlRows) Next() bool {
	if r.err != nil || r.rows == nil {
		return false
	}
	if !r.rows.Next() {
		r.err = r.rows.Err()
		if r.lastRead != nil {
			r.lastRead()
			r.lastRead = nil
		}
		return false
	}
	r.current, r.err = r.scan(r.rows, r.keys)
	return r.err == nil
}

func (r *sqlRows) Values() []any { return r.current }
func (r *sqlRows) Err() error    { return r.err }

func (r *sqlRows) Close() error {
	if r.rows == nil {
		return nil
	}
	return r.rows.Close()
}

// Helpers turning scanned columns into values.

func str(s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	return s.String
}

func day(t nullTime) any {
	if !t.Valid {
		return nil
	}
	return Date(t.Time)
}

func instant(t nullTime) any {
	if !t.Valid {
		return nil
	}
	return t.Time
}

func integer(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return int(n.Int64)
}

// daysBetween counts whole days from a to b (both days).
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Hours() / 24)
}
