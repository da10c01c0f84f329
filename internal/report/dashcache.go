package report

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// Changed records that compliance_status changed: it bumps the number in
// compliance_generation, so every instance recomputes its dashboard counts
// (see LoadDashboard). Every transaction that writes compliance_status must
// call it, as late as it can (on PostgreSQL the row stays locked until the
// transaction ends): Refresh and RefreshEmployees do.
func Changed(tx *gorm.DB) error {
	if err := tx.Exec(`UPDATE compliance_generation SET generation = generation + 1 WHERE id = 1`).Error; err != nil {
		return fmt.Errorf("record a change of compliance status: %w", err)
	}
	return nil
}

// Generation is the number Changed last wrote.
func Generation(ctx context.Context, d *db.DB) (int64, error) {
	var g int64
	if err := d.WithContext(ctx).Raw(`SELECT generation FROM compliance_generation WHERE id = 1`).Row().Scan(&g); err != nil {
		return 0, fmt.Errorf("report generation: %w", err)
	}
	return g, nil
}

// dashRow is how many people stand where in one course and department, and
// how many of their completions expire within each of ExpiringWithin.
type dashRow struct {
	course, department string
	status             Status
	n                  int
	expiring           []int
}

// dashAggregate is compliance_status summed up, as of a generation and day.
type dashAggregate struct {
	generation int64
	today      time.Time
	rows       []dashRow
	// trend holds the snapshots of the last day of each of the last
	// TrendMonths months that have one, by month.
	trend map[time.Time]trendDay
}

// trendDay is one day's snapshot in compliance_history.
type trendDay struct {
	day  time.Time
	rows []dashRow // without expiring
}

// staleWait is how long a dashboard request waits for a recomputation
// before it shows the previous counts of the same day.
const staleWait = 100 * time.Millisecond

// computeTimeout bounds a recomputation, which runs for whoever asks next
// even if the request that started it is gone.
const computeTimeout = 5 * time.Minute

// dashCache holds one aggregate per database, with at most one
// recomputation running.
type dashCache struct {
	mu  sync.Mutex
	dbs map[*db.DB]*dashSlot
}

type dashSlot struct {
	agg     *dashAggregate
	running chan struct{} // closed when the recomputation ends
	err     error
}

var dashboards = &dashCache{dbs: map[*db.DB]*dashSlot{}}

// maxCachedDBs bounds the map (tests open many databases; a server, one).
const maxCachedDBs = 8

func (c *dashCache) slot(d *db.DB) *dashSlot {
	s := c.dbs[d]
	if s == nil {
		if len(c.dbs) >= maxCachedDBs {
			for k, v := range c.dbs {
				if v.running == nil {
					delete(c.dbs, k)
				}
			}
		}
		s = &dashSlot{}
		c.dbs[d] = s
	}
	return s
}

// get returns the aggregate as of the current generation and day,
// recomputing it when either moved (see LoadDashboard).
func (c *dashCache) get(ctx context.Context, d *db.DB, now time.Time) (*dashAggregate, error) {
	gen, err := Generation(ctx, d)
	if err != nil {
		return nil, err
	}
	today := compliance.Day(now)
	c.mu.Lock()
	s := c.slot(d)
	have := s.agg
	if have != nil && have.generation >= gen && have.today.Equal(today) {
		c.mu.Unlock()
		return have, nil
	}
	if s.running == nil {
		done := make(chan struct{})
		s.running = done
		go func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
			defer cancel()
			agg, err := computeDashboard(cctx, d, now)
			c.mu.Lock()
			s.err = err
			if err == nil && (s.agg == nil || !agg.today.Before(s.agg.today)) {
				s.agg = agg
			}
			s.running = nil
			c.mu.Unlock()
			close(done)
		}()
	}
	running := s.running
	c.mu.Unlock()
	var timeout <-chan time.Time
	if have != nil && have.today.Equal(today) {
		timeout = time.After(staleWait)
	}
	select {
	case <-running:
	case <-timeout:
		return have, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.agg == nil || !s.agg.today.Equal(today) {
		if s.err != nil {
			return nil, s.err
		}
		return nil, fmt.Errorf("dashboard: the counts were computed for another day")
	}
	return s.agg, nil
}

