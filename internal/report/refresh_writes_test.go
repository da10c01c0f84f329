package report_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// indexWrites records, for every statement run through gorm's Exec on
// f.db that changed rows, which of compliance_status's indexes SQLite's program opens for
// writing (EXPLAIN's OpenWrite on the index's root page): what a statement
// costs at scale, where each index written is a page (a random one, for the
// name order) per row.
func indexWrites(t *testing.T, f *fixture) func() map[string]bool {
	t.Helper()
	roots := map[int64]string{}
	rs, err := f.db.Raw(`SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'compliance_status'`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var name string
		var root int64
		if err := rs.Scan(&name, &root); err != nil {
			t.Fatal(err)
		}
		roots[root] = name
	}
	rs.Close()
	if len(roots) < 7 {
		t.Fatalf("compliance_status has %d indexes, want its six and the key", len(roots))
	}
	written := map[string]bool{}
	err = f.db.Callback().Raw().After("gorm:raw").Register("test:index_writes", func(tx *gorm.DB) {
		q := tx.Statement.SQL.String()
		if tx.Error != nil || tx.RowsAffected == 0 || !strings.Contains(q, "compliance_status") {
			return
		}
		rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, "EXPLAIN "+q, tx.Statement.Vars...)
		if err != nil {
			t.Errorf("EXPLAIN %s: %v", q, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var addr, p1, p2, p3, p5 int64
			var op string
			var p4, comment sql.NullString
			if err := rows.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &comment); err != nil {
				t.Errorf("EXPLAIN %s: %v", q, err)
				return
			}
			if op == "OpenWrite" && p3 == 0 && roots[p2] != "" {
				written[roots[p2]] = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.db.Callback().Raw().Remove("test:index_writes") })
	return func() map[string]bool {
		got := written
		written = map[string]bool{}
		return got
	}
}

// TestRefreshWritesOnlyTheIndexesThatMoved: refreshing a person whose
// standing moved (a course completed: the common change of a pass or a
// history import) rewrites compliance_status's status and date indexes but
// not the name, course and department ones; a change to the person's job
// title, site, manager or number (not copied) writes nothing, and only a
// change to their name or department rewrites those. The rows are the same
// as a full refresh's either way.
func TestRefreshWritesOnlyTheIndexesThatMoved(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's index writes; PostgreSQL rewrites a refreshed person's rows")
	}
	today := compliance.Day(testNow)
	ada := f.person("Ada", "Lovelace", "Nursing", nil)
	bob := f.person("Bob", "Builder", "Nursing", nil)
	f.assign(ada, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.assign(ada, "privacy", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.assign(bob, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.refresh(testNow, report.Refresh)
	writes := indexWrites(t, f)
	var last map[string]bool // what the last RefreshEmployees wrote
	refreshBoth := func(now time.Time) map[string]statusRow {
		t.Helper()
		f.refresh(now, func(tx *gorm.DB, now time.Time) error {
			return report.RefreshEmployees(tx, now, []string{ada.ID, bob.ID})
		})
		got, rows := f.statuses(), dumpStatus(t, f)
		last = writes()
		f.refresh(now, report.Refresh)
		writes() // the full refresh's own writes are not the point
		if want := dumpStatus(t, f); strings.Join(rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("RefreshEmployees left:\n%s\nwant what a full refresh gives:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
		return got
	}

	// Nothing changed: nothing is written.
	refreshBoth(testNow)
	if w := last; len(w) > 0 {
		t.Errorf("refreshing unchanged people wrote %v", keys(w))
	}

	// Ada completes fire safety.
	f.db.Model(&compliance.Cycle{}).Where("employee_id = ? AND course_id = ?", ada.ID, "fire").
		Updates(map[string]any{"status": compliance.StatusCompleted, "completed_at": testNow, "expires_at": today.AddDate(1, 0, 0)})
	if got := refreshBoth(testNow); got[ada.ID+"/fire"].Status != string(report.StatusCompleted) {
		t.Fatalf("Ada's fire safety: %s, want completed", got[ada.ID+"/fire"].Status)
	}
	w := last
	for _, moved := range []string{"compliance_status_expiring_idx", "compliance_status_overdue_idx"} {
		if !w[moved] {
			t.Errorf("a completion did not rewrite %s (wrote %v): the check sees nothing", moved, keys(w))
		}
	}
	// Nor the course and department filters' indexes, which are not keyed
	// on the standing (migration 00040).
	for _, still := range []string{"compliance_status_name_idx", "compliance_status_course_idx", "compliance_status_department_idx"} {
		if w[still] {
			t.Errorf("a completion rewrote %s, whose columns did not change (wrote %v)", still, keys(w))
		}
	}

	// Bob is promoted, moves to another site, reports to Ada and gets a
	// new employee number: none of that is copied into his standings
	// (migration 00046), so refreshing him writes nothing.
	f.db.Exec(`UPDATE employees SET job_title = 'Charge nurse', location = 'North', manager_id = ?, employee_number = 'B-2' WHERE id = ?`,
		ada.ID, bob.ID)
	refreshBoth(testNow)
	if w := last; len(w) > 0 {
		t.Errorf("a new job title, site, manager and number wrote %v", keys(w))
	}

	// Bob marries: his name moves, and with it the name order.
	f.db.Exec(`UPDATE employees SET last_name = 'Lovelace' WHERE id = ?`, bob.ID)
	refreshBoth(testNow)
	var name string
	f.db.Raw(`SELECT sort_name FROM compliance_status WHERE employee_id = ? AND course_id = 'fire'`, bob.ID).Scan(&name)
	if name != "lovelace bob" {
		t.Fatalf("Bob's row: %q, want lovelace bob", name)
	}
	if w := last; !w["compliance_status_name_idx"] {
		t.Errorf("a new name did not rewrite the name order (wrote %v)", keys(w))
	}

	// Rows that no longer stand go, beside rows that stay: Ada's privacy
	// course is closed, and Bob leaves.
	f.db.Exec(`UPDATE assignments SET status = 'closed' WHERE employee_id = ? AND course_id = 'privacy'`, ada.ID)
	f.db.Exec(`UPDATE employees SET status = 'inactive' WHERE id = ?`, bob.ID)
	got := refreshBoth(testNow)
	if _, ok := got[ada.ID+"/privacy"]; ok {
		t.Error("Ada's closed privacy course kept its row")
	}
	if _, ok := got[bob.ID+"/fire"]; ok {
		t.Error("Bob left and kept his row")
	}
	if _, ok := got[ada.ID+"/fire"]; !ok || len(got) != 1 {
		t.Errorf("after the close and the leaver: rows %v, want Ada's fire safety only", got)
	}
}

// dumpStatus lists compliance_status's rows, every column but
// refreshed_at, in key order.
func dumpStatus(t *testing.T, f *fixture) []string {
	t.Helper()
	rs, err := f.db.Raw(`SELECT employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at, completed_at,
		expires_at, department, sort_name
		FROM compliance_status ORDER BY employee_id, course_id`).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals := make([]any, 11)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
