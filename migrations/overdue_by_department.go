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
	sqlite := dialect == string(goose.DialectSQLite3)
	stat := func(ctx context.Context, tx *sql.Tx) (sql.NullString, error) {
		var stat sql.NullString
		if !sqlite {
			return stat, nil
		}
		var tables int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'`).
			Scan(&tables); err != nil || tables == 0 {
			return stat, err
		}
		err := tx.QueryRowContext(ctx, `SELECT stat FROM sqlite_stat1 WHERE tbl = 'compliance_status' AND idx = 'compliance_status_overdue_idx'`).
			Scan(&stat)
		if err == sql.ErrNoRows {
			err = nil
		}
		return stat, err
	}
	keep := func(ctx context.Context, tx *sql.Tx, old sql.NullString, add bool) error {
		if !old.Valid {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('compliance_status', 'compliance_status_overdue_idx', ?)`,
			statColumns(old.String, add))
		return err
	}
	const overdue = ` WHERE status IN ('overdue', 'expired')`
	up := &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		old, err := stat(ctx, tx)
		if err != nil {
			return err
		}
		if err := execAll(ctx, tx, []string{
			`DROP INDEX compliance_status_overdue_dept_idx`,
			`DROP INDEX compliance_status_overdue_idx`,
			`CREATE INDEX compliance_status_overdue_idx ON compliance_status (due_at, sort_name, employee_id, course_id, department)` + overdue,
		}); err != nil {
			return err
		}
		return keep(ctx, tx, old, true)
	}}
	down := &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		old, err := stat(ctx, tx)
		if err != nil {
			return err
		}
		if err := execAll(ctx, tx, []string{
			`DROP INDEX compliance_status_overdue_idx`,
			`CREATE INDEX compliance_status_overdue_idx ON compliance_status (due_at, sort_name, employee_id, course_id)` + overdue,
			`CREATE INDEX compliance_status_overdue_dept_idx ON compliance_status (department, due_at, sort_name, employee_id, course_id)` + overdue,
		}); err != nil {
			return err
		}
		return keep(ctx, tx, old, false)
	}}
	m := goose.NewGoMigration(49, up, down)
	m.Source = "00049_overdue_by_department.go"
	return m
}
