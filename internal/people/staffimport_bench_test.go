package people_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// benchCourses is how many yearly courses apply to everyone.
const benchCourses = 20

// staffFileOf is a staff CSV of n employees in a tree ten wide: employee
// i is managed by employee i/10. Rows are written in reverse, so every
// manager appears after the people they manage (forward references).
// changed alters the department of every changed-th employee (0: none).
func staffFileOf(n, changed int) []byte {
	var b bytes.Buffer
	b.WriteString(staffHeader + "\n")
	for i := n - 1; i >= 0; i-- {
		manager := ""
		if i > 0 {
			manager = fmt.Sprintf("p%d@example.org", i/10)
		}
		dept := fmt.Sprintf("Department %d", i%40)
		if changed > 0 && i%changed == 0 {
			dept = "Reorganised"
		}
		fmt.Fprintf(&b, "P%06d,p%d@example.org,First%d,Last%d,%s,Job title %d,Site %d,%s,20%02d-%02d-%02d,,Europe/London\n",
			i, i, i, i, dept, i%300, i%12, manager, 10+i%15, 1+i%12, 1+i%28)
	}
	return b.Bytes()
}

// addCourses adds benchCourses courses, each with a yearly rule for
// everyone, so that an import assigns every new employee 20 courses.
func addCourses(b *testing.B, d *db.DB) { apptest.AddYearlyCourses(b, d, benchCourses) }

// longest keeps the longest write transaction an import reports.
type longest struct {
	mu  sync.Mutex
	max time.Duration
}

func (l *longest) observe(d time.Duration) {
	l.mu.Lock()
	l.max = max(l.max, d)
	l.mu.Unlock()
}

func (l *longest) report(b *testing.B) {
	b.ReportMetric(float64(l.max.Microseconds())/1000, "max-tx-ms")
}

// importStaff parses, plans and applies a staff file; with engine, as
// `onramp employees import` does (rules and report refresh per batch).
func importStaff(b *testing.B, d *db.DB, in []byte, opts people.PlanOptions, engine *compliance.Engine, now time.Time, tx *longest) *people.StaffResult {
	ctx := context.Background()
	f, err := people.ParseStaffCSV(bytes.NewReader(in))
	if err != nil {
		b.Fatal(err)
	}
	opts.OnTransaction = tx.observe
	plan, err := people.Plan(ctx, d, f, opts)
	if err != nil {
		b.Fatal(err)
	}
	if engine == nil {
		res, err := people.Apply(ctx, d, plan, now)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	svc := &people.Service{DB: d, Engine: engine}
	res, err := svc.ApplyImport(ctx, plan, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine}, now)
	if err != nil {
		b.Fatal(err)
	}
	return &res.StaffResult
}

// BenchmarkStaffImport imports apptest.BenchPeople new employees into a fresh SQLite
// database (or PostgreSQL with ONRAMP_TEST_DATABASE_URL): parse, plan and
// apply in batches, without rules (import only).
func BenchmarkStaffImport(b *testing.B) {
	n := apptest.BenchPeople(b)
	in := staffFileOf(n, 0)
	var tx longest
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := openStaffDB(b)
		b.StartTimer()
		if res := importStaff(b, d, in, people.PlanOptions{}, nil, importDay, &tx); res.Added != n {
			b.Fatalf("added %d", res.Added)
		}
	}
	tx.report(b)
}

// BenchmarkStaffImportWithRules is the same import with 20 yearly courses
// for everyone, as `onramp employees import` runs it: each batch's people
// get their 20 assignments and report standings in the batch's transaction.
// Its speed depends on Engine.EvaluateTx.
func BenchmarkStaffImportWithRules(b *testing.B) {
	n := apptest.BenchPeople(b)
	in := staffFileOf(n, 0)
	var tx longest
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := openStaffDB(b)
		addCourses(b, d)
		b.StartTimer()
		if res := importStaff(b, d, in, people.PlanOptions{}, &compliance.Engine{DB: d}, importDay, &tx); res.Added != n {
			b.Fatalf("added %d", res.Added)
		}
	}
	b.StopTimer()
	tx.report(b)
}

// BenchmarkStaffReimport is the monthly run: the same people again, 1% of
// them in a new department and 100 left out, with deactivate-missing.
func BenchmarkStaffReimport(b *testing.B) {
	n := apptest.BenchPeople(b)
	first := staffFileOf(n, 0)
	again := staffFileOf(n, 100)
	// Leave out the first 100 rows: the highest-numbered people, who
	// manage nobody.
	cut := 0
	for k := 0; k < 101; k++ { // header + 100 lines
		cut += bytes.IndexByte(again[cut:], '\n') + 1
	}
	again = append([]byte(staffHeader+"\n"), again[cut:]...)
	var tx longest
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := openStaffDB(b)
		importStaff(b, d, first, people.PlanOptions{}, nil, importDay, &longest{})
		b.StartTimer()
		res := importStaff(b, d, again, people.PlanOptions{DeactivateMissing: true}, nil, reimportDay, &tx)
		if res.Deactivated != 100 || res.Changed == 0 {
			b.Fatalf("reimport: %s", res.Summary())
		}
	}
	tx.report(b)
}
