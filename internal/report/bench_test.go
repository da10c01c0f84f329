package report_test

import (
	"context"
	"io"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// BenchmarkRefresh100k refreshes compliance_status for 100,000 people × 2
// courses (200,000 assignments). The target is 100,000 × 20 courses: the
// refresh is two set-wise statements whose cost grows linearly with the
// number of assignments, so multiply by 10 for 2,000,000 (see doc.go).
//
//   - build: the first refresh, into an empty table (every row written);
//   - unchanged: a refresh that finds nothing new (every row read and
//     compared, none written), what a scheduler pass costs when it does a
//     full refresh;
//   - incremental: a pass that refreshes the 100 people whose cycles
//     changed, what most scheduler passes cost.
func BenchmarkRefresh100k(b *testing.B) {
	f := newFixture(b)
	f.populate(100_000, []string{"fire", "privacy"})
	must(b, f.db.Exec("ANALYZE").Error) // as autovacuum would have done
	run := func(b *testing.B, fn func(tx *gorm.DB) error) {
		b.Helper()
		if err := f.db.Transaction(fn); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			run(b, func(tx *gorm.DB) error { return tx.Exec("DELETE FROM compliance_status").Error })
			if f.db.Dialect == db.Postgres {
				// As autovacuum would: a table of dead rows is not what
				// a first build meets.
				must(b, f.db.Exec("VACUUM ANALYZE compliance_status").Error)
			}
			b.StartTimer()
			run(b, func(tx *gorm.DB) error { return report.Refresh(tx, testNow) })
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			run(b, func(tx *gorm.DB) error { return report.Refresh(tx, testNow) })
		}
	})
	b.Run("incremental", func(b *testing.B) {
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = bulkID(i * 997)
		}
		for b.Loop() {
			run(b, func(tx *gorm.DB) error { return report.RefreshEmployees(tx, testNow, ids) })
		}
	})
}

// BenchmarkExportCSV streams the status report of 100,000 rows to CSV.
func BenchmarkExportCSV(b *testing.B) {
	f := newFixture(b)
	f.populate(50_000, []string{"fire", "privacy"})
	if err := f.db.Transaction(func(tx *gorm.DB) error { return report.Refresh(tx, testNow) }); err != nil {
		b.Fatal(err)
	}
	rep, _ := report.Lookup("status")
	ctx := context.Background()
	for b.Loop() {
		rows, err := rep.Open(ctx, f.db, report.Filter{}, testNow, 0)
		if err != nil {
			b.Fatal(err)
		}
		n, err := report.Write(io.Discard, report.CSV, rows)
		rows.Close()
		if err != nil || n != 100_000 {
			b.Fatalf("wrote %d rows: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/row")
}
