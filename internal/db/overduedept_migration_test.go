package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverdueDepartmentIndexMigration: migration 00049 drops
// compliance_status_overdue_dept_idx, gives compliance_status_overdue_idx
// the department as its last column and keeps its planner statistics (with
// the new column's figure); down gives back both indexes as they were.
func TestOverdueDepartmentIndexMigration(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "onramp.db"))
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 48); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ANALYZE", "DELETE FROM sqlite_stat1 WHERE tbl = 'compliance_status'",
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('compliance_status', 'compliance_status_overdue_idx', '596336 1625 2 1 1'),
			('compliance_status', 'compliance_status_overdue_dept_idx', '596336 14900 40 2 1 1')`} {
		if err := d.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	indexes := func(when string, want map[string]string) {
		t.Helper()
		var names []string
		if err := d.Raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'compliance_status_overdue%' ORDER BY name`).
			Scan(&names).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, name := range names {
			var cols []string
			if err := d.Raw(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, name).Scan(&cols).Error; err != nil {
				t.Fatal(err)
			}
			var sql string
			if err := d.Raw(`SELECT sql FROM sqlite_master WHERE name = ?`, name).Row().Scan(&sql); err != nil {
				t.Fatal(err)
			}
			var stat []string
			if err := d.Raw(`SELECT stat FROM sqlite_stat1 WHERE idx = ?`, name).Scan(&stat).Error; err != nil {
				t.Fatal(err)
			}
			_, where, _ := strings.Cut(sql, "WHERE ")
			got[name] = strings.Join(cols, ", ") + " | " + strings.Join(strings.Fields(where), " ") + " | " + strings.Join(stat, ";")
		}
		if len(got) != len(want) {
			t.Errorf("%s: indexes %v, want %v", when, got, want)
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %s is %q, want %q", when, name, got[name], w)
			}
		}
	}
	const overdue = "status IN ('overdue', 'expired')"
	before := map[string]string{
		"compliance_status_overdue_idx":      "due_at, sort_name, employee_id, course_id | " + overdue + " | 596336 1625 2 1 1",
		"compliance_status_overdue_dept_idx": "department, due_at, sort_name, employee_id, course_id | " + overdue + " | 596336 14900 40 2 1 1",
	}
	indexes("before", before)
	if _, err := p.UpTo(ctx, 49); err != nil {
		t.Fatal(err)
	}
	indexes("after 00049", map[string]string{
		"compliance_status_overdue_idx": "due_at, sort_name, employee_id, course_id, department | " + overdue + " | 596336 1625 2 1 1 1",
	})
	if _, err := p.DownTo(ctx, 48); err != nil {
		t.Fatal(err)
	}
	// Down gives the department's index back without statistics (ANALYZE
	// makes them); the overdue index's are as they were.
	before["compliance_status_overdue_dept_idx"] = "department, due_at, sort_name, employee_id, course_id | " + overdue + " | "
	indexes("down again", before)
}
