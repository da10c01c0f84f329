package report_test

import (
	"context"
	"reflect"
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
			all := explainPlan(t, f, q, args)
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

// TestCountsReadNoPeople checks on SQLite that counting a report's rows
// (CountUpTo, up to 10,000 of them for every page shown) reads
// compliance_status alone: the people a page shows are joined for its rows
// only, unless a job title or site filter is on them.
func TestCountsReadNoPeople(t *testing.T) {
	t.Parallel()
	f, _ := buildHRData(t, 500)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's plans")
	}
	ctx := context.Background()
	for _, c := range []struct {
		report string
		filter report.Filter
		people bool
	}{
		{"status", report.Filter{}, false},
		{"status", report.Filter{Course: "fire"}, false},
		{"overdue", report.Filter{Department: "Department 07"}, false},
		{"expiring", report.Filter{Days: 90}, false},
		{"matrix", report.Filter{}, false},
		{"status", report.Filter{JobTitle: "Job 7"}, true},
		{"overdue", report.Filter{Location: "Site 1"}, true},
	} {
		q, args, err := mustLookup(t, c.report).CountSQL(ctx, f.db, c.filter, testNow, 10_000)
		must(t, err)
		all := explainPlan(t, f, q, args)
		reads := strings.Contains(all, " e USING") || strings.Contains(all, "SCAN e")
		if reads != c.people {
			t.Errorf("%s %v: the count reads employees: %v, want %v:\n%s", c.report, c.filter.Map(), reads, c.people, all)
		}
	}
}

// TestMatrixCountOfOneCourse: the matrix of one course has a row per
// person, so its count is read along the course's index, not grouped by
// person and sorted (0.8 s at 100,000 people), and says the same.
func TestMatrixCountOfOneCourse(t *testing.T) {
	t.Parallel()
	f, _ := buildHRData(t, 500)
	ctx := context.Background()
	rep := mustLookup(t, "matrix")
	for _, flt := range []report.Filter{{Course: "fire"}, {Course: "fire", Status: report.StatusCompleted}, {Course: "fire", Department: "Department 07"}} {
		var want int
		q := `SELECT COUNT(DISTINCT s.employee_id) FROM compliance_status s WHERE s.course_id = 'fire'`
		switch {
		case flt.Status != "":
			q += ` AND s.status = 'completed'`
		case flt.Department != "":
			q += ` AND s.department = 'Department 07'`
		}
		must(t, f.db.Raw(q).Scan(&want).Error)
		for _, limit := range []int{10_000, want - 1} {
			n, more, err := rep.CountUpTo(ctx, f.db, flt, testNow, limit)
			must(t, err)
			if w := min(want, limit); n != w || more != (want > limit) {
				t.Errorf("matrix %v up to %d: %d (more %v), want %d", flt.Map(), limit, n, more, w)
			}
		}
		if want == 0 {
			t.Fatalf("matrix %v: nobody to count", flt.Map())
		}
		if f.db.Dialect == db.SQLite {
			q, args, err := rep.CountSQL(ctx, f.db, flt, testNow, 10_000)
			must(t, err)
			if plan := explainPlan(t, f, q, args); strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("matrix %v: the count sorts:\n%s", flt.Map(), plan)
			}
		}
	}
}

