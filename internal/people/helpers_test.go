package people_test

// Helpers of the people package's tests: a migrated database, planning and
// importing a CSV, reading employees back and comparing them.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

var (
	importDay   = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	reimportDay = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
)

// openStaffDB opens a fresh, migrated database: SQLite, or PostgreSQL when
// ONRAMP_TEST_DATABASE_URL is set.
func openStaffDB(tb testing.TB) *db.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), apptest.NewDatabaseURL(tb), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return d
}

// planCSV parses a staff file and plans it; it fails the test on any error.
func planCSV(t *testing.T, d *db.DB, csv string, opts people.PlanOptions) *people.StaffPlan {
	t.Helper()
	f, err := people.ParseStaffCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	plan, err := people.Plan(context.Background(), d, f, opts)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return plan
}

// planError parses and plans a staff file that must fail to plan.
func planError(t *testing.T, d *db.DB, csv string, opts people.PlanOptions) *people.ImportError {
	t.Helper()
	f, err := people.ParseStaffCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	plan, err := people.Plan(context.Background(), d, f, opts)
	if err == nil {
		t.Fatalf("plan succeeded: %s", plan.Summary())
	}
	return importError(t, err)
}

// importCSV plans and applies a staff file.
func importCSV(t *testing.T, d *db.DB, csv string, opts people.PlanOptions, now time.Time) (*people.StaffPlan, *people.StaffResult) {
	t.Helper()
	plan := planCSV(t, d, csv, opts)
	res, err := people.Apply(context.Background(), d, plan, now)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return plan, res
}

// employees loads everyone, by e-mail.
func employees(t *testing.T, d *db.DB) map[string]people.Employee {
	t.Helper()
	var list []people.Employee
	if err := d.Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]people.Employee{}
	for _, e := range list {
		out[e.Email] = e
	}
	return out
}

func employeeCount(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.Model(&people.Employee{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// addByHand creates an employee without an employee_id, as the set-up of
// the first HR admin does.
func addByHand(t *testing.T, d *db.DB, email string, role people.Role) *people.Employee {
	t.Helper()
	e := &people.Employee{Email: email, FirstName: "Hand", LastName: "Made", Role: role}
	if err := d.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, importDay) }); err != nil {
		t.Fatal(err)
	}
	return e
}

// fieldValue reads a plan field (as FieldChange names it) from an employee.
func fieldValue(t *testing.T, all map[string]people.Employee, e people.Employee, field string) string {
	t.Helper()
	switch field {
	case people.ColumnEmployeeID:
		return deref(e.EmployeeNumber)
	case people.ColumnEmail:
		return e.Email
	case people.ColumnFirstName:
		return e.FirstName
	case people.ColumnLastName:
		return e.LastName
	case people.ColumnDepartment:
		return e.Department
	case people.ColumnJobTitle:
		return e.JobTitle
	case people.ColumnLocation:
		return e.Location
	case people.ColumnHireDate:
		return e.HireDate.Format(time.DateOnly)
	case people.ColumnTimeZone:
		return e.TimeZone
	case "role":
		return string(e.Role)
	case people.ColumnManagerEmail:
		if e.ManagerID == nil {
			return ""
		}
		for _, m := range all {
			if m.ID == *e.ManagerID {
				return m.Email
			}
		}
		t.Fatalf("%s's manager %s does not exist", e.Email, *e.ManagerID)
	}
	t.Fatalf("unknown field %q", field)
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func equalEmployee(a, b people.Employee) bool { return employeeText(a) == employeeText(b) }

// employeeText shows every column of an employee, pointers followed.
func employeeText(e people.Employee) string {
	when := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", e.ID, deref(e.EmployeeNumber), e.Email,
		e.FirstName, e.LastName, e.Department, e.JobTitle, e.Location, deref(e.ManagerID), when(e.HireDate), e.Status,
		e.TimeZone, e.Role, e.PasswordHash, when(&e.CreatedAt), when(&e.UpdatedAt), when(e.DeactivatedAt))
}

func equalEmployees(a, b map[string]people.Employee) bool {
	if len(a) != len(b) {
		return false
	}
	for k, e := range a {
		if !equalEmployee(e, b[k]) {
			return false
		}
	}
	return true
}
