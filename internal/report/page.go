package report

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// keyKind is how an order key is scanned and written in a cursor.
type keyKind int

const (
	keyString keyKind = iota
	keyTime
)

// orderKey is one column of a report's order.
type orderKey struct {
	expr string
	kind keyKind
}

// byName is the people-in-name-order part of most reports' order, which
// compliance_status_name_idx (and the other indexes of
// migrations/00017_report_pages.sql) give without sorting.
var byName = []orderKey{{"s.sort_name", keyString}, {"s.employee_id", keyString}, {"s.course_id", keyString}}

func (p *plan) orderBy(desc bool) string {
	parts := make([]string, len(p.keys))
	for i, k := range p.keys {
		parts[i] = k.expr
		if desc {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// pageKeyCount is how many leading keys identify a row of the report as
// people see it (a pivoted row is several raw rows).
func (p *plan) pageKeyCount() int {
	if p.pageKeys > 0 {
		return p.pageKeys
	}
	return len(p.keys)
}

// after limits the plan to the rows after (or, before, before) key in its
// order: a row-value comparison, which both databases answer with a range
// scan of the index in that order.
func (p *plan) after(key []any, before bool) {
	n := p.pageKeyCount()
	exprs := make([]string, n)
	marks := make([]string, n)
	for i := range n {
		exprs[i], marks[i] = p.keys[i].expr, "?"
	}
	op := " > "
	if before {
		op = " < "
	}
	p.where("("+strings.Join(exprs, ", ")+")"+op+"("+strings.Join(marks, ", ")+")", key...)
}

func newKeyDests(keys []orderKey) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		if k.kind == keyTime {
			out[i] = new(nullTime)
		} else {
			out[i] = new(sql.NullString)
		}
	}
	return out
}

// key is the current raw row's order key: strings and times.
func (r *sqlRows) key() []any {
	out := make([]any, len(r.keys))
	for i, d := range r.keys {
		switch x := d.(type) {
		case *nullTime:
			out[i] = x.Time
		case *sql.NullString:
			out[i] = x.String
		}
	}
	return out
}

// keyer is a Rows that knows the order key of its current row.
type keyer interface{ key() []any }

// PageSize is how many rows a page of a report shows unless asked
// otherwise; MaxPageSize bounds what may be asked.
const (
	PageSize    = 100
	MaxPageSize = 500
)

// Page is one page of a report, in the report's order.
type Page struct {
	Columns []Column
	Rows    [][]any
	// Next and Prev are the cursors of the following and the preceding
	// page; "" when there is none.
	Next, Prev string
}

// cursor is where a page starts: after (or before) the row with this key.
type cursor struct {
	Report string   `json:"r"`
	Before bool     `json:"b,omitempty"`
	Key    []string `json:"k"`
}

// CursorError is a cursor this package did not give out (edited by hand,
// or from another report).
type CursorError struct{}

func (*CursorError) Error() string {
	return "the page link is not one Onramp gave out for this report; start again from the first page"
}

// AppError makes a CursorError a Malformed apperr.Error (400).
func (e *CursorError) AppError() *apperr.Error {
	return &apperr.Error{Code: apperr.Malformed, Message: "That page link is not right: " + e.Error() + ".", Err: e}
}

func (p *plan) encodeCursor(report string, key []any, before bool) string {
	c := cursor{Report: report, Before: before}
	for i, k := range key[:p.pageKeyCount()] {
		switch x := k.(type) {
		case time.Time:
			c.Key = append(c.Key, x.UTC().Format(time.RFC3339Nano))
		case string:
			c.Key = append(c.Key, x)
		default:
			panic(fmt.Sprintf("report: order key %d is a %T", i, k))
		}
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *plan) decodeCursor(report, s string) (key []any, before bool, err error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Report != report || len(c.Key) != p.pageKeyCount() {
		return nil, false, &CursorError{}
	}
	for i, v := range c.Key {
		if p.keys[i].kind == keyTime {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, false, &CursorError{}
			}
			key = append(key, t.UTC())
		} else {
			key = append(key, v)
		}
	}
	return key, c.Before, nil
}

// Page reads one page of the report: the first size rows (size ≤ 0 means
// PageSize) after the cursor, or the first page when cursor is "". It reads
// an index in the report's order from the cursor on and stops after the
// page (one row more, to know whether another page follows), so a page
// costs the same at any depth and at any size of the organisation. A
// cursor that is not one Page gave out is a *CursorError.
func (r *Report) Page(ctx context.Context, d *db.DB, f Filter, now time.Time, cur string, size int) (*Page, error) {
	if size <= 0 {
		size = PageSize
	}
	size = min(size, MaxPageSize)
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return nil, err
	}
	if r.Name == "departments" && f.JobTitle == "" && f.Location == "" && f.Manager == "" {
		return departmentsPage(ctx, d, p, f, now, cur, size)
	}
	var before bool
	if cur != "" {
		var key []any
		if key, before, err = p.decodeCursor(r.Name, cur); err != nil {
			return nil, err
		}
		p.after(key, before)
	}
	rows, err := r.open(ctx, d, p, size+1, before, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &Page{Columns: rows.Columns()}
	var keys [][]any
	for rows.Next() {
		page.Rows = append(page.Rows, slices.Clone(rows.Values()))
		keys = append(keys, rows.(keyer).key())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s report: %w", r.Name, err)
	}
	more := len(page.Rows) > size
	if more {
		page.Rows, keys = page.Rows[:size], keys[:size]
	}
	if before {
		slices.Reverse(page.Rows)
		slices.Reverse(keys)
	}
	if len(page.Rows) == 0 {
		return page, nil
	}
	// Going forward, a page came before this one when there was a cursor;
	// going back, one comes after it always.
	if (!before && more) || before {
		page.Next = p.encodeCursor(r.Name, keys[len(keys)-1], false)
	}
	if (!before && cur != "") || (before && more) {
		page.Prev = p.encodeCursor(r.Name, keys[0], true)
	}
	return page, nil
}

// CountUpTo counts the report's rows (people for the matrix, departments
// for the by-department report) up to limit: it returns limit and true
// when there are more, having read no more than limit+1 index entries.
func (r *Report) CountUpTo(ctx context.Context, d *db.DB, f Filter, now time.Time, limit int) (int, bool, error) {
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return 0, false, err
	}
	q, args := p.countUpToSQL(limit)
	var n int
	if err := d.WithContext(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return 0, false, fmt.Errorf("%s report: count: %w", r.Name, err)
	}
	if n > limit {
		return limit, true, nil
	}
	return n, false, nil
}

