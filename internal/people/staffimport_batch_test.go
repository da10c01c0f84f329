package people_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// portableEmployees shows everyone by e-mail without what differs between
// two databases that hold the same people: IDs (managers are shown by
// e-mail) and created_at/updated_at.
func portableEmployees(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	all := employees(t, d)
	emailOf := map[string]string{}
	for _, e := range all {
		emailOf[e.ID] = e.Email
	}
	out := map[string]string{}
	for mail, e := range all {
		when := "nil"
		if e.DeactivatedAt != nil {
			when = e.DeactivatedAt.UTC().Format(time.RFC3339)
		}
		hired := "nil"
		if e.HireDate != nil {
			hired = e.HireDate.UTC().Format(time.DateOnly)
		}
		out[mail] = fmt.Sprintf("%s|%s %s|%s|%s|%s|manager %s|%s|%s|%s|%s|%s", deref(e.EmployeeNumber), e.FirstName, e.LastName,
			e.Department, e.JobTitle, e.Location, emailOf[deref(e.ManagerID)], hired, e.Status, e.TimeZone, e.Role, when)
	}
	return out
}

func diffEmployees(a, b map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if a[k] != b[k] {
			lines = append(lines, fmt.Sprintf("%s: %q vs %q", k, a[k], b[k]))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			lines = append(lines, fmt.Sprintf("%s: missing vs %q", k, b[k]))
		}
	}
	return strings.Join(lines, "\n")
}

// TestStaffImportWritesInBatches: Apply writes BatchSize employees per
// transaction, hands each batch's IDs to AfterBatch exactly once, and ends
// with the same employees as one big batch would.
func TestStaffImportWritesInBatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rows, size int
		// batches of employees written (inserts, then updates and
		// deactivations), plus the last transaction (AfterApply).
		wantBatches []int
	}{
		{rows: 14, size: 7, wantBatches: []int{7, 7}},
		{rows: 15, size: 7, wantBatches: []int{7, 7, 1}},
		{rows: 6, size: 7, wantBatches: []int{6}},
	} {
		t.Run(fmt.Sprintf("%d rows by %d", tc.rows, tc.size), func(t *testing.T) {
			d := openStaffDB(t)
			var batches []int
			seen := map[string]int{}
			var afterApply []string
			plan := planCSV(t, d, staffCSV(goodRows(tc.rows)...), people.PlanOptions{
				BatchSize: tc.size,
				AfterBatch: func(tx *gorm.DB, _ time.Time, ids []string) error {
					batches = append(batches, len(ids))
					if !slices.IsSorted(ids) {
						t.Errorf("batch IDs not sorted: %v", ids)
					}
					// The batch's people are in the transaction already.
					var n int64
					if err := tx.Model(&people.Employee{}).Where("id IN ?", ids).Count(&n).Error; err != nil || n != int64(len(ids)) {
						t.Errorf("%d of the batch's %d employees visible in its transaction (%v)", n, len(ids), err)
					}
					for _, id := range ids {
						seen[id]++
					}
					return nil
				},
				AfterApply: func(_ *gorm.DB, _ time.Time, ids []string) error { afterApply = ids; return nil },
			})
			res, err := people.Apply(context.Background(), d, plan, importDay)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(batches, tc.wantBatches) {
				t.Errorf("batches %v, want %v", batches, tc.wantBatches)
			}
			if res.Batches != len(tc.wantBatches)+1 {
				t.Errorf("%d transactions, want %d", res.Batches, len(tc.wantBatches)+1)
			}
			if len(seen) != tc.rows || !slices.Equal(afterApply, res.EmployeeIDs) {
				t.Errorf("%d people in batches, AfterApply saw %d, want %d", len(seen), len(afterApply), tc.rows)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s in %d batches", id, n)
				}
			}
			one := openStaffDB(t)
			importCSV(t, one, staffCSV(goodRows(tc.rows)...), people.PlanOptions{}, importDay)
			if diff := diffEmployees(portableEmployees(t, one), portableEmployees(t, d)); diff != "" {
				t.Errorf("batched import differs from one batch:\n%s", diff)
			}
		})
	}
}

