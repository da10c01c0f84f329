package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestFirstPassAfterImportsKeepsTheReport: on a new database the staff
// import refreshes the report rows of the people it gives cycles, in the
// transactions that give them, and its first records the table built
// (report.MarkBuiltBeforeFirstCycles); so the table is complete when the
// first pass comes, and that pass refreshes only the people its batches
// change. (It rebuilt the whole table: about 20 s of the first pass at
// 100,000 people.) What it leaves is what a rebuild of the whole table
// gives.
func TestFirstPassAfterImportsKeepsTheReport(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	ctx := context.Background()
	d := env.App.DB

	var staff []people.StaffRecord
	for i := range 30 {
		staff = append(staff, people.StaffRecord{
			EmployeeID: fmt.Sprintf("E%02d", i), Email: fmt.Sprintf("p%02d@hospital.test", i), FirstName: "Person",
			LastName: fmt.Sprintf("N%02d", i), Department: []string{"Nursing", "Radiology", "Pharmacy"}[i%3], JobTitle: "Nurse",
			Location: "Main", HireDate: start.AddDate(0, 0, -10*i).Format("2006-01-02"),
		})
	}
	if _, err := env.App.Staff.Upsert(ctx, staff, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine}, start); err != nil {
		t.Fatal(err)
	}
	history := "employee_id,course,completed_at\n"
	for i := 0; i < 30; i += 2 {
		history += fmt.Sprintf("E%02d,basic,%s\n", i, start.AddDate(-1, 0, -5*i).Format("2006-01-02"))
	}
	if _, err := compliance.ImportCompletions(ctx, d, strings.NewReader(history), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: start, Engine: env.App.Engine,
	}); err != nil {
		t.Fatal(err)
	}

	// A month on: reminders, overdue cycles, expiries.
	now := start.AddDate(0, 1, 0)
	rep, err := env.App.Scheduler.RunOnce(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Examined == 0 || rep.MarkedOverdue == 0 {
		t.Fatalf("the first pass: %s; want overdue cycles", rep)
	}
	if rep.Report.Full || rep.Report.People != 0 {
		t.Errorf("the first pass after the imports rebuilt the report table (full %v, %d people); want only its batches' refreshes",
			rep.Report.Full, rep.Report.People)
	}
	standings := func() []string {
		t.Helper()
		var rows []string
		if err := d.Raw(`SELECT employee_id || ' ' || course_id || ' ' || cycle_id || ' ' || status || ' ' || department || ' ' || sort_name
			FROM compliance_status`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var counts []string
		if err := d.Raw(`SELECT course_id || ' ' || department || ' ' || status || ' ' || CAST(SUM(people) AS TEXT) FROM
			(SELECT course_id, department, status, people FROM compliance_counts
			 UNION ALL SELECT course_id, department, status, people FROM compliance_count_changes) k
			GROUP BY course_id, department, status HAVING SUM(people) <> 0`).Scan(&counts).Error; err != nil {
			t.Fatal(err)
		}
		slices.Sort(rows)
		slices.Sort(counts)
		return append(rows, counts...)
	}
	kept := standings()
	if len(kept) < 30 {
		t.Fatalf("the report holds %d rows and counts, want at least one per person", len(kept))
	}

	if err := d.Exec(`UPDATE compliance_refresh SET full_at = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	res, err := report.MaintainBatches(ctx, d, now, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Full || res.People != 30 {
		t.Fatalf("the rebuild: full %v, %d people; want everyone", res.Full, res.People)
	}
	if rebuilt := standings(); !slices.Equal(kept, rebuilt) {
		t.Errorf("the report the imports and the pass kept:\n%s\nrebuilt:\n%s", strings.Join(kept, "\n"), strings.Join(rebuilt, "\n"))
	}
}
