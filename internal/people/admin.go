package people

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

// Actor is who makes a change, as the audit trail names them; the zero
// Actor is the system (the command line).
type Actor struct {
	ID   string
	Name string
}

// Errors of Admin's status changes; each has a sentence a person can act on.
var (
	ErrAlreadyInactive = apperr.New(apperr.Conflict, "this person is already inactive")
	ErrAlreadyActive   = apperr.New(apperr.Conflict, "this person is already active")
	ErrDeactivateSelf  = apperr.New(apperr.Conflict, "you cannot deactivate yourself; ask another HR admin to do it")
	ErrLastHRAdmin     = apperr.New(apperr.Conflict, "this person is the only active HR admin; make someone else an HR admin first, or nobody could manage Onramp")
)

// Admin makes HR's changes to people by hand. Each change is one
// transaction that also writes its audit entry and what the change sets off
// elsewhere: the assignment rules re-applied to the person (courses
// assigned, or open cycles closed for a leaver) and a leaver signed out.
type Admin struct {
	DB *db.DB
	// Reevaluate re-applies the assignment rules to the given people inside
	// tx: compliance.Engine.EvaluateTx.
	Reevaluate func(tx *gorm.DB, now time.Time, ids []string) error
	// EndSessions signs a person out everywhere inside tx:
	// auth.Service.EndEmployeeSessions.
	EndSessions func(tx *gorm.DB, employeeID string) error
}

// Add creates an employee from d (a *DetailsError says what to fix) and
// applies the assignment rules to them; active unless SetActive(false).
func (a *Admin) Add(ctx context.Context, by Actor, d Details, now time.Time, opts ...Option) (*Employee, error) {
	o := collect(opts)
	var created *Employee
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		e, err := checkDetails(tx, d, nil)
		if err != nil {
			return err
		}
		inactive := o.active != nil && !*o.active
		e.ID, e.Status, e.DeactivatedAt = "", StatusActive, nil
		if inactive {
			e.Status, e.DeactivatedAt = StatusInactive, &now
		}
		if err := Create(tx, e, now); err != nil {
			return err
		}
		if err := a.reevaluate(tx, now, e.ID); err != nil {
			return err
		}
		created = e
		details := map[string]any{"details": detailChanges(&Employee{}, e, managerEmails(tx))}
		ev := audit.Event{
			At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionCreate, EntityType: "employee", EntityID: e.ID,
			Summary: fmt.Sprintf("Added %s as %s.", describe(e), roleWords(e.Role)), Details: details,
		}
		if inactive {
			ev.Summary = fmt.Sprintf("Added %s as %s, inactive.", describe(e), roleWords(e.Role))
			details["status"] = StatusInactive
		}
		if err := audit.Record(tx, ev); err != nil {
			return err
		}
		return o.finish(a, tx, by, e, now)
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// Update saves d as employee id's details and returns the employee and what
// changed (nothing is written when nothing did). The assignment rules are
// applied again, since department, job title, location and hire date
// decide them. With SetActive it also changes the person's status, in the
// same transaction and audit entry.
func (a *Admin) Update(ctx context.Context, by Actor, id string, d Details, now time.Time, opts ...Option) (*Employee, []FieldChange, error) {
	o := collect(opts)
	var saved *Employee
	var changes []FieldChange
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if saved, changes, err = a.update(tx, by, id, d, now, o.active); err != nil {
			return err
		}
		return o.finish(a, tx, by, saved, now)
	})
	if err != nil {
		return nil, nil, err
	}
	return saved, changes, nil
}