// computeDashboard sums compliance_status up: the kept counts
// (compliance_counts, a few thousand rows), and a range of
// compliance_status_expiring_idx for the completions expiring within the
// longest horizon. The generation is read first, so the aggregate is at
// least as new as the number it is kept under.
func computeDashboard(ctx context.Context, d *db.DB, now time.Time) (*dashAggregate, error) {
	gen, err := Generation(ctx, d)
	if err != nil {
		return nil, err
	}
	today := compliance.Day(now)
	agg := &dashAggregate{generation: gen, today: today}
	rs, err := d.WithContext(ctx).Raw(`SELECT course_id, department, status, people FROM ` + countsSource + ` k
		ORDER BY course_id, status, department`).Rows()
	if err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	defer rs.Close()
	index := map[[2]string]int{} // course, department → the completed row
	for rs.Next() {
		r := dashRow{expiring: make([]int, len(ExpiringWithin))}
		var status string
		if err := rs.Scan(&r.course, &r.department, &status, &r.n); err != nil {
			return nil, fmt.Errorf("dashboard counts: %w", err)
		}
		r.status = Status(status)
		if r.status == StatusCompleted {
			index[[2]string{r.course, r.department}] = len(agg.rows)
		}
		agg.rows = append(agg.rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	// Counting per horizon with CASE keeps the SQL free of date
	// arithmetic, which SQLite and PostgreSQL write differently.
	var sums []string
	args := []any{}
	for _, days := range ExpiringWithin {
		sums = append(sums, "SUM(CASE WHEN expires_at <= ? THEN 1 ELSE 0 END)")
		args = append(args, today.AddDate(0, 0, days))
	}
	args = append(args, today, today.AddDate(0, 0, ExpiringWithin[len(ExpiringWithin)-1]))
	ers, err := d.WithContext(ctx).Raw(`SELECT course_id, department, `+strings.Join(sums, ", ")+` FROM compliance_status
		WHERE status = 'completed' AND expires_at >= ? AND expires_at <= ? GROUP BY course_id, department`, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("dashboard expiring: %w", err)
	}
	defer ers.Close()
	for ers.Next() {
		var course, dept string
		counts := make([]int, len(ExpiringWithin))
		dests := []any{&course, &dept}
		for i := range counts {
			dests = append(dests, &counts[i])
		}
		if err := ers.Scan(dests...); err != nil {
			return nil, fmt.Errorf("dashboard expiring: %w", err)
		}
		if i, ok := index[[2]string{course, dept}]; ok {
			copy(agg.rows[i].expiring, counts)
		}
	}
	if err := ers.Err(); err != nil {
		return nil, fmt.Errorf("dashboard expiring: %w", err)
	}
	if agg.trend, err = loadTrendDays(ctx, d, today); err != nil {
		return nil, err
	}
	return agg, nil
}

// loadTrendDays reads, for each of the last TrendMonths months, its last
// snapshot: the day is one backward step on compliance_history's primary
// key per month, and the rows are that day's (courses × departments ×
// standings, a few thousand).
func loadTrendDays(ctx context.Context, d *db.DB, today time.Time) (map[time.Time]trendDay, error) {
	current := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := map[time.Time]trendDay{}
	var days []time.Time
	for i := range TrendMonths {
		m := current.AddDate(0, i+1-TrendMonths, 0)
		end := m.AddDate(0, 1, 0)
		if end.After(today) {
			end = today.AddDate(0, 0, 1)
		}
		var got []nullTime
		err := d.WithContext(ctx).Raw(`SELECT day FROM compliance_history WHERE day >= ? AND day < ? ORDER BY day DESC LIMIT 1`, m, end).Scan(&got).Error
		if err != nil {
			return nil, fmt.Errorf("dashboard trend: %w", err)
		}
		if len(got) == 1 && got[0].Valid {
			dd := compliance.Day(got[0].Time)
			out[m] = trendDay{day: dd}
			days = append(days, dd)
		}
	}
	if len(days) == 0 {
		return out, nil
	}
	rs, err := d.WithContext(ctx).Raw(`SELECT day, course_id, department, status, people FROM compliance_history WHERE day IN ?`, days).Rows()
	if err != nil {
		return nil, fmt.Errorf("dashboard trend: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var dd nullTime
		var r dashRow
		var status string
		if err := rs.Scan(&dd, &r.course, &r.department, &status, &r.n); err != nil {
			return nil, fmt.Errorf("dashboard trend: %w", err)
		}
		r.status = Status(status)
		day := compliance.Day(dd.Time)
		m := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		td := out[m]
		td.rows = append(td.rows, r)
		out[m] = td
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("dashboard trend: %w", err)
	}
	return out, nil
}

// DashboardGeneration is the generation of the counts kept in memory for
// d, 0 when there are none (for tests and benchmarks).
func DashboardGeneration(d *db.DB) int64 {
	dashboards.mu.Lock()
	defer dashboards.mu.Unlock()
	if s := dashboards.dbs[d]; s != nil && s.agg != nil {
		return s.agg.generation
	}
	return 0
}

// WarmDashboard computes the dashboard's counts as of now if they are not
// in memory for the current generation and day, so that the next request
// finds them. A request waits for the counts only when there is nothing of
// the same day to show meanwhile (after a start and after midnight): at
// 100,000 people that first count takes seconds, so the server warms them
// itself at those moments (see internal/app).
func WarmDashboard(ctx context.Context, d *db.DB, now time.Time) error {
	_, err := dashboards.get(ctx, d, now)
	return err
}

// DashboardCached reports whether counts of now's day are in memory for d,
// so that a dashboard request would not wait for the whole count.
func DashboardCached(d *db.DB, now time.Time) bool {
	dashboards.mu.Lock()
	defer dashboards.mu.Unlock()
	s := dashboards.dbs[d]
	return s != nil && s.agg != nil && s.agg.today.Equal(compliance.Day(now))
}
