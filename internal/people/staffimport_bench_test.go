package people_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/onramp-lms/onramp/internal/people"
)

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

// BenchmarkStaffImport100k imports 100,000 new employees into a fresh
// SQLite database (or PostgreSQL with ONRAMP_TEST_DATABASE_URL): parse,
// plan and apply, as `onramp employees import` does.
func BenchmarkStaffImport100k(b *testing.B) {
	in := staffFileOf(100_000, 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := openStaffDB(b)
		b.StartTimer()
		f, err := people.ParseStaffCSV(bytes.NewReader(in))
		if err != nil {
			b.Fatal(err)
		}
		plan, err := people.Plan(ctx, d, f, people.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := people.Apply(ctx, d, plan, importDay)
		if err != nil {
			b.Fatal(err)
		}
		if res.Added != 100_000 {
			b.Fatalf("added %d", res.Added)
		}
	}
}

// BenchmarkStaffReimport100k is the monthly run: the same 100,000 people
// again, 1% of them in a new department and 100 left out, with
// deactivate-missing.
func BenchmarkStaffReimport100k(b *testing.B) {
	ctx := context.Background()
	first := staffFileOf(100_000, 0)
	again := staffFileOf(100_000, 100)
	// Leave out the first 100 rows: P099999 down to P099900, who manage
	// nobody.
	cut := 0
	for k := 0; k < 101; k++ { // header + 100 lines
		cut += bytes.IndexByte(again[cut:], '\n') + 1
	}
	again = append([]byte(staffHeader+"\n"), again[cut:]...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d := openStaffDB(b)
		f, err := people.ParseStaffCSV(bytes.NewReader(first))
		if err != nil {
			b.Fatal(err)
		}
		plan, err := people.Plan(ctx, d, f, people.PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := people.Apply(ctx, d, plan, importDay); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		f, err = people.ParseStaffCSV(bytes.NewReader(again))
		if err != nil {
			b.Fatal(err)
		}
		plan, err = people.Plan(ctx, d, f, people.PlanOptions{DeactivateMissing: true})
		if err != nil {
			b.Fatal(err)
		}
		res, err := people.Apply(ctx, d, plan, reimportDay)
		if err != nil {
			b.Fatal(err)
		}
		if res.Deactivated != 100 || res.Changed == 0 {
			b.Fatalf("reimport: %s", res.Summary())
		}
	}
}
