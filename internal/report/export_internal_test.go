package report

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// PageSQL is the query Page runs (after the cursor when there is one),
// for the tests that check its plan.
func (r *Report) PageSQL(ctx context.Context, d *db.DB, f Filter, now time.Time, cur string, size int) (string, []any, error) {
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return "", nil, err
	}
	before := false
	if cur != "" {
		var key []any
		if key, before, err = p.decodeCursor(r.Name, cur); err != nil {
			return "", nil, err
		}
		p.after(key, before)
	}
	if err := p.preferOrder(ctx, d); err != nil {
		return "", nil, err
	}
	q, args := p.sql(size+1, before, true)
	return q, args, nil
}

// CountSQL is the query CountUpTo runs, for the tests that check its plan.
func (r *Report) CountSQL(ctx context.Context, d *db.DB, f Filter, now time.Time, limit int) (string, []any, error) {
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return "", nil, err
	}
	q, args := p.countUpToSQL(limit)
	return q, args, nil
}

// SetOrderWalkRows sets how many rows a filter must match before a page is
// read in the report's order, until the returned function puts it back.
// Tests that call it must not run in parallel.
func SetOrderWalkRows(n int64) (restore func()) {
	old := orderWalkRows.Swap(n)
	return func() { orderWalkRows.Store(old) }
}

// TeamReadByChain makes TeamOf read every part of the team by walking
// the chain down; TeamReadByName, from the whole staff by name, giving way
// to the chain after budget people.
func TeamReadByChain(ctx context.Context) context.Context {
	return context.WithValue(ctx, teamWayKey{}, teamWay{chain: true})
}

// TeamReadInOneWalk makes TeamOf read each page in one walk of the chain
// sorted by (rank, name): from the walk kept in memory, or (kept false)
// one walk a page.
func TeamReadInOneWalk(ctx context.Context, kept bool) context.Context {
	return context.WithValue(ctx, teamWayKey{}, teamWay{oneWalk: true, notKept: !kept})
}

func TeamReadByName(ctx context.Context, budget int) context.Context {
	return context.WithValue(ctx, teamWayKey{}, teamWay{scanBudget: budget})
}

// TeamQuery is one of TeamOf's queries, for the tests that check plans.
type TeamQuery struct {
	Name string
	SQL  string
	Args []any
}

// TeamSQL are TeamOf's queries for a manager and filter: the counts,
// reading by name (first page, after a cursor, before one), by the
// chain, and in one walk of it (first page, after a cursor, before one).
func TeamSQL(d *db.DB, managerID string, f Filter) []TeamQuery {
	q := newTeamQuery(d, managerID, f)
	key := &teamKey{rank: 0, last: "M", first: "A", id: "x"}
	var out []TeamQuery
	add := func(name, s string, args []any) { out = append(out, TeamQuery{name, s, args}) }
	s, a := q.countSQL()
	add("count", s, a)
	s, a = q.scanSQL(nil, false, 100)
	add("by name", s, a)
	s, a = q.scanSQL(key, false, 100)
	add("by name after", s, a)
	s, a = q.scanSQL(key, true, 100)
	add("by name before", s, a)
	s, a = q.byChainSQL(1, key, false, 51)
	add("by chain", s, a)
	s, a = q.walkSQL(nil, false, 0)
	add("one walk, whole", s, a)
	s, a = q.walkSQL(nil, false, 51)
	add("one walk", s, a)
	s, a = q.walkSQL(key, false, 51)
	add("one walk after", s, a)
	s, a = q.walkSQL(key, true, 51)
	add("one walk before", s, a)
	return out
}

// KeptCounts lists the kept counts (countsSource) as "course/department/status: n",
// in that order.
func KeptCounts(t testing.TB, d *db.DB) []string {
	t.Helper()
	rs, err := d.Raw(`SELECT course_id, department, status, people FROM ` + countsSource + ` k ORDER BY course_id, department, status`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var c, dept, s string
		var n int
		if err := rs.Scan(&c, &dept, &s, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%s/%s: %d", c, dept, s, n))
	}
	return out
}

// RebuildCounts counts compliance_status again, for tests that write it
// directly.
func RebuildCounts(tx *gorm.DB) error { return rebuildCounts(tx) }
