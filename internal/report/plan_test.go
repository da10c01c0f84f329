package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestPagePlans checks on SQLite, with statistics of 2,000 people × 20
// courses, that each report's page is a range scan of an index in the
// report's order, with no sort of the rows, first page and later pages
// alike. (PostgreSQL plans from its own statistics; the benchmark measures
// it.) The plans it logs with -v (first page, then a page after a cursor):
//
//	status       SCAN s USING INDEX compliance_status_name_idx
//	             SEARCH s USING INDEX compliance_status_name_idx ((sort_name,employee_id,course_id)>(?,?,?))
//	overdue      SCAN s USING INDEX compliance_status_overdue_idx
//	             SEARCH s USING INDEX compliance_status_overdue_idx ((due_at,sort_name,employee_id,course_id)>(?,?,?,?))
//	  department SEARCH s USING INDEX compliance_status_overdue_dept_idx (department=?)
//	             SEARCH s USING INDEX compliance_status_overdue_dept_idx (department=? AND (due_at,sort_name,employee_id,course_id)>(?,?,?,?))
//	expiring     SEARCH s USING INDEX compliance_status_expiring_idx (expires_at>? AND expires_at<?)
//	             (the same: the horizon bounds the range, the cursor filters within it)
//	completions  SEARCH c USING INDEX cycles_completed_id_idx (completed_at>?)
//	             SEARCH c USING INDEX cycles_completed_id_idx ((completed_at,id)>(?,?))
//	matrix       SCAN s USING INDEX compliance_status_name_idx
//	             SEARCH s USING INDEX compliance_status_name_idx ((sort_name,employee_id)>(?,?))
//
// each with SEARCH … USING INDEX …_autoindex_… (id=?) for the joined course,
// manager and employee, and no TEMP B-TREE.
func TestPagePlans(t *testing.T) {
	t.Parallel()
	f, _ := buildHRData(t, 2000)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's plans")
	}
	ctx := context.Background()
	for _, c := range []struct {
		report string
		filter report.Filter
		index  string
	}{
		{"status", report.Filter{}, "compliance_status_name_idx"},
		{"overdue", report.Filter{}, "compliance_status_overdue_idx"},
		{"overdue", report.Filter{Department: "Department 07"}, "compliance_status_overdue_dept_idx"},
		{"expiring", report.Filter{Days: 90}, "compliance_status_expiring_idx"},
		{"completions", report.Filter{}, "cycles_completed_id_idx"},
		{"matrix", report.Filter{}, "compliance_status_name_idx"},
	} {
		rep, _ := report.Lookup(c.report)
		first, err := rep.Page(ctx, f.db, c.filter, testNow, "", 100)
		must(t, err)
		if first.Next == "" {
			t.Fatalf("%s: one page only", c.report)
		}
		for _, cur := range []string{"", first.Next} {
			q, args, err := rep.PageSQL(ctx, f.db, c.filter, testNow, cur, 100)
			must(t, err)
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			must(t, f.db.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&plan).Error)
			var lines []string
			for _, p := range plan {
				lines = append(lines, p.Detail)
			}
			all := strings.Join(lines, "\n")
			t.Logf("%s %v (cursor %v):\n%s", c.report, c.filter.Map(), cur != "", all)
			if !strings.Contains(all, c.index) {
				t.Errorf("%s %v: not read through %s:\n%s", c.report, c.filter.Map(), c.index, all)
			}
			if strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("%s %v: the rows are sorted:\n%s", c.report, c.filter.Map(), all)
			}
		}
	}
}
