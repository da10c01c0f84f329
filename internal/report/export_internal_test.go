package report

import (
	"context"
	"time"

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
	q, args := p.sql(size+1, before)
	return q, args, nil
}

// SetOrderWalkRows sets how many rows a filter must match before a page is
// read in the report's order, until the returned function puts it back.
// Tests that call it must not run in parallel.
func SetOrderWalkRows(n int64) (restore func()) {
	old := orderWalkRows.Swap(n)
	return func() { orderWalkRows.Store(old) }
}