// TestDenseFiltersAreReadInOrder checks on SQLite that a page of a report
// filtered by something many rows match (more than the threshold, set low
// here) is read along the report's own index, with no sort of every
// matching row, while a filter that matches few rows keeps its own index;
// and that both ways give the same pages.
func TestDenseFiltersAreReadInOrder(t *testing.T) {
	// Not parallel: it sets the package's threshold.
	f, _ := buildHRData(t, 2000)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's plans")
	}
	ctx := context.Background()
	defer report.SetOrderWalkRows(1000)()
	plan := func(name string, filter report.Filter, cur string) string {
		t.Helper()
		rep, _ := report.Lookup(name)
		q, args, err := rep.PageSQL(ctx, f.db, filter, testNow, cur, 100)
		must(t, err)
		return explainPlan(t, f, q, args)
	}
	// 2,000 people: 12 sites (about 3,300 standings each), 40 departments
	// (1,000 each), a manager with 1,500 people below (30,000).
	for _, c := range []struct {
		report string
		filter report.Filter
		index  string
	}{
		{"status", report.Filter{Location: "Site 1"}, "compliance_status_name_idx"},
		{"status", report.Filter{Course: "fire"}, "compliance_status_name_idx"},
		{"status", report.Filter{Manager: bulkID(0)}, "compliance_status_name_idx"},
		{"status", report.Filter{Status: report.StatusCompleted}, "compliance_status_name_idx"},
		{"matrix", report.Filter{Location: "Site 1"}, "compliance_status_name_idx"},
		{"overdue", report.Filter{Manager: bulkID(0)}, "compliance_status_overdue_idx"},
		// A course's 2,000 standings, of which a few dozen expire within 90
		// days: read along the report's range. (At 100,000 people the count
		// that decides it read the course's rows one by one when it
		// included the report's own conditions: docs/performance.md.)
		{"expiring", report.Filter{Course: "fire", Days: 90}, "compliance_status_expiring_idx"},
	} {
		first, err := mustLookup(t, c.report).Page(ctx, f.db, c.filter, testNow, "", 100)
		must(t, err)
		for _, cur := range []string{"", first.Next} {
			all := plan(c.report, c.filter, cur)
			if !strings.Contains(all, c.index) || strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("%s %v (cursor %v): want a read along %s with no sort:\n%s", c.report, c.filter.Map(), cur != "", c.index, all)
			}
		}
	}
	// 1,000 standings in a department: at the threshold, read through the
	// department's index (and the overdue ones sorted: a few hundred).
	if all := plan("status", report.Filter{Department: "Department 07"}, ""); !strings.Contains(all, "compliance_status_department_idx") {
		t.Errorf("a department's 1,000 standings are not read through its index:\n%s", all)
	}
	if all := plan("overdue", report.Filter{Department: "Department 07"}, ""); !strings.Contains(all, "compliance_status_department_idx") {
		t.Errorf("a department's 1,000 standings are not read through its index for the overdue report:\n%s", all)
	}
	// Above the threshold, the overdue report of a department walks the
	// overdue index in its order (which holds the department since
	// migration 00049, in place of an index of its own), first page and
	// later pages alike.
	func() {
		defer report.SetOrderWalkRows(500)()
		filter := report.Filter{Department: "Department 07"}
		first, err := mustLookup(t, "overdue").Page(ctx, f.db, filter, testNow, "", 100)
		must(t, err)
		if first.Next == "" {
			t.Fatal("the department's overdue report has one page: the check sees no later page")
		}
		for _, cur := range []string{"", first.Next} {
			if all := plan("overdue", filter, cur); !strings.Contains(all, "compliance_status_overdue_idx") || strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("overdue %v (cursor %v): want a read along compliance_status_overdue_idx with no sort:\n%s", filter.Map(), cur != "", all)
			}
		}
	}()
	// Job title and site are the employee record's (migration 00046): a
	// job title's few hundred standings are found through employees' index
	// of it, and so are a site's when its rows count as few.
	if all := plan("status", report.Filter{JobTitle: "Job 7"}, ""); !strings.Contains(all, "employees_job_title_idx") {
		t.Errorf("a job title's standings are not found through employees_job_title_idx:\n%s", all)
	}
	report.SetOrderWalkRows(1 << 40)
	if all := plan("status", report.Filter{Location: "Site 1"}, ""); !strings.Contains(all, "employees_location_idx") {
		t.Errorf("a site's standings are not found through employees_location_idx:\n%s", all)
	}
	report.SetOrderWalkRows(1000)

	// The same pages either way, forwards and back.
	pages := func(name string, filter report.Filter) []*report.Page {
		t.Helper()
		rep := mustLookup(t, name)
		var out []*report.Page
		cur := ""
		for range 3 {
			p, err := rep.Page(ctx, f.db, filter, testNow, cur, 100)
			must(t, err)
			out = append(out, p)
			if p.Next == "" {
				break
			}
			cur = p.Next
		}
		if cur != "" {
			p, err := rep.Page(ctx, f.db, filter, testNow, out[len(out)-1].Prev, 100)
			must(t, err)
			out = append(out, p)
		}
		return out
	}
	for _, c := range []struct {
		report string
		filter report.Filter
	}{
		{"status", report.Filter{Location: "Site 1"}},
		{"status", report.Filter{Location: "Site 1", Status: report.StatusOverdue}},
		{"status", report.Filter{Manager: bulkID(0), JobTitle: "Job 7"}},
		{"overdue", report.Filter{Location: "Site 3"}},
		{"expiring", report.Filter{Course: "privacy", Days: 90}},
		{"matrix", report.Filter{Location: "Site 1"}},
		{"completions", report.Filter{Department: "Department 07"}},
	} {
		report.SetOrderWalkRows(0)
		walked := pages(c.report, c.filter)
		report.SetOrderWalkRows(1 << 40)
		sorted := pages(c.report, c.filter)
		report.SetOrderWalkRows(1000)
		if len(walked[0].Rows) == 0 {
			t.Errorf("%s %v: no rows to compare", c.report, c.filter.Map())
		}
		if !reflect.DeepEqual(walked, sorted) {
			t.Errorf("%s %v: pages read in order differ from pages read through the filter's index", c.report, c.filter.Map())
		}
	}
}

func mustLookup(t *testing.T, name string) *report.Report {
	t.Helper()
	r, ok := report.Lookup(name)
	if !ok {
		t.Fatalf("no report %q", name)
	}
	return r
}

// explainPlan is SQLite's plan for q, one step a line.
func explainPlan(t *testing.T, f *fixture, q string, args []any) string {
	t.Helper()
	var plan []struct {
		ID, Parent, Notused int
		Detail              string
	}
	must(t, f.db.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&plan).Error)
	lines := make([]string, len(plan))
	for i, p := range plan {
		lines[i] = p.Detail
	}
	return strings.Join(lines, "\n")
}
