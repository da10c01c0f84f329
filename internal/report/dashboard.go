package report

import (
	"context"
	"fmt"
	"sort"
	"time"

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

// LoadDashboard reads the dashboard. Only the filter's department and
// course apply.
//
// The counts come from an aggregate of compliance_status (per course,
// department and standing, with the completions expiring within each
// horizon) that is computed once per generation (see Changed) and day and
// kept in memory, so a dashboard costs a primary-key read and a few
// thousand additions however large the organisation is. When the
// generation has moved, the aggregate is recomputed in the background;
// the request waits for it up to staleWait and otherwise shows the
// previous counts, which are at most one change old (the page says when
// the data was last brought up to date).
func LoadDashboard(ctx context.Context, d *db.DB, f Filter, now time.Time) (*Dashboard, error) {
	agg, err := dashboards.get(ctx, d, now)
	if err != nil {
		return nil, err
	}
	var titles []struct{ ID, Title string }
	if err := d.WithContext(ctx).Raw(`SELECT id, title FROM courses`).Scan(&titles).Error; err != nil {
		return nil, fmt.Errorf("dashboard courses: %w", err)
	}
	title := map[string]string{}
	for _, t := range titles {
		title[t.ID] = t.Title
	}
	dash := &Dashboard{Totals: Counts{}}
	courses := map[string]*CourseSummary{}
	depts := map[string]*DepartmentSummary{}
	expiring := make([]int, len(ExpiringWithin))
	for _, r := range agg.rows {
		if (f.Department != "" && r.department != f.Department) || (f.Course != "" && r.course != f.Course) {
			continue
		}
		dash.Totals[r.status] += r.n
		cs := courses[r.course]
		if cs == nil {
			t := title[r.course]
			if t == "" {
				t = r.course
			}
			cs = &CourseSummary{CourseID: r.course, Title: t, Counts: Counts{}}
			courses[r.course] = cs
		}
		cs.Counts[r.status] += r.n
		ds := depts[r.department]
		if ds == nil {
			ds = &DepartmentSummary{Department: r.department, Counts: Counts{}}
			depts[r.department] = ds
		}
		ds.Counts[r.status] += r.n
		for i, n := range r.expiring {
			expiring[i] += n
		}
	}
	for _, cs := range courses {
		dash.ByCourse = append(dash.ByCourse, *cs)
	}
	sort.Slice(dash.ByCourse, func(i, j int) bool {
		a, b := dash.ByCourse[i], dash.ByCourse[j]
		return a.Title < b.Title || a.Title == b.Title && a.CourseID < b.CourseID
	})
	for _, ds := range depts {
		dash.ByDepartment = append(dash.ByDepartment, *ds)
	}
	sort.Slice(dash.ByDepartment, func(i, j int) bool { return dash.ByDepartment[i].Department < dash.ByDepartment[j].Department })
	for i, days := range ExpiringWithin {
		dash.Expiring = append(dash.Expiring, ExpiringCount{Days: days, Count: expiring[i]})
	}
	dash.Trend = trendOf(agg, f)
	// The current month is today's standing, counted as the tiles are: a
	// snapshot of earlier in the month (or none yet) would disagree with
	// the "Compliant" tile beside it.
	if n := len(dash.Trend); n > 0 {
		cur := &dash.Trend[n-1]
		cur.Counts = Counts{}
		for k, v := range dash.Totals {
			cur.Counts[k] = v
		}
		cur.Day = time.Date(agg.today.Year(), agg.today.Month(), agg.today.Day(), 0, 0, 0, 0, time.UTC)
	}
	return dash, nil
}

// trendOf takes the last snapshot of each of the last TrendMonths months
// from the aggregate, with the filter's department and course.
func trendOf(agg *dashAggregate, f Filter) []TrendPoint {
	current := time.Date(agg.today.Year(), agg.today.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []TrendPoint
	for i := range TrendMonths {
		m := current.AddDate(0, i+1-TrendMonths, 0)
		p := TrendPoint{Month: m, Counts: Counts{}}
		if td, ok := agg.trend[m]; ok {
			p.Day = td.day
			for _, r := range td.rows {
				if (f.Department == "" || r.department == f.Department) && (f.Course == "" || r.course == f.Course) {
					p.Counts[r.status] += r.n
				}
			}
		}
		out = append(out, p)
	}
	return out
}
