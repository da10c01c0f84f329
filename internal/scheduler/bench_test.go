package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// The scheduler benchmarks run over an organisation of ONRAMP_BENCH_PEOPLE
// people (default 10,000; the target size is 100,000) and
// ONRAMP_BENCH_COURSES yearly courses that apply to everyone (default 20,
// copies of the fixture course). They time planning only (rules, cycles,
// reminders, the outbox rows, the report tables; no delivery) and report the
// longest single write transaction as max-tx-s.
//
//	go test -run '^$' -bench SchedulerPass -benchtime 1x ./internal/scheduler/
//	ONRAMP_BENCH_PEOPLE=100000 go test -run '^$' -bench SchedulerPass -benchtime 1x -timeout 60m ./internal/scheduler/
func BenchmarkSchedulerPass(b *testing.B) {
	n := benchEnv("ONRAMP_BENCH_PEOPLE", 10000)
	courses := benchEnv("ONRAMP_BENCH_COURSES", 20)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()

	// The first pass assigns everyone every course.
	b.Run("first-assignment", func(b *testing.B) {
		var maxTx time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env := benchApp(b, courses, start)
			insertPeople(b, env.App.DB, n, start)
			b.StartTimer()
			rep, err := env.App.Scheduler.RunOnce(ctx, start)
			if err != nil {
				b.Fatal(err)
			}
			maxTx = max(maxTx, passMaxTx(rep, b.Elapsed()))
		}
		b.ReportMetric(maxTx.Seconds(), "max-tx-s")
		b.ReportMetric(float64(n), "people")
	})
	// A pass with nothing to do: the same instant again.
	b.Run("nothing-to-do", func(b *testing.B) {
		env := benchAssigned(b, courses, n, start)
		var maxTx time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			began := time.Now()
			rep, err := env.App.Scheduler.RunOnce(ctx, start)
			if err != nil {
				b.Fatal(err)
			}
			maxTx = max(maxTx, passMaxTx(rep, time.Since(began)))
		}
		b.ReportMetric(maxTx.Seconds(), "max-tx-s")
		b.ReportMetric(float64(n), "people")
	})
}

// BenchmarkRuleChange times HR changing one course's rule for everyone
// after the first pass, the preview and then the save (PreviewRule,
// ChangeRule), two ways:
//
//   - due-date: due 15 days later. Everyone keeps the course, so nobody is
//     evaluated (concernedBy): the cost of a change that changes no one's
//     course does not grow with the people it applies to.
//   - deactivate: the rule deactivated (when inactive: reactivated), which
//     closes (reopens) the course for everyone, each of them evaluated, a
//     batch of people per transaction.
//
// Each reports the longest transaction of its preview and save as
// max-tx-s, what a learner's write may wait for meanwhile.
//
//	go test -run '^$' -bench RuleChange -benchtime 1x ./internal/scheduler/
func BenchmarkRuleChange(b *testing.B) {
	n := benchEnv("ONRAMP_BENCH_PEOPLE", 10000)
	courses := benchEnv("ONRAMP_BENCH_COURSES", 20)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	env := benchAssigned(b, courses, n, start)
	by := compliance.Actor{ID: "bench", Name: "Bench"}
	change := func(b *testing.B, edit func(r *compliance.Rule), check func(p, s compliance.RulePreview) error) {
		var maxTx time.Duration
		for i := 0; i < b.N; i++ {
			rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("bench-01"))
			if err != nil {
				b.Fatal(err)
			}
			edit(rule)
			p, err := env.App.Engine.PreviewRule(ctx, rule, start)
			if err != nil {
				b.Fatal(err)
			}
			s, err := env.App.Engine.ChangeRule(ctx, rule, by, start)
			if err != nil {
				b.Fatal(err)
			}
			if err := check(p, s); err != nil {
				b.Fatal(err)
			}
			maxTx = max(maxTx, p.LongestTx, s.LongestTx)
		}
		b.ReportMetric(maxTx.Seconds(), "max-tx-s")
		b.ReportMetric(float64(n), "people")
	}
	b.Run("due-date", func(b *testing.B) {
		change(b, func(r *compliance.Rule) { r.DueDays += 15 }, func(p, s compliance.RulePreview) error {
			if p.Unchanged != n || s.Unchanged != n || s.Transactions != 1 {
				return fmt.Errorf("preview %d unchanged, save %d in %d transactions; want %d in one", p.Unchanged, s.Unchanged, s.Transactions, n)
			}
			return nil
		})
	})
	b.Run("deactivate", func(b *testing.B) {
		// Each call deactivates the rule if it is active, else reactivates
		// it (b.N grows over calls, so iterations do not say which).
		closing := false
		change(b, func(r *compliance.Rule) { closing = r.Active; r.Active = !r.Active }, func(p, s compliance.RulePreview) error {
			got := [2]int{p.Assigned, s.Assigned}
			if closing {
				got = [2]int{p.Closed, s.Closed}
			}
			if got != [2]int{n, n} || s.Transactions < 2 {
				return fmt.Errorf("closing %v: preview changes %d people, save %d in %d transactions; want %d, in several", closing, got[0], got[1], s.Transactions, n)
			}
			return nil
		})
	})
}

// benchAssigned is benchApp with n people, after the first pass at start
// assigned them every course.
func benchAssigned(b *testing.B, courses, n int, start time.Time) *apptest.Env {
	b.Helper()
	env := benchApp(b, courses, start)
	insertPeople(b, env.App.DB, n, start)
	if _, err := env.App.Scheduler.RunOnce(context.Background(), start); err != nil {
		b.Fatal(err)
	}
	return env
}

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchApp starts an app whose content is `courses` copies of the fixture
// course (IDs bench-01 …), each with its yearly rule for everyone; it
// delivers no e-mail.
func benchApp(b *testing.B, courses int, now time.Time) *apptest.Env {
	b.Helper()
	src := filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	dir := b.TempDir()
	for i := 1; i <= courses; i++ {
		dst := filepath.Join(dir, fmt.Sprintf("bench-%02d", i))
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		yaml, err := os.ReadFile(filepath.Join(dst, "course.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		yaml = []byte(strings.Replace(string(yaml), "id: basic", fmt.Sprintf("id: bench-%02d", i), 1))
		yaml = []byte(strings.Replace(string(yaml), "title: Basic Training", fmt.Sprintf("title: Bench course %d", i), 1))
		if err := os.WriteFile(filepath.Join(dst, "course.yaml"), yaml, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	env := apptest.New(b, apptest.Options{Now: now, ContentDir: dir})
	env.App.Scheduler.Deliver = nil
	return env
}

// insertPeople adds n active employees in a few departments with plain SQL,
// in batches, to build a large organisation quickly.
func insertPeople(b testing.TB, d *db.DB, n int, at time.Time) {
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
