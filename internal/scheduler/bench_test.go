package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
)

// BenchmarkSchedulerPass measures one scheduler pass (rules, cycles,
// reminders; no SMTP) over an organisation of ONRAMP_BENCH_PEOPLE people
// (default 10,000; the target size is 100,000) who all have the fixture
// course. The first pass assigns everyone; the timed passes are the steady
// state of an ordinary minute, a day later.
//
//	ONRAMP_BENCH_PEOPLE=100000 go test -run '^$' -bench SchedulerPass -benchtime 3x ./internal/scheduler/
func BenchmarkSchedulerPass(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("ONRAMP_BENCH_PEOPLE")); err == nil && v > 0 {
		n = v
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(b, apptest.Options{Now: start})
	ctx := context.Background()
	insertPeople(b, env.App.DB, n, start)
	if _, err := env.App.Scheduler.RunOnce(ctx, start); err != nil {
		b.Fatal(err)
	}
	now := start.AddDate(0, 0, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Minute)
		if _, err := env.App.Scheduler.RunOnce(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "people")
}

// insertPeople adds n active employees in a few departments with plain SQL,
// in batches, to build a large organisation quickly.
func insertPeople(b *testing.B, d *db.DB, n int, at time.Time) {
	b.Helper()
	depts := []string{"Nursing", "Emergency", "Radiology", "Pharmacy", "Surgery", "Patient Services"}
	const batch = 500
	for startRow := 0; startRow < n; startRow += batch {
		rows := make([]map[string]any, 0, batch)
		for i := startRow; i < min(startRow+batch, n); i++ {
			hired := at.AddDate(0, 0, -(i % 2000))
			rows = append(rows, map[string]any{
				"id": db.NewID(), "employee_number": fmt.Sprintf("B%07d", i), "email": fmt.Sprintf("p%07d@bench.test", i),
				"first_name": "Person", "last_name": strconv.Itoa(i), "department": depts[i%len(depts)],
				"job_title": "Staff", "location": "Main", "hire_date": hired, "status": "active", "role": "learner",
				"created_at": at, "updated_at": at,
			})
		}
		if err := d.Table("employees").Create(rows).Error; err != nil {
			b.Fatal(err)
		}
	}
}
