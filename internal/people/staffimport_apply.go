package people

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// ErrStalePlan is returned by Apply when the employees have changed since
// the plan was made: what was previewed is no longer what would happen.
var ErrStalePlan = apperr.New(apperr.Conflict, "the employees changed after this import was previewed; preview it again")

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
	// Batches is how many write transactions Apply used.
	Batches int
}

// Summary says in one line what was done, e.g. "12 added, 3 changed,
// 1 deactivated, 0 reactivated, 980 unchanged".
func (r *StaffResult) Summary() string {
	return fmt.Sprintf("%d added, %d changed, %d deactivated, %d reactivated, %d unchanged",
		r.Added, r.Changed, r.Deactivated, r.Reactivated, r.Unchanged)
}

// DefaultStaffBatch is how many employees one write transaction of Apply
// writes (and hands to PlanOptions.AfterBatch) when PlanOptions.BatchSize is
// not set. With 20 courses for everyone, the rules give each batch 4,000
// assignments and cycles and the report 4,000 standings: measured at about
// 0.2 s of CPU, the longest SQLite's write lock should be held.
const DefaultStaffBatch = 200

// maxStaffBatch keeps a multi-row statement under SQLite's limit of 32,766
// bound parameters (16 per employee).
const maxStaffBatch = 2000

// Apply carries out plan and returns what it did. It writes exactly the
// records the plan holds, so the result is what the plan showed.
//
// It first checks, without taking the write lock, that no employee has
// changed since Plan read them (ErrStalePlan otherwise). It then writes in
// batches of PlanOptions.BatchSize employees, each batch in its own short
// transaction with multi-row statements, so that the site stays responsive
// during a large import: e-mails taken over by another row are set aside
// first, then new employees are added (managers before the people they
// manage), changed ones updated, leavers deactivated. PlanOptions.AfterBatch
// runs in each batch's transaction with the batch's IDs, so the people
// written and the follow-up (the assignment rules) commit together.
//
// Because the batches commit one by one, a failure part-way (a crash, a
// hook's error) leaves the batches before it written; a cancelled ctx stops
// the import only before its first write commits, never part-way. The write phase is
// idempotent: planning and applying the same file again writes only what is
// still missing and converges to the same employees. now stamps created_at,
// updated_at and deactivated_at.
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

	snap, err := loadStaffSnapshot(d.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	stale := !bytes.Equal(snap.fingerprint[:], plan.fingerprint[:])
	snap = nil // the snapshot can be big; let it go before writing
	if stale {
		return nil, ErrStalePlan
	}
	opts := plan.Options
	// Without a BatchSize, batches are sized by time (db.Pacer: about
	// db.TxTarget each, starting at DefaultStaffBatch); a BatchSize is kept
	// as given.
	size := opts.BatchSize
	hi := size
	if size <= 0 {
		size, hi = DefaultStaffBatch, maxStaffBatch
	}
	size, hi = min(size, maxStaffBatch), min(hi, maxStaffBatch)
	pace := d.NewPacer(size/4, 1, hi)
	if opts.BatchSize > 0 {
		pace = d.NewPacer(size, size, size)
	}
	stats := d.NewAnalyzer(db.WriteTables...)
	var held time.Duration // how long the last transaction held the database
	// chunks cuts items into paced batches.
	chunks := func(n int, fn func(lo, hi int) error) error {
		for lo := 0; lo < n; {
			if err := stats.Check(ctx); err != nil {
				return err
			}
			hi := min(lo+pace.Size(), n)
			if err := fn(lo, hi); err != nil {
				return err
			}
			pace.Done(ctx, hi-lo, held)
			lo = hi
		}
		return nil
	}
	tx := func(fn func(tx *gorm.DB) error) error {
		res.Batches++
		var err error
		held, err = d.BulkTxHeld(ctx, fn)
		if opts.OnTransaction != nil {
			opts.OnTransaction(held)
		}
		if err == nil {
			// Once a write has committed, the import goes on to its end
			// when ctx is cancelled (a closed page, a client that gave up,
			// Ctrl-C): stopped between batches, it would leave people
			// written with no audit entry for the import.
			ctx = context.WithoutCancel(ctx)
		}
		return err
	}
	if opts.BeforeWrite != nil && len(res.EmployeeIDs) > 0 {
		if err := tx(func(tx *gorm.DB) error { return opts.BeforeWrite(tx, now, res.EmployeeIDs) }); err != nil {
			return nil, err
		}
	}
	for part := range slices.Chunk(plan.placeholders, size) {
		if err := tx(func(tx *gorm.DB) error { return applyPlaceholders(tx, part, now) }); err != nil {
			return nil, err
		}
	}
	after := func(tx *gorm.DB, ids []string) error {
		if opts.AfterBatch == nil {
			return nil
		}
		slices.Sort(ids)
		if err := opts.AfterBatch(tx, now, ids); err != nil {
			return fmt.Errorf("after the staff import: %w", err)
		}
		return nil
	}
	for _, writes := range [][]staffWrite{plan.inserts, plan.updates} {
		err := chunks(len(writes), func(lo, hi int) error {
			part := writes[lo:hi]
			return tx(func(tx *gorm.DB) error {
				if err := upsertStaff(tx, part, now); err != nil {
					return err
				}
				ids := make([]string, len(part))
				for i, w := range part {
					ids[i] = w.rec.ID
				}
				return after(tx, ids)
			})
		})
		if err != nil {
			return nil, err
		}
	}
	err = chunks(len(plan.deactivations), func(lo, hi int) error {
		part := plan.deactivations[lo:hi]
		return tx(func(tx *gorm.DB) error {
			if err := applyDeactivations(tx, part, now); err != nil {
				return err
			}
			return after(tx, slices.Clone(part))
		})
	})
	if err != nil {
		return nil, err
	}
	if opts.AfterApply != nil && len(res.EmployeeIDs) > 0 {
		if err := tx(func(tx *gorm.DB) error { return opts.AfterApply(tx, now, res.EmployeeIDs) }); err != nil {
			return nil, fmt.Errorf("after the staff import: %w", err)
		}
	}
	return res, nil
}

