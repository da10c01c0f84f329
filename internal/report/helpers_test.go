package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// testNow is the fixtures' "now": Monday 2 March 2026, 09:00 UTC.
var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixture is a migrated database with two courses, for building people and
// cycles by hand.
type fixture struct {
	t   testing.TB
	db  *db.DB
	url string
	n   int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	url := apptest.NewDatabaseURL(t)
	d, err := db.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := day(2020, 1, 1)
	for _, c := range [][2]string{{"fire", "Fire Safety"}, {"privacy", "Patient Privacy"}} {
		if err := d.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", c[0], c[1], at, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{t: t, db: d, url: url}
}

// person adds an active employee.
func (f *fixture) person(first, last, dept string, manager *people.Employee) *people.Employee {
	f.t.Helper()
	f.n++
	number := fmt.Sprintf("E%03d", f.n)
	e := &people.Employee{EmployeeNumber: &number, Email: strings.ToLower(first+"."+last) + "@example.org",
		FirstName: first, LastName: last, Department: dept, JobTitle: "Nurse", Location: "North"}
	if manager != nil {
		e.ManagerID = &manager.ID
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, testNow) }); err != nil {
		f.t.Fatal(err)
	}
	return e
}

// cycleSpec describes one cycle to insert.
type cycleSpec struct {
	status    compliance.CycleStatus
	due       time.Time
	started   bool
	completed *time.Time
	expires   *time.Time
}

func at(t time.Time) *time.Time { return &t }

// assign inserts an active assignment of course to e with the given cycles
// (numbered 1, 2, …) and returns the assignment.
func (f *fixture) assign(e *people.Employee, course string, cycles ...cycleSpec) *compliance.Assignment {
	f.t.Helper()
	a := &compliance.Assignment{ID: db.NewID(), EmployeeID: e.ID, CourseID: course, Status: "active", CreatedAt: testNow}
	if err := f.db.Create(a).Error; err != nil {
		f.t.Fatal(err)
	}
	for i, s := range cycles {
		c := &compliance.Cycle{ID: db.NewID(), AssignmentID: a.ID, EmployeeID: e.ID, CourseID: course, Number: i + 1,
			Path: compliance.PathFull, Status: s.status, WindowOpensAt: s.due.AddDate(0, -1, 0), DueAt: s.due,
			CompletedAt: s.completed, ExpiresAt: s.expires, CreatedAt: testNow, UpdatedAt: testNow}
		if s.started {
			c.StartedAt = at(s.due.AddDate(0, 0, -20))
		}
		if err := f.db.Create(c).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return a
}

// refresh runs report.Refresh in a transaction.
func (f *fixture) refresh(now time.Time, fn func(tx *gorm.DB, now time.Time) error) {
	f.t.Helper()
	if err := f.db.Transaction(func(tx *gorm.DB) error { return fn(tx, now) }); err != nil {
		f.t.Fatal(err)
	}
	f.checkCounts()
}

// checkCounts fails the test unless the kept counts (compliance_counts with
// the changes not yet folded in) are compliance_status summed up.
func (f *fixture) checkCounts() {
	f.t.Helper()
	kept := report.KeptCounts(f.t, f.db)
	var want []string
	rs, err := f.db.Raw(`SELECT course_id, department, status, COUNT(*) FROM compliance_status
		GROUP BY course_id, department, status ORDER BY course_id, department, status`).Rows()
	if err != nil {
		f.t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var c, d, s string
		var n int
		if err := rs.Scan(&c, &d, &s, &n); err != nil {
			f.t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%s/%s/%s: %d", c, d, s, n))
	}
	if strings.Join(kept, "\n") != strings.Join(want, "\n") {
		f.t.Fatalf("kept counts:\n%s\nwant compliance_status summed up:\n%s", strings.Join(kept, "\n"), strings.Join(want, "\n"))
	}
}

// statusRow is a compliance_status row as the tests read it.
type statusRow struct {
	EmployeeID  string
	CourseID    string
	Status      string
	DueAt       time.Time
	CompletedAt *time.Time
	ExpiresAt   *time.Time
	Department  string
	RefreshedAt time.Time
}

func (f *fixture) statuses() map[string]statusRow {
	f.t.Helper()
	var rows []statusRow
	if err := f.db.Raw("SELECT employee_id, course_id, status, due_at, completed_at, expires_at, department, refreshed_at FROM compliance_status").Scan(&rows).Error; err != nil {
		f.t.Fatal(err)
	}
	out := map[string]statusRow{}
	for _, r := range rows {
		out[r.EmployeeID+"/"+r.CourseID] = r
	}
	return out
}

// bulkInsert inserts rows with multi-row INSERT statements, as many rows a
// statement as the database's parameter limit allows.
func bulkInsert(tb testing.TB, tx *gorm.DB, table string, columns []string, rows [][]any) {
	tb.Helper()
	per := 30000 / len(columns)
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(columns))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(marks)
			args = append(args, r...)
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			tb.Fatalf("bulk insert into %s: %v", table, err)
		}
	}
}

// populate bulk-inserts people × courses: one cycle each, a mix of
// standings, for the streaming test and the benchmarks. Departments cycle
// through eight names.
func (f *fixture) populate(peopleCount int, courses []string) {
	f.t.Helper()
	today := compliance.Day(testNow)
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var emps, assigns, cycles [][]any
		for i := range peopleCount {
			id := bulkID(i)
			number := fmt.Sprintf("B%07d", i)
			dept := fmt.Sprintf("Department %d", i%8)
			emps = append(emps, []any{id, number, id + "@example.org", fmt.Sprintf("First%d", i), fmt.Sprintf("Last%07d", i),
				dept, "Nurse", "North", "active", "learner", testNow, testNow})
			for k, course := range courses {
				aid := fmt.Sprintf("%s-a%d", id, k)
				assigns = append(assigns, []any{aid, id, course, "active", testNow})
				var status string
				var due time.Time
				var completed, expires any
				switch (i + k) % 4 {
				case 0:
					status, due = "completed", today.AddDate(0, -6, 0)
					completed, expires = today.AddDate(0, -6, 0), today.AddDate(0, 6, 0)
				case 1:
					status, due = "open", today.AddDate(0, 0, 20)
				case 2:
					status, due = "overdue", today.AddDate(0, 0, -10)
				default:
					status, due = "in_progress", today.AddDate(0, 0, 5)
				}
				cycles = append(cycles, []any{aid + "-c1", aid, id, course, 1, "full", status, due.AddDate(0, -1, 0), due, completed, expires, testNow, testNow})
			}
		}
		bulkInsert(f.t, tx, "employees", []string{"id", "employee_number", "email", "first_name", "last_name", "department", "job_title", "location", "status", "role", "created_at", "updated_at"}, emps)
		bulkInsert(f.t, tx, "assignments", []string{"id", "employee_id", "course_id", "status", "created_at"}, assigns)
		bulkInsert(f.t, tx, "cycles", []string{"id", "assignment_id", "employee_id", "course_id", "number", "path", "status", "window_opens_at", "due_at", "completed_at", "expires_at", "created_at", "updated_at"}, cycles)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// bulkID is the ID populate gives its i-th person.
func bulkID(i int) string { return fmt.Sprintf("bulk-%07d", i) }

type gormDB = gorm.DB
