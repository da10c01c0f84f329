package compliance_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// TestOpenCyclesAreReadInDueOrder: HR's list of open cycles gives, for
// every filter, the same pages as sorting all of them by due date and ID;
// and on SQLite each page is read along cycles_open_due_idx and stops after
// it (no sort of every open cycle: 1.3 million at 100,000 people, most of a
// minute a page), except for a small department, read through its people.
func TestOpenCyclesAreReadInDueOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	// Five people hired (and assigned) a day for 46 days: due dates
	// spread, several people a day.
	for d := range 46 {
		day := start.AddDate(0, 0, d)
		for i := range 5 {
			dept := "Big"
			if i == 0 && d%10 == 0 {
				dept = "Small"
			}
			f.employee(fmt.Sprintf("p%02d-%d@example.org", d, i), dept, day, nil)
		}
		f.pass(day.Add(9 * time.Hour))
	}
	// A month after the last hire: the first ones are overdue.
	now := start.AddDate(0, 0, 46+20).Add(9 * time.Hour)
	// Some cycles are no longer owed: exempt (with and without an end
	// date; cycles_open_due_idx still holds them, and the list skips them)
	// and completed (the index lets them go).
	var owed []string
	if err := f.db.Raw(`SELECT id FROM cycles ORDER BY due_at, id`).Scan(&owed).Error; err != nil || len(owed) < 40 {
		t.Fatal(err, len(owed))
	}
	until, version := compliance.Day(now).AddDate(0, 2, 0), mustVersion(t, f)
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		for i, id := range owed[:12] {
			var err error
			switch i % 3 {
			case 0:
				_, err = compliance.Exempt(tx, id, "long-term leave", &until, "hr", now.Add(-time.Hour))
			case 1:
				_, err = compliance.Exempt(tx, id, "does not see patients", nil, "hr", now.Add(-time.Hour))
			default:
				var c compliance.Cycle
				if err = tx.Take(&c, "id = ?", id).Error; err == nil {
					err = compliance.Complete(tx, &c, now.Add(-time.Hour), compliance.Recurrence{EveryMonths: 12, Base: compliance.BaseExpiry}, version)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if f.db.Dialect == db.SQLite {
		// cycles' statistics from the 100,000-people benchmark database
		// (and its sizes of assignments and employees):
		// with them, SQLite's planner read every assignment and sorted,
		// unless told the order of the tables.
		for _, q := range []string{"ANALYZE", "DELETE FROM sqlite_stat1 WHERE tbl = 'cycles'", `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
			('cycles', 'cycles_completed_id_idx', '2700831 3700 1'), ('cycles', 'cycles_employee_idx', '2700831 28'),
			('cycles', 'cycles_next_event_idx', '2700831 42871 1 1'), ('cycles', 'cycles_open_due_idx', '1303174 3052 1'),
			('cycles', 'sqlite_autoindex_cycles_1', '2700831 1'),
			('cycles', 'sqlite_autoindex_cycles_2', '2700831 2 1')`,
			"DELETE FROM sqlite_stat1 WHERE tbl IN ('assignments', 'employees')",
			`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('assignments', 'sqlite_autoindex_assignments_1', '2000000 1'),
			('assignments', 'sqlite_autoindex_assignments_2', '2000000 20 1'), ('employees', 'sqlite_autoindex_employees_1', '100000 1')`} {
			if err := f.db.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		// Connections read the statistics when they open.
		f.db.SQL().SetMaxIdleConns(0)
		f.db.SQL().SetMaxIdleConns(8)
	}

	plans := &[]string{}
	if f.db.Dialect == db.SQLite {
		plans = recordPlans(t, f.db, func(q string) bool { return strings.Contains(q, "FROM cycles c") && strings.Contains(q, "ORDER BY") })
	}

	type want struct {
		filter compliance.OpenCycleFilter
		plan   string
	}
	for _, c := range []want{
		{compliance.OpenCycleFilter{}, "c USING INDEX cycles_open_due_idx"},
		{compliance.OpenCycleFilter{CourseID: "c1"}, "c USING INDEX cycles_open_due_idx"},
		{compliance.OpenCycleFilter{Department: "Big"}, "c USING INDEX cycles_open_due_idx"},
		{compliance.OpenCycleFilter{Department: "Small"}, "employees_department_idx"},
		{compliance.OpenCycleFilter{Status: "overdue"}, "c USING INDEX cycles_open_due_idx"},
		{compliance.OpenCycleFilter{Status: "open"}, "SEARCH c USING INDEX cycles_open_due_idx ("},
		{compliance.OpenCycleFilter{RuleID: "r-everyone", Department: "Big", Status: "overdue"}, "c USING INDEX cycles_open_due_idx"},
	} {
		t.Run(fmt.Sprintf("%+v", c.filter), func(t *testing.T) {
			// The reference: every open cycle the filter keeps, sorted in Go.
			var all []compliance.SelectedCycle
			err := f.db.Raw(`SELECT c.*, e.department AS department FROM cycles c JOIN employees e ON e.id = c.employee_id
				WHERE c.status IN ('upcoming', 'open', 'in_progress', 'overdue')`).Scan(&all).Error
			if err != nil {
				t.Fatal(err)
			}
			today := compliance.Day(now)
			all = slices.DeleteFunc(all, func(sc compliance.SelectedCycle) bool {
				overdue := sc.Status == compliance.StatusOverdue || sc.DueAt.Before(today)
				return (c.filter.Department != "" && sc.Department != c.filter.Department) ||
					(c.filter.Status == "overdue" && !overdue) || (c.filter.Status == "open" && overdue)
			})
			slices.SortFunc(all, func(a, b compliance.SelectedCycle) int {
				if n := a.DueAt.Compare(b.DueAt); n != 0 {
					return n
				}
				return strings.Compare(a.ID, b.ID)
			})
			if len(all) < 3 {
				t.Fatalf("the filter keeps %d open cycles: the fixture does not test it", len(all))
			}
			var ids []string
			for _, sc := range all {
				ids = append(ids, sc.ID)
			}
			// Forwards by position (the Next links), then backwards from
			// the last cycle (the Previous links), then by offset (a page
			// typed by number): each visits every cycle once, in order.
			*plans = nil
			var got, back, byOffset []string
			p := compliance.OpenCyclesPage{Limit: 7}
			for pages := 0; ; pages++ {
				page, more, total, err := compliance.ListOpenCycles(f.db.DB, c.filter, now, p)
				if err != nil || pages > len(all) {
					t.Fatal(err, pages)
				}
				if total != int64(len(all)) {
					t.Fatalf("total %d, want %d", total, len(all))
				}
				for _, sc := range page {
					got = append(got, sc.ID)
				}
				if !more {
					break
				}
				pos := page[len(page)-1].Position()
				p.After = &pos
			}
			if !slices.Equal(got, ids) {
				t.Fatalf("pages give %d cycles in this order:\n%v\nwant %d:\n%v", len(got), got, len(ids), ids)
			}
			last := all[len(all)-1].Position()
			last.ID += "~" // just after the last cycle
			p = compliance.OpenCyclesPage{Limit: 7, Before: &last}
			for pages := 0; ; pages++ {
				page, more, _, err := compliance.ListOpenCycles(f.db.DB, c.filter, now, p)
				if err != nil || pages > len(all) {
					t.Fatal(err, pages)
				}
				var ids []string
				for _, sc := range page {
					ids = append(ids, sc.ID)
				}
				back = append(ids, back...)
				if !more {
					break
				}
				pos := page[0].Position()
				p.Before = &pos
			}
			if !slices.Equal(back, ids) {
				t.Fatalf("pages backwards give %d cycles in this order:\n%v\nwant %d:\n%v", len(back), back, len(ids), ids)
			}
			for offset := 0; offset < len(all)+7; offset += 7 {
				page, _, _, err := compliance.ListOpenCycles(f.db.DB, c.filter, now, compliance.OpenCyclesPage{Limit: 7, Offset: offset})
				if err != nil {
					t.Fatal(err)
				}
				for _, sc := range page {
					byOffset = append(byOffset, sc.ID)
				}
			}
			if !slices.Equal(byOffset, ids) {
				t.Fatalf("pages by offset give %d cycles in this order:\n%v\nwant %d:\n%v", len(byOffset), byOffset, len(ids), ids)
			}
			if f.db.Dialect == db.SQLite && len(*plans) == 0 {
				t.Fatal("no plan was read: the check sees nothing")
			}
			for _, p := range *plans {
				if !strings.Contains(p, c.plan) || strings.Contains(p, "TEMP B-TREE") != (c.filter.Department == "Small") {
					t.Errorf("plan %q, want %q (sorting only a small department's cycles)", p, c.plan)
				}
			}
		})
	}

	// The count stops after openCyclesCounted: one more says "more".
	defer compliance.SetOpenCyclesCounted(10)()
	page, _, total, err := compliance.ListOpenCycles(f.db.DB, compliance.OpenCycleFilter{}, now, compliance.OpenCyclesPage{Limit: 7})
	if err != nil {
		t.Fatal(err)
	}
	if total != 11 || len(page) != 7 {
		t.Fatalf("with the count stopping at 10: total %d, %d rows; want 11 and a page of 7", total, len(page))
	}
}

// TestPassLeavesOpenCyclesIndexAlone: no column a scheduler pass sets on
// the cycles it changes is in cycles_open_due_idx, its key or its partial
// condition. SQLite rewrites an index entry whenever an UPDATE sets a column
// the index names, even when the entry stays as it was: with the condition
// on status (migration 00038), every cycle a pass moved from open to
// overdue rewrote its entry at a random place in the index (migration
// 00048 keys the condition on completed_at and closed_at instead).
func TestPassLeavesOpenCyclesIndexAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'cycles_open_due_idx'`
	if f.db.Dialect == db.Postgres {
		q = `SELECT indexdef FROM pg_indexes WHERE indexname = 'cycles_open_due_idx'`
	}
	var def string
	if err := f.db.Raw(q).Row().Scan(&def); err != nil {
		t.Fatal(err)
	}
	_, def, ok := strings.Cut(strings.ToLower(def), "(")
	if !ok {
		t.Fatalf("index definition %q", def)
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(def, func(r rune) bool { return !(r == '_' || 'a' <= r && r <= 'z') }) {
		words[w] = true
	}
	if !words["due_at"] || !words["completed_at"] {
		t.Fatalf("index definition %q: the check does not see its columns", def)
	}
	sets := compliance.PassCycleWriteColumns()
	if len(sets) != 4 || !slices.Contains(sets[len(sets)-1], "status") {
		t.Fatalf("a pass's column sets %v: the check does not see them", sets)
	}
	for _, cols := range sets {
		for _, c := range cols {
			if words[c] {
				t.Errorf("cycles_open_due_idx (%s) names %s, which a pass's write of %v sets", strings.TrimSuffix(def, ")"), c, cols)
			}
		}
	}
}
