package report

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// nullTime scans a timestamp as either driver returns it: PostgreSQL and
// SQLite (for a column declared as a time) give a time.Time, but SQLite
// gives its stored microseconds for an expression (CASE, COALESCE, MAX;
// internal/db/sqlitetime.go), and text for a time written as text.
type nullTime struct {
	Time  time.Time
	Valid bool
}

// timeLayouts are the ways SQLite drivers write a time as text.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (n *nullTime) Scan(v any) error {
	n.Time, n.Valid = time.Time{}, false
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		n.Time, n.Valid = x.UTC(), true
		return nil
	case int64:
		n.Time, n.Valid = time.UnixMicro(x).UTC(), true
		return nil
	case []byte:
		return n.parse(string(x))
	case string:
		return n.parse(x)
	}
	return fmt.Errorf("cannot read %T as a time", v)
}

// Value implements driver.Valuer.
func (n nullTime) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.Time, nil
}

func (n *nullTime) parse(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			n.Time, n.Valid = t.UTC(), true
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", s)
}

// ptr returns the time or nil.
func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}
