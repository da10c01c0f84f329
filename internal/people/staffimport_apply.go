package people

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// ErrStalePlan is returned by Apply when the employees have changed since
// the plan was made: what was previewed is no longer what would happen.
var ErrStalePlan = errors.New("the employees changed after this import was previewed; preview it again")

// StaffResult counts what Apply did.
type StaffResult struct {
	Added       int
	Changed     int
	Deactivated int
	Reactivated int
	Unchanged   int
	// EmployeeIDs are the IDs of everyone added, changed, deactivated or
	// reactivated, sorted.
	EmployeeIDs []string
}

// Summary says in one line what was done, e.g. "12 added, 3 changed,
// 1 deactivated, 0 reactivated, 980 unchanged".
func (r *StaffResult) Summary() string {
	return fmt.Sprintf("%d added, %d changed, %d deactivated, %d reactivated, %d unchanged",
		r.Added, r.Changed, r.Deactivated, r.Reactivated, r.Unchanged)
}

// staffInsertBatch keeps a multi-row INSERT under SQLite's and PostgreSQL's
// limits on bound parameters (17 columns × 500 rows).
const staffInsertBatch = 500

// staffIDBatch is how many IDs go in one "WHERE id IN (…)".
const staffIDBatch = 500

// Apply carries out plan in one transaction and returns what it did. It
// writes exactly the records the plan holds, so the result is what the
// plan showed. Before writing, it checks that no employee has changed since
// Plan read them (ErrStalePlan otherwise); any failure rolls everything
// back. now stamps created_at, updated_at and deactivated_at.
func Apply(ctx context.Context, d *db.DB, plan *StaffPlan, now time.Time) (*StaffResult, error) {
	if plan == nil {
		return nil, errors.New("no import plan to apply")
	}
	res := &StaffResult{
		Added: len(plan.Added), Changed: len(plan.Changed), Deactivated: len(plan.Deactivated),
		Reactivated: len(plan.Reactivated), Unchanged: plan.Unchanged,
	}
	for _, list := range [][]StaffChange{plan.Added, plan.Changed, plan.Deactivated, plan.Reactivated} {
		for _, c := range list {
			res.EmployeeIDs = append(res.EmployeeIDs, c.ID)
		}
	}
	slices.Sort(res.EmployeeIDs)

	err := d.Tx(ctx, func(tx *gorm.DB) error {
		if d.Dialect == db.Postgres {
			// Readers go on; other writers of employees wait until the
			// import commits, so the check below stays true. (SQLite
			// transactions already hold the write lock from BEGIN.)
			if err := tx.Exec("LOCK TABLE employees IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
				return fmt.Errorf("lock employees: %w", err)
			}
		}
		snap, err := loadStaffSnapshot(tx)
		if err != nil {
			return err
		}
		if !bytes.Equal(snap.fingerprint[:], plan.fingerprint[:]) {
			return ErrStalePlan
		}
		if err := applyPlaceholders(tx, plan.placeholders, now); err != nil {
			return err
		}
		if err := applyInserts(tx, plan.inserts, now); err != nil {
			return err
		}
		if err := applyUpdates(tx, plan.updates, now); err != nil {
			return err
		}
		if err := applyDeactivations(tx, plan.deactivations, now); err != nil {
			return err
		}
		if plan.Options.AfterApply != nil && len(res.EmployeeIDs) > 0 {
			if err := plan.Options.AfterApply(tx, now, res.EmployeeIDs); err != nil {
				return fmt.Errorf("after the staff import: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// applyPlaceholders moves aside the e-mails other rows take over, so two
// employees can swap addresses without breaking the UNIQUE constraint.
func applyPlaceholders(tx *gorm.DB, ids []string, now time.Time) error {
	for _, id := range ids {
		err := tx.Exec("UPDATE employees SET email = ?, updated_at = ? WHERE id = ?", "import-"+id+"@onramp.invalid", now, id).Error
		if err != nil {
			return fmt.Errorf("set aside the e-mail of employee %s: %w", id, err)
		}
	}
	return nil
}

// applyInserts adds the new employees, managers first (Plan sorted them).
func applyInserts(tx *gorm.DB, writes []staffWrite, now time.Time) error {
	for start := 0; start < len(writes); start += staffInsertBatch {
		chunk := writes[start:min(start+staffInsertBatch, len(writes))]
		batch := make([]Employee, len(chunk))
		for i, w := range chunk {
			batch[i] = w.employee(now)
			batch[i].CreatedAt = now
		}
		if err := tx.Create(&batch).Error; err != nil {
			return fmt.Errorf("add employees: %w", err)
		}
	}
	return nil
}

// staffUpdateSQL writes every column the import manages: one statement text
// for every changed employee, whatever changed.
const staffUpdateSQL = `UPDATE employees SET employee_number = ?, email = ?, first_name = ?, last_name = ?,
department = ?, job_title = ?, location = ?, manager_id = ?, hire_date = ?, status = ?, time_zone = ?, role = ?,
deactivated_at = ?, updated_at = ? WHERE id = ?`

// applyUpdates writes the changed, deactivated and reactivated employees
// of the file, and those outside it who are promoted to manager.
func applyUpdates(tx *gorm.DB, writes []staffWrite, now time.Time) error {
	for _, w := range writes {
		e := w.employee(now)
		res := tx.Exec(staffUpdateSQL, e.EmployeeNumber, e.Email, e.FirstName, e.LastName, e.Department, e.JobTitle,
			e.Location, e.ManagerID, e.HireDate, e.Status, e.TimeZone, e.Role, e.DeactivatedAt, now, e.ID)
		if res.Error != nil {
			return fmt.Errorf("update employee %s: %w", e.Email, res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStalePlan
		}
	}
	return nil
}

// applyDeactivations makes the employees missing from the file inactive,
// many per statement. Their records stay.
func applyDeactivations(tx *gorm.DB, ids []string, now time.Time) error {
	for start := 0; start < len(ids); start += staffIDBatch {
		chunk := ids[start:min(start+staffIDBatch, len(ids))]
		res := tx.Exec("UPDATE employees SET status = ?, deactivated_at = ?, updated_at = ? WHERE id IN ? AND status = ?",
			StatusInactive, now, now, chunk, StatusActive)
		if res.Error != nil {
			return fmt.Errorf("deactivate employees: %w", res.Error)
		}
		if res.RowsAffected != int64(len(chunk)) {
			return ErrStalePlan
		}
	}
	return nil
}

// employee turns a write into the row to store.
func (w staffWrite) employee(now time.Time) Employee {
	r := w.rec
	e := Employee{
		ID: r.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		Department: r.Department, JobTitle: r.JobTitle, Location: r.Location,
		Status: r.Status, TimeZone: r.TimeZone, Role: r.Role, UpdatedAt: now, DeactivatedAt: r.DeactivatedAt,
	}
	if r.EmployeeNumber != "" {
		e.EmployeeNumber = &r.EmployeeNumber
	}
	if r.ManagerID != "" {
		e.ManagerID = &r.ManagerID
	}
	if r.HireDate != "" {
		// Plan only produces valid dates; a date read back from the
		// database was checked when it was read.
		d, _ := time.Parse(time.DateOnly, r.HireDate)
		e.HireDate = &d
	}
	if w.stampDeactivated {
		e.DeactivatedAt = &now
	}
	return e
}
