package compliance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

const benchCourses = 20

// benchDay is the day the benchmark's rules first assigned everything.
var benchDay = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// historyDB is a database of n employees, 20 yearly courses for everyone
// and, as the first rule pass leaves it, one assignment and an open first
// cycle per employee and course; written with multi-row statements.
func historyDB(b *testing.B, n int) *db.DB {
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	courses := apptest.AddYearlyCourses(b, d, benchCourses)
	due := benchDay.AddDate(0, 0, 30)
	const chunk = 1000
	for start := 0; start < n; start += chunk {
		err := d.Transaction(func(tx *gorm.DB) error {
			var emps, asg, cyc []string
			var ea, aa, ca []any
			for i := start; i < min(start+chunk, n); i++ {
				id := fmt.Sprintf("emp-%07d", i)
				emps = append(emps, "(?, ?, ?, 'First', 'Last', 'active', 'learner', ?, ?)")
				ea = append(ea, id, fmt.Sprintf("P%06d", i), fmt.Sprintf("p%d@example.org", i), at, at)
				for _, c := range courses {
					aid := id + "/" + c
					asg = append(asg, "(?, ?, ?, ?, 'active', ?)")
					aa = append(aa, aid, id, c, compliance.CourseRuleID(c), benchDay)
					cyc = append(cyc, "(?, ?, ?, ?, 1, 'full', 'open', ?, ?, 'assigned', ?, ?)")
					ca = append(ca, aid+"/1", aid, id, c, benchDay, due, benchDay, benchDay)
				}
			}
			if err := tx.Exec("INSERT INTO employees (id, employee_number, email, first_name, last_name, status, role, created_at, updated_at) VALUES "+strings.Join(emps, ", "), ea...).Error; err != nil {
				return err
			}
			for k := 0; k < len(asg); k += 4000 {
				e := min(k+4000, len(asg))
				if err := tx.Exec("INSERT INTO assignments (id, employee_id, course_id, rule_id, status, created_at) VALUES "+strings.Join(asg[k:e], ", "), aa[5*k:5*e]...).Error; err != nil {
					return err
				}
				if err := tx.Exec("INSERT INTO cycles (id, assignment_id, employee_id, course_id, number, path, status, window_opens_at, due_at, derivation, created_at, updated_at) VALUES "+strings.Join(cyc[k:e], ", "), ca[8*k:8*e]...).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// benchHistory is the training history of n employees: 14 completions each
// on average (1.4 million for 100,000 people), over the two years before
// benchDay; 7 in 10 employee-course pairs have one.
func benchHistory(n int) string {
	var b strings.Builder
	b.WriteString("employee_id,course,completed_at,score,evidence\n")
	for i := range n {
		for c := range benchCourses {
			if (i+c)%10 >= 7 {
				continue
			}
			done := benchDay.AddDate(0, 0, -1-(i*7+c*13)%700)
			fmt.Fprintf(&b, "P%06d,course-%02d,%s,%d,\n", i, c, done.Format(time.DateOnly), 60+(i+c)%41)
		}
	}
	return b.String()
}

// BenchmarkCompletionsImport imports the history of apptest.BenchPeople employees
// (10,000 by default: 140,000 rows) into a database where the rules have
// assigned everyone 20 courses, as `onramp completions import` runs it:
// check everything, then record in batches. It reports the longest write
// transaction.
func BenchmarkCompletionsImport(b *testing.B) {
	n := apptest.BenchPeople(b)
	csv := benchHistory(n)
	rows := strings.Count(csv, "\n") - 1
	now := benchDay.AddDate(0, 0, 1)
	var longest time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := historyDB(b, n)
		b.StartTimer()
		res, err := compliance.ImportCompletions(context.Background(), d, strings.NewReader(csv), compliance.CompletionsImportOptions{
			SourceFile: "history.csv", Now: now, Engine: &compliance.Engine{DB: d},
			OnTransaction: func(t time.Duration) { longest = max(longest, t) },
		})
		if err != nil {
			b.Fatal(err)
		}
		if res.Plan.Total != rows {
			b.Fatalf("recorded %d of %d rows", res.Plan.Total, rows)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(longest.Microseconds())/1000, "max-tx-ms")
	b.ReportMetric(float64(rows), "rows")
}
