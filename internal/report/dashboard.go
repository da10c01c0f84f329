package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// ExpiringWithin are the horizons the dashboard counts, in days.
var ExpiringWithin = []int{30, 60, 90}

// Dashboard is HR's compliance at a glance.
type Dashboard struct {
	// Totals counts every standing (one per person and course).
	Totals       Counts
	ByCourse     []CourseSummary
	ByDepartment []DepartmentSummary
	// Expiring counts completions expiring within each of ExpiringWithin.
	Expiring []ExpiringCount
	// Trend is one point per month, oldest first, the current month last.
	Trend []TrendPoint
}

// DepartmentSummary counts standings in one department.
type DepartmentSummary struct {
	Department string
	Counts     Counts
}

// ExpiringCount is how many completions expire within Days.
type ExpiringCount struct {
	Days  int
	Count int
}

// TrendPoint is the last snapshot of a month.
type TrendPoint struct {
	// Month is the first day of the month.
	Month time.Time
	// Day is the snapshot's day; zero when the month has none.
	Day    time.Time
	Counts Counts
}

// HasData reports whether the month had a snapshot.
func (p TrendPoint) HasData() bool { return !p.Day.IsZero() }

// TrendMonths is how far back the trend goes.
const TrendMonths = 12

// LoadDashboard reads the dashboard from compliance_status and
// compliance_history. Only the filter's department and course apply.
func LoadDashboard(ctx context.Context, d *db.DB, f Filter, now time.Time) (*Dashboard, error) {
	conds, args := dashboardConds(f)
	dash := &Dashboard{Totals: Counts{}}
	var byCourse []struct {
		CourseID, Title string
		Status          Status
		N               int
	}
	err := d.WithContext(ctx).Raw(`
		SELECT t.course_id, COALESCE(co.title, t.course_id) AS title, t.status, t.n
		FROM (SELECT s.course_id, s.status, COUNT(*) AS n FROM compliance_status s`+conds+` GROUP BY s.course_id, s.status) t
		LEFT JOIN courses co ON co.id = t.course_id
		ORDER BY title, t.course_id`, args...).Scan(&byCourse).Error
	if err != nil {
		return nil, fmt.Errorf("dashboard by course: %w", err)
	}
	for _, r := range byCourse {
		if n := len(dash.ByCourse); n == 0 || dash.ByCourse[n-1].CourseID != r.CourseID {
			dash.ByCourse = append(dash.ByCourse, CourseSummary{CourseID: r.CourseID, Title: r.Title, Counts: Counts{}})
		}
		dash.ByCourse[len(dash.ByCourse)-1].Counts[r.Status] += r.N
		dash.Totals[r.Status] += r.N
	}
	var byDept []struct {
		Department string
		Status     Status
		N          int
	}
	err = d.WithContext(ctx).Raw(`SELECT s.department, s.status, COUNT(*) AS n FROM compliance_status s`+conds+`
		GROUP BY s.department, s.status ORDER BY s.department`, args...).Scan(&byDept).Error
	if err != nil {
		return nil, fmt.Errorf("dashboard by department: %w", err)
	}
	for _, r := range byDept {
		if n := len(dash.ByDepartment); n == 0 || dash.ByDepartment[n-1].Department != r.Department {
			dash.ByDepartment = append(dash.ByDepartment, DepartmentSummary{Department: r.Department, Counts: Counts{}})
		}
		dash.ByDepartment[len(dash.ByDepartment)-1].Counts[r.Status] += r.N
	}
	if err := loadExpiring(ctx, d, dash, conds, args, now); err != nil {
		return nil, err
	}
	if err := loadTrend(ctx, d, dash, f, now); err != nil {
		return nil, err
	}
	return dash, nil
}