// countUpToSQL is CountUpTo's query: the rows (or, for a report of groups,
// the groups) up to limit+1.
func (p *plan) countUpToSQL(limit int) (string, []any) {
	body, args := p.countBody()
	var inner string
	if p.pageKeys > 0 && !p.rowsArePivoted {
		n := p.pageKeyCount()
		exprs := make([]string, n)
		for i := range n {
			exprs[i] = p.keys[i].expr
		}
		group := strings.Join(exprs, ", ")
		inner = "SELECT " + group + body + " GROUP BY " + group + " ORDER BY " + group
	} else {
		inner = "SELECT 1 AS one" + body
	}
	return p.with + fmt.Sprintf("SELECT COUNT(*) FROM (%s LIMIT %d) t", inner, limit+1), args
}

// departmentsPage is the by-department report from the dashboard's sums
// (see LoadDashboard) when the filter is one they hold, department and
// course: the same rows as the query, without reading compliance_status.
func departmentsPage(ctx context.Context, d *db.DB, p *plan, f Filter, now time.Time, cur string, size int) (*Page, error) {
	var key []any
	var before bool
	if cur != "" {
		var err error
		if key, before, err = p.decodeCursor("departments", cur); err != nil {
			return nil, err
		}
	}
	agg, err := dashboards.get(ctx, d, now)
	if err != nil {
		return nil, err
	}
	byDept := map[string]Counts{}
	for _, r := range agg.rows {
		if (f.Department != "" && r.department != f.Department) || (f.Course != "" && r.course != f.Course) {
			continue
		}
		if byDept[r.department] == nil {
			byDept[r.department] = Counts{}
		}
		byDept[r.department][r.status] += r.n
	}
	var names []string
	for name := range byDept {
		if key == nil || (!before && name > key[0].(string)) || (before && name < key[0].(string)) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	more := len(names) > size
	if more && before {
		names = names[len(names)-size:]
	} else if more {
		names = names[:size]
	}
	page := &Page{Columns: departmentColumns}
	for _, name := range names {
		c := byDept[name]
		page.Rows = append(page.Rows, []any{DepartmentName(name), c.Total(), c[StatusCompleted], c[StatusExempt],
			c[StatusInProgress], c[StatusNotStarted], c[StatusOverdue], c[StatusExpired], c.Percent()})
	}
	if len(names) == 0 {
		return page, nil
	}
	if !before && more || before {
		page.Next = p.encodeCursor("departments", []any{names[len(names)-1]}, false)
	}
	if !before && cur != "" || before && more {
		page.Prev = p.encodeCursor("departments", []any{names[0]}, true)
	}
	return page, nil
}
