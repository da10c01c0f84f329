package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00049 drops compliance_status_overdue_dept_idx and puts the
// department at the end of compliance_status_overdue_idx instead. Both were
// keyed by due date (after the department, for the first), so every row
// that became overdue or expired, or stopped being so, was written at a
// random place in each: in a 100,000-people completions import, 678 and 620
// of a batch's 4,463 pages. The department index served the overdue report
// filtered by a department of up to about 500 people only: a larger
// department's filter is kept off the indexes (report.plan.preferOrder) and
// the report walks compliance_status_overdue_idx in its order, which now
// tests the department in the index instead of reading each row. A small
// department's overdue rows are read through compliance_status_department_idx
// and sorted (a few thousand at most).
//
// On SQLite the overdue index's planner statistics are kept, with the new
// column's figure (the key was already unique, so 1).
func overdueByDepartment(dialect string) *goose.Migration {
	const index, overdue = "compliance_status_overdue_idx", ` WHERE status IN ('overdue', 'expired')`
	run := func(add bool, stmts ...string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			stat, err := indexStat(ctx, tx, dialect, index)
			if err != nil {
				return err
			}
			if err := execAll(ctx, tx, stmts); err != nil {
				return err
			}
			if stat.Valid {
				stat.String = statColumns(stat.String, add)
			}
			return putIndexStat(ctx, tx, "compliance_status", index, stat)
		}}
	}
	up := run(true,
		`DROP INDEX compliance_status_overdue_dept_idx`,
		`DROP INDEX `+index,
		`CREATE INDEX `+index+` ON compliance_status (due_at, sort_name, employee_id, course_id, department)`+overdue)
	down := run(false,
		`DROP INDEX `+index,
		`CREATE INDEX `+index+` ON compliance_status (due_at, sort_name, employee_id, course_id)`+overdue,
		`CREATE INDEX compliance_status_overdue_dept_idx ON compliance_status (department, due_at, sort_name, employee_id, course_id)`+overdue)
	m := goose.NewGoMigration(49, up, down)
	m.Source = "00049_overdue_by_department.go"
	return m
}