// update is Update inside tx; active, when not nil, is the status the
// person must end with. The changes returned are the details' (a status
// change is in the audit entry, not among them).
func (a *Admin) update(tx *gorm.DB, by Actor, id string, d Details, now time.Time, active *bool) (*Employee, []FieldChange, error) {
	current, err := loadForUpdate(tx, id)
	if err != nil {
		return nil, nil, err
	}
	after, err := checkDetails(tx, d, current)
	if err != nil {
		return nil, nil, err
	}
	changes := detailChanges(current, after, managerEmails(tx))
	status := active != nil && *active != current.Active()
	if len(changes) == 0 && !status {
		return after, changes, nil
	}
	if len(changes) > 0 {
		after.UpdatedAt = now
		err = tx.Model(&Employee{}).Where("id = ?", id).Updates(map[string]any{
			"employee_number": after.EmployeeNumber, "email": after.Email, "first_name": after.FirstName,
			"last_name": after.LastName, "department": after.Department, "job_title": after.JobTitle,
			"location": after.Location, "manager_id": after.ManagerID, "hire_date": after.HireDate,
			"time_zone": after.TimeZone, "role": after.Role, "updated_at": now,
		}).Error
		if err != nil {
			return nil, nil, fmt.Errorf("save employee %s: %w", id, err)
		}
	}
	if status {
		if err := a.setStatus(tx, by, after, *active, now); err != nil {
			return nil, nil, err
		}
	}
	if err := a.reevaluate(tx, now, id); err != nil {
		return nil, nil, err
	}
	fields := make([]string, len(changes))
	for i, c := range changes {
		fields[i] = c.Field
	}
	ev := audit.Event{
		At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionUpdate, EntityType: "employee", EntityID: id,
		Summary: fmt.Sprintf("Changed the details of %s: %s.", describe(after), strings.Join(fields, ", ")),
		Details: map[string]any{"changes": changes},
	}
	if status {
		if ev, err = statusEvent(tx, by, after, now, changes); err != nil {
			return nil, nil, err
		}
	}
	if err := audit.Record(tx, ev); err != nil {
		return nil, nil, err
	}
	return after, changes, nil
}

// Deactivate makes employee id inactive: they are signed out everywhere,
// their open cycles are closed ("employee inactive"), and their records
// stay. by may not deactivate themselves, nor the last active HR admin.
func (a *Admin) Deactivate(ctx context.Context, by Actor, id string, now time.Time, opts ...Option) (*Employee, error) {
	return a.changeStatus(ctx, by, id, false, now, opts)
}

// Reactivate makes an inactive employee active again and applies the
// assignment rules to them: courses they must take are assigned again.
func (a *Admin) Reactivate(ctx context.Context, by Actor, id string, now time.Time, opts ...Option) (*Employee, error) {
	return a.changeStatus(ctx, by, id, true, now, opts)
}

