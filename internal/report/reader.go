package report

import (
	"context"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
)

// Reader answers the report questions of the web pages and the API on one
// database, so callers need not hold the database themselves. Each method
// is the package function of the same name.
type Reader struct {
	DB *db.DB
}

// Dashboard is LoadDashboard: the organisation's (or a filter's) picture.
func (r *Reader) Dashboard(ctx context.Context, f Filter, now time.Time) (*Dashboard, error) {
	return LoadDashboard(ctx, r.DB, f, now)
}

// LastRefresh is when the report tables were last refreshed in full (nil
// before the first time).
func (r *Reader) LastRefresh(ctx context.Context) (*time.Time, error) { return LastRefresh(ctx, r.DB) }

// ActivePeople counts the active employees.
func (r *Reader) ActivePeople(ctx context.Context) (int, error) { return ActivePeople(ctx, r.DB) }

// Manages says whether employeeID reports to managerID, directly or
// through others.
func (r *Reader) Manages(ctx context.Context, managerID, employeeID string) (bool, error) {
	return Manages(ctx, r.DB, managerID, employeeID)
}

// FilterOptions lists the values the filter form offers, limited to a
// manager's team when managerID is set.
func (r *Reader) FilterOptions(ctx context.Context, managerID string) (Options, error) {
	return FilterOptions(ctx, r.DB, managerID)
}

// Team is one keyset page of a manager's team (TeamOf).
func (r *Reader) Team(ctx context.Context, managerID string, f Filter, cur string, size int) (Team, error) {
	return TeamOf(ctx, r.DB, managerID, f, cur, size)
}

// Open streams every row of rep for f (limit 0 for all).
func (r *Reader) Open(ctx context.Context, rep *Report, f Filter, now time.Time, limit int) (Rows, error) {
	return rep.Open(ctx, r.DB, f, now, limit)
}

// Page is one keyset page of rep for f, starting after the cursor cur.
func (r *Reader) Page(ctx context.Context, rep *Report, f Filter, now time.Time, cur string, size int) (*Page, error) {
	return rep.Page(ctx, r.DB, f, now, cur, size)
}

// CountUpTo counts rep's rows for f, stopping at limit (more is true then).
func (r *Reader) CountUpTo(ctx context.Context, rep *Report, f Filter, now time.Time, limit int) (int, bool, error) {
	return rep.CountUpTo(ctx, r.DB, f, now, limit)
}