// TestStaffImportRerunAfterFailureConverges: an import that stops part-way
// (here a batch's follow-up fails; a crash is the same) leaves the batches
// before it written, and running the same file again finishes the job: the
// employees end exactly as after an import that never failed, and every
// person written got their follow-up.
func TestStaffImportRerunAfterFailureConverges(t *testing.T) {
	t.Parallel()
	swap := staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,,",
		"E3,ola@example.org,Nia,Nurse,ICU,Senior Nurse,North,mo@example.org,2021-09-01,,America/New_York",
		"E4,nia@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,inactive,",
		"E6,quinn@example.org,Quinn,Quiet,Facilities,Porter,South,dana@example.org,2020-02-02,active,",
		"E7,rae@example.org,Rae,Recruit,Pharmacy,Pharmacist,East,sam@example.org,2026-04-01,,",
		"E8,sam@example.org,Sam,Senior,Pharmacy,Chief Pharmacist,East,dana@example.org,2017-05-05,,",
	)
	clean := openStaffDB(t)
	importCSV(t, clean, firstImport, people.PlanOptions{}, importDay)
	importCSV(t, clean, swap, people.PlanOptions{DeactivateMissing: true}, reimportDay)
	want := portableEmployees(t, clean)

	for failAt := 1; failAt <= 6; failAt++ {
		t.Run(fmt.Sprintf("fails in batch %d", failAt), func(t *testing.T) {
			d := openStaffDB(t)
			importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
			fail := errors.New("the machine went down")
			followed := map[string]bool{}
			calls := 0
			opts := people.PlanOptions{DeactivateMissing: true, BatchSize: 1,
				AfterBatch: func(_ *gorm.DB, _ time.Time, ids []string) error {
					calls++
					if calls == failAt {
						return fail
					}
					for _, id := range ids {
						followed[id] = true
					}
					return nil
				}}
			plan := planCSV(t, d, swap, opts)
			if _, err := people.Apply(context.Background(), d, plan, reimportDay); !errors.Is(err, fail) {
				t.Fatalf("Apply = %v, want the failure", err)
			}
			if got := portableEmployees(t, d); diffEmployees(want, got) == "" {
				t.Fatal("the failed import wrote everything")
			}
			calls = -1000 // no more failures
			plan = planCSV(t, d, swap, opts)
			res, err := people.Apply(context.Background(), d, plan, reimportDay)
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			if diff := diffEmployees(want, portableEmployees(t, d)); diff != "" {
				t.Errorf("after the re-run:\n%s", diff)
			}
			for _, id := range res.EmployeeIDs {
				if !followed[id] {
					t.Errorf("employee %s was never followed up", id)
				}
			}
			// A third run has nothing left to do.
			if plan := planCSV(t, d, swap, opts); !plan.Empty() {
				t.Errorf("third run: %s", plan.Summary())
			}
		})
	}
}

// TestStaffImportBadLastRowWritesNothing: the problem is on the very last
// row of a long file, found by the parser and by the plan: the import
// refuses the file before writing its first batch.
func TestStaffImportBadLastRowWritesNothing(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	before := employees(t, d)
	for name, last := range map[string]string{
		"parse": "G2999,g2999@example.org,A,B,,,,g0@example.org,2024-13-01,,",
		"plan":  "G2999,g2999@example.org,A,B,,,,nobody@example.org,2024-01-01,,",
	} {
		t.Run(name, func(t *testing.T) {
			lines := goodRows(3000)
			lines[2999] = last
			f, err := people.ParseStaffCSV(strings.NewReader(staffCSV(lines...)))
			if err == nil {
				var plan *people.StaffPlan
				plan, err = people.Plan(context.Background(), d, f, people.PlanOptions{BatchSize: 100})
				if err == nil {
					svc := &people.Service{DB: d, Engine: &compliance.Engine{DB: d}}
					_, err = svc.ApplyImport(context.Background(), plan, people.ImportSource{File: "x.csv", Via: people.ViaCommandLine}, reimportDay)
				}
			}
			ie := importError(t, err)
			if len(ie.Problems) != 1 || ie.Problems[0].Row != 3001 {
				t.Errorf("problems = %q", ie.Lines())
			}
		})
	}
	if !equalEmployees(before, employees(t, d)) || auditCount(t, d, audit.ActionImport) != 0 {
		t.Error("the database changed")
	}
}

// goodRows returns n valid data lines, G0 to G(n-1): a director (G0) and
// everyone else managed by them.
func goodRows(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		manager := "g0@example.org"
		if i == 0 {
			manager = ""
		}
		lines[i] = fmt.Sprintf("G%d,g%d@example.org,First%d,Last%d,Dept%d,Title%d,Site%d,%s,2020-01-%02d,,",
			i, i, i, i, i%20, i%50, i%5, manager, 1+i%28)
	}
	return lines
}

