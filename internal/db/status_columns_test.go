package db

import (
	"context"
	"testing"
	"time"
)

// TestStatusPersonColumnsMigration: migration 00046 drops the employee
// fields compliance_status no longer copies, keeps its rows with the two it
// does (department, sort_name), and going down puts the fields back filled
// from employees, on both databases.
func TestStatusPersonColumnsMigration(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 45); err != nil {
		t.Fatalf("down to 45: %v", err)
	}
	now := time.Now().UTC()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := d.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO employees (id, employee_number, email, first_name, last_name, department, job_title, location, status, role, created_at, updated_at)
		VALUES ('boss', 'E1', 'boss@hospital.example', 'Bea', 'Boss', 'Nursing', 'Director', 'North', 'active', 'manager', ?, ?)`, now, now)
	exec(`INSERT INTO employees (id, employee_number, email, first_name, last_name, department, job_title, location, manager_id, status, role, created_at, updated_at)
		VALUES ('ada', 'E2', 'ada@hospital.example', 'Ada', 'Lovelace', 'Ward A', 'Nurse', 'South', 'boss', 'active', 'learner', ?, ?)`, now, now)
	exec(`INSERT INTO compliance_status (employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at,
		department, job_title, location, manager_id, employee_name, sort_name, employee_number, refreshed_at)
		VALUES ('ada', 'fire', 'a1', 'c1', 1, 'overdue', ?, 'Ward A', 'Nurse', 'South', 'boss', 'Ada Lovelace', 'lovelace ada', 'E2', ?)`, now, now)

	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	var kept struct{ Department, SortName, Status string }
	if err := d.Raw(`SELECT department, sort_name, status FROM compliance_status WHERE employee_id = 'ada'`).Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if kept.Department != "Ward A" || kept.SortName != "lovelace ada" || kept.Status != "overdue" {
		t.Errorf("after 00046 the row is %+v", kept)
	}
	for _, col := range []string{"job_title", "location", "manager_id", "employee_name", "employee_number"} {
		var v any
		if err := d.Raw(`SELECT ` + col + ` FROM compliance_status`).Scan(&v).Error; err == nil {
			t.Errorf("compliance_status.%s is still there after 00046", col)
		}
	}
	var located int64
	if err := d.Raw(`SELECT COUNT(*) FROM employees WHERE location = 'South'`).Scan(&located).Error; err != nil || located != 1 {
		t.Errorf("employees by site: %d, %v", located, err)
	}

	// HR changes Ada's record; going down copies the record as it is now.
	exec(`UPDATE employees SET job_title = 'Charge nurse' WHERE id = 'ada'`)
	if _, err := p.DownTo(ctx, 45); err != nil {
		t.Fatalf("down to 45 again: %v", err)
	}
	var back struct {
		JobTitle, Location, ManagerID, EmployeeName, EmployeeNumber, SortName string
	}
	if err := d.Raw(`SELECT job_title, location, manager_id, employee_name, employee_number, sort_name FROM compliance_status
		WHERE employee_id = 'ada'`).Scan(&back).Error; err != nil {
		t.Fatal(err)
	}
	want := struct {
		JobTitle, Location, ManagerID, EmployeeName, EmployeeNumber, SortName string
	}{"Charge nurse", "South", "boss", "Ada Lovelace", "E2", "lovelace ada"}
	if back != want {
		t.Errorf("after going down the row is %+v, want %+v", back, want)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