func (a *Admin) changeStatus(ctx context.Context, by Actor, id string, active bool, now time.Time, opts []Option) (*Employee, error) {
	o := collect(opts)
	if o.active != nil {
		return nil, errSetActive
	}
	var saved *Employee
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		e, err := loadForUpdate(tx, id)
		if err != nil {
			return err
		}
		switch {
		case active && e.Active():
			return ErrAlreadyActive
		case !active && !e.Active():
			return ErrAlreadyInactive
		}
		if err := a.setStatus(tx, by, e, active, now); err != nil {
			return err
		}
		if err := a.reevaluate(tx, now, id); err != nil {
			return err
		}
		ev, err := statusEvent(tx, by, e, now, nil)
		if err != nil {
			return err
		}
		if err := audit.Record(tx, ev); err != nil {
			return err
		}
		saved = e
		return o.finish(a, tx, by, e, now)
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// setStatus makes e active or inactive inside tx, with what that sets off
// before the rules run again: a leaver signed out everywhere. It refuses
// the deactivation of by themselves and of the last active HR admin.
func (a *Admin) setStatus(tx *gorm.DB, by Actor, e *Employee, active bool, now time.Time) error {
	if active {
		err := tx.Model(&Employee{}).Where("id = ?", e.ID).
			Updates(map[string]any{"status": StatusActive, "deactivated_at": nil, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("reactivate employee %s: %w", e.ID, err)
		}
		e.Status, e.DeactivatedAt, e.UpdatedAt = StatusActive, nil, now
		return nil
	}
	switch {
	case e.ID == by.ID:
		return ErrDeactivateSelf
	case e.Role == RoleHRAdmin:
		last, err := lastActiveHRAdmin(tx, e.ID)
		if err != nil {
			return err
		}
		if last {
			return ErrLastHRAdmin
		}
	}
	err := tx.Model(&Employee{}).Where("id = ?", e.ID).
		Updates(map[string]any{"status": StatusInactive, "deactivated_at": now, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("deactivate employee %s: %w", e.ID, err)
	}
	e.Status, e.DeactivatedAt, e.UpdatedAt = StatusInactive, &now, now
	return a.EndSessions(tx, e.ID)
}

// statusEvent is the audit entry of e's status change (e as it is now),
// together with the changes to their details made in the same transaction.
func statusEvent(tx *gorm.DB, by Actor, e *Employee, now time.Time, changes []FieldChange) (audit.Event, error) {
	ev := audit.Event{At: now, ActorID: by.ID, ActorName: by.Name, EntityType: "employee", EntityID: e.ID}
	edited := ""
	if len(changes) > 0 {
		fields := make([]string, len(changes))
		for i, c := range changes {
			fields[i] = c.Field
		}
		edited = " and changed their details: " + strings.Join(fields, ", ")
	}
	if e.Active() {
		ev.Action = audit.ActionUpdate
		ev.Summary = fmt.Sprintf("Reactivated %s%s.", describe(e), edited)
		ev.Details = map[string]any{"changes": append([]FieldChange{{Field: ColumnStatus, Old: string(StatusInactive), New: string(StatusActive)}}, changes...)}
		return ev, nil
	}
	reports, err := countActiveReports(tx, e.ID)
	if err != nil {
		return ev, err
	}
	ev.Action = audit.ActionDeactivate
	ev.Summary = fmt.Sprintf("Deactivated %s%s.", describe(e), edited)
	details := map[string]any{"active_reports": reports}
	if len(changes) > 0 {
		details["changes"] = changes
	}
	ev.Details = details
	return ev, nil
}

// ActiveReports counts the active people employee id manages directly.
func (s *Store) ActiveReports(ctx context.Context, id string) (int64, error) {
	return countActiveReports(s.DB.WithContext(ctx), id)
}

func countActiveReports(tx *gorm.DB, id string) (int64, error) {
	var n int64
	if err := tx.Model(&Employee{}).Where("manager_id = ? AND status = ?", id, StatusActive).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count the reports of %s: %w", id, err)
	}
	return n, nil
}

func (a *Admin) reevaluate(tx *gorm.DB, now time.Time, id string) error {
	if a.Reevaluate == nil {
		return errors.New("people: Admin.Reevaluate is not set; the assignment rules must follow every change")
	}
	if err := a.Reevaluate(tx, now, []string{id}); err != nil {
		return fmt.Errorf("apply the assignment rules to %s: %w", id, err)
	}
	return nil
}

// loadForUpdate reads an employee inside tx (ErrNotFound when missing).
func loadForUpdate(tx *gorm.DB, id string) (*Employee, error) {
	var e Employee
	err := tx.Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %s: %w", id, err)
	}
	return &e, nil
}

// managerEmails returns a function giving a manager's e-mail by ID, for
// the changes an audit entry lists.
func managerEmails(tx *gorm.DB) func(*string) string {
	return func(id *string) string {
		if id == nil {
			return ""
		}
		var email string
		if err := tx.Model(&Employee{}).Select("email").Where("id = ?", *id).Scan(&email).Error; err != nil {
			return *id
		}
		return email
	}
}

// roleWords names a role in a sentence.
func roleWords(r Role) string {
	switch r {
	case RoleHRAdmin:
		return "an HR admin"
	case RoleManager:
		return "a manager"
	}
	return "a learner"
}