// TestStaffImportOneBadRowStopsEverything puts one bad row among 1,000
// good ones, once for each place a problem can be found: parsing, planning,
// and inside Apply's transaction.
func TestStaffImportOneBadRowStopsEverything(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	before := employees(t, d)
	ctx := context.Background()

	t.Run("bad date found by ParseStaffCSV", func(t *testing.T) {
		lines := goodRows(1000)
		lines[600] = "G600,g600@example.org,A,B,,,,g0@example.org,2024-02-30,,"
		_, err := people.ParseStaffCSV(strings.NewReader(staffCSV(lines...)))
		ie := importError(t, err)
		if len(ie.Problems) != 1 || ie.Problems[0].String() != `row 602, column hire_date: "2024-02-30" is not a date; use YYYY-MM-DD, e.g. 2024-01-31` {
			t.Errorf("problems = %q", ie.Lines())
		}
	})
	t.Run("unknown manager found by Plan", func(t *testing.T) {
		lines := goodRows(1000)
		lines[998] = "G998,g998@example.org,A,B,,,,nobody@example.org,2024-01-01,,"
		ie := planError(t, d, staffCSV(lines...), people.PlanOptions{})
		if len(ie.Problems) != 1 || ie.Problems[0].Row != 1000 || ie.Problems[0].Column != "manager_email" {
			t.Errorf("problems = %q", ie.Lines())
		}
	})
	t.Run("failure before writing", func(t *testing.T) {
		fail := errors.New("upload already applied")
		var seen int
		plan := planCSV(t, d, staffCSV(goodRows(1000)...), people.PlanOptions{
			DeactivateMissing: true,
			BeforeWrite: func(tx *gorm.DB, now time.Time, ids []string) error {
				seen = len(ids)
				return fail
			},
			AfterBatch: func(*gorm.DB, time.Time, []string) error {
				t.Error("a batch was written after BeforeWrite failed")
				return nil
			},
		})
		_, err := people.Apply(ctx, d, plan, reimportDay)
		if !errors.Is(err, fail) {
			t.Fatalf("Apply = %v, want the hook's error", err)
		}
		if seen != 1000+5 {
			t.Errorf("the hook saw %d employees, want 1000 added and 5 deactivated", seen)
		}
	})
	if !equalEmployees(before, employees(t, d)) {
		t.Error("the database changed")
	}
}

func TestStaffImportRefusesAStalePlan(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	plan := planCSV(t, d, staffCSV("E9,zed@example.org,Zed,Z,,,,,2024-01-01,,"), people.PlanOptions{})
	// Somebody takes the new hire's address between the preview and Apply.
	addByHand(t, d, "zed@example.org", people.RoleLearner)
	if _, err := people.Apply(context.Background(), d, plan, reimportDay); !errors.Is(err, people.ErrStalePlan) {
		t.Fatalf("Apply = %v, want ErrStalePlan", err)
	}
	// A plan applied once cannot be applied again.
	plan = planCSV(t, d, staffCSV("E8,yan@example.org,Yan,Y,,,,,2024-01-01,,"), people.PlanOptions{})
	if _, err := people.Apply(context.Background(), d, plan, reimportDay); err != nil {
		t.Fatal(err)
	}
	if _, err := people.Apply(context.Background(), d, plan, reimportDay); !errors.Is(err, people.ErrStalePlan) {
		t.Fatalf("second Apply = %v, want ErrStalePlan", err)
	}
	if n := employeeCount(t, d); n != 8 {
		t.Errorf("%d employees, want 8", n)
	}
}

// TestStaffImportCancelledPartWayFinishes: a context cancelled once the
// import has begun writing (HR closed the page, an API client gave up, an
// operator pressed Ctrl-C) does not stop it between batches, which would
// leave people written without the import's audit entry: it runs to the
// end, AfterApply included. Cancelled before anything is written, it
// writes nothing.
func TestStaffImportCancelledPartWayFinishes(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recorded := false
	plan := planCSV(t, d, staffCSV(goodRows(9)...), people.PlanOptions{
		BatchSize:     2,
		OnTransaction: func(time.Duration) { cancel() }, // after the first write
		AfterApply:    func(*gorm.DB, time.Time, []string) error { recorded = true; return nil },
	})
	res, err := people.Apply(ctx, d, plan, importDay)
	if err != nil {
		t.Fatalf("Apply cancelled part-way: %v", err)
	}
	if n := len(employees(t, d)); n != 9 || !recorded || res.Batches != 6 {
		t.Fatalf("%d of 9 employees written, AfterApply ran %v, %d transactions", n, recorded, res.Batches)
	}

	other := openStaffDB(t)
	gone, stop := context.WithCancel(context.Background())
	stop()
	plan = planCSV(t, other, staffCSV(goodRows(9)...), people.PlanOptions{BatchSize: 2})
	if _, err := people.Apply(gone, other, plan, importDay); !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with a cancelled context: %v", err)
	}
	if n := len(employees(t, other)); n != 0 {
		t.Fatalf("%d employees written by an import cancelled before it began", n)
	}
}