// applyPlaceholders moves aside the e-mails other rows take over, so two
// employees can swap addresses without breaking the UNIQUE constraint.
func applyPlaceholders(tx *gorm.DB, ids []string, now time.Time) error {
	err := tx.Exec("UPDATE employees SET email = 'import-' || id || '@onramp.invalid', updated_at = ? WHERE id IN ?", now, ids).Error
	if err != nil {
		return fmt.Errorf("set aside the e-mails of %d employees: %w", len(ids), err)
	}
	return nil
}

// staffUpsertColumns are the columns upsertStaff writes, in order.
var staffUpsertColumns = []string{
	"id", "employee_number", "email", "first_name", "last_name", "department", "job_title", "location",
	"manager_id", "hire_date", "status", "time_zone", "role", "deactivated_at", "created_at", "updated_at",
}

// staffUpsertSet is what an existing employee's row takes from the file:
// everything but id and created_at (password, sign-in and the rest stay).
var staffUpsertSet = func() string {
	var b strings.Builder
	for _, c := range staffUpsertColumns {
		if c == "id" || c == "created_at" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = excluded." + c)
	}
	return b.String()
}()

// upsertStaff writes employees with one multi-row INSERT … ON CONFLICT (id)
// DO UPDATE: new employees are added, existing ones get every column the
// import manages. Writing the same rows again changes nothing more, which
// makes a re-run after a failure converge.
func upsertStaff(tx *gorm.DB, writes []staffWrite, now time.Time) error {
	if len(writes) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO employees (" + strings.Join(staffUpsertColumns, ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(staffUpsertColumns)), ", ") + ")"
	args := make([]any, 0, len(writes)*len(staffUpsertColumns))
	for i, w := range writes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		e := w.employee(now)
		args = append(args, e.ID, e.EmployeeNumber, e.Email, e.FirstName, e.LastName, e.Department, e.JobTitle,
			e.Location, e.ManagerID, e.HireDate, e.Status, e.TimeZone, e.Role, e.DeactivatedAt, now, now)
	}
	b.WriteString(" ON CONFLICT (id) DO UPDATE SET " + staffUpsertSet)
	if _, err := db.ExecBulk(tx, b.String(), args...); err != nil {
		return fmt.Errorf("write %d employees: %w", len(writes), err)
	}
	return nil
}

// applyDeactivations makes the employees missing from the file inactive,
// many per statement. Their records stay. Someone already inactive (a
// re-run after a failure) stays as they are.
func applyDeactivations(tx *gorm.DB, ids []string, now time.Time) error {
	res := tx.Exec("UPDATE employees SET status = ?, deactivated_at = ?, updated_at = ? WHERE id IN ? AND status = ?",
		StatusInactive, now, now, ids, StatusActive)
	if res.Error != nil {
		return fmt.Errorf("deactivate employees: %w", res.Error)
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