func dashboardConds(f Filter) (string, []any) {
	var conds []string
	var args []any
	if f.Department != "" {
		conds, args = append(conds, "s.department = ?"), append(args, f.Department)
	}
	if f.Course != "" {
		conds, args = append(conds, "s.course_id = ?"), append(args, f.Course)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func loadExpiring(ctx context.Context, d *db.DB, dash *Dashboard, conds string, args []any, now time.Time) error {
	today := compliance.Day(now)
	horizon := ExpiringWithin[len(ExpiringWithin)-1]
	cond := "s.status = ? AND s.expires_at >= ? AND s.expires_at <= ?"
	if conds == "" {
		conds = " WHERE " + cond
	} else {
		conds += " AND " + cond
	}
	q := `SELECT s.expires_at FROM compliance_status s` + conds
	all := append(append([]any{}, args...), string(StatusCompleted), today, today.AddDate(0, 0, horizon))
	// Counting per horizon in Go keeps the SQL free of date arithmetic,
	// which SQLite and PostgreSQL write differently; the rows are the
	// completions expiring within 90 days, a small part of the table.
	rs, err := d.WithContext(ctx).Raw(q, all...).Rows()
	if err != nil {
		return fmt.Errorf("dashboard expiring: %w", err)
	}
	defer rs.Close()
	counts := make([]int, len(ExpiringWithin))
	for rs.Next() {
		var t nullTime
		if err := rs.Scan(&t); err != nil {
			return fmt.Errorf("dashboard expiring: %w", err)
		}
		left := daysBetween(today, compliance.Day(t.Time))
		for i, days := range ExpiringWithin {
			if left <= days {
				counts[i]++
			}
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("dashboard expiring: %w", err)
	}
	for i, days := range ExpiringWithin {
		dash.Expiring = append(dash.Expiring, ExpiringCount{Days: days, Count: counts[i]})
	}
	return nil
}

// loadTrend takes the last snapshot of each of the last TrendMonths months.
func loadTrend(ctx context.Context, d *db.DB, dash *Dashboard, f Filter, now time.Time) error {
	today := compliance.Day(now)
	current := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	first := current.AddDate(0, 1-TrendMonths, 0)
	last := map[time.Time]time.Time{} // month → its last snapshot day
	drs, err := d.WithContext(ctx).Raw(`SELECT DISTINCT day FROM compliance_history WHERE day >= ? AND day <= ?`, first, today).Rows()
	if err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	defer drs.Close()
	for drs.Next() {
		var nd nullTime
		if err := drs.Scan(&nd); err != nil {
			return fmt.Errorf("dashboard trend: %w", err)
		}
		dd := compliance.Day(nd.Time)
		m := time.Date(dd.Year(), dd.Month(), 1, 0, 0, 0, 0, time.UTC)
		if dd.After(last[m]) {
			last[m] = dd
		}
	}
	if err := drs.Err(); err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	for i := range TrendMonths {
		m := first.AddDate(0, i, 0)
		dash.Trend = append(dash.Trend, TrendPoint{Month: m, Day: last[m], Counts: Counts{}})
	}
	if len(last) == 0 {
		return nil
	}
	picked := make([]time.Time, 0, len(last))
	for _, dd := range last {
		picked = append(picked, dd)
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].Before(picked[j]) })
	q := `SELECT h.day, h.status, SUM(h.people) FROM compliance_history h WHERE h.day IN ?`
	args := []any{picked}
	if f.Department != "" {
		q, args = q+" AND h.department = ?", append(args, f.Department)
	}
	if f.Course != "" {
		q, args = q+" AND h.course_id = ?", append(args, f.Course)
	}
	rs, err := d.WithContext(ctx).Raw(q+" GROUP BY h.day, h.status", args...).Rows()
	if err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	defer rs.Close()
	byDay := map[time.Time]Counts{}
	for rs.Next() {
		var dd nullTime
		var status string
		var n int
		if err := rs.Scan(&dd, &status, &n); err != nil {
			return fmt.Errorf("dashboard trend: %w", err)
		}
		k := compliance.Day(dd.Time)
		if byDay[k] == nil {
			byDay[k] = Counts{}
		}
		byDay[k][Status(status)] += n
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	for i := range dash.Trend {
		if c := byDay[dash.Trend[i].Day]; c != nil {
			dash.Trend[i].Counts = c
		}
	}
	return nil
}
