package people

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Option adds to one change to people, inside the change's own
// transaction: Service's Create, CreateInactive, Update, Deactivate and
// Reactivate (and Admin's methods) take them. An entry point that keeps
// names of its own for a person (SCIM's userName) writes them with Also,
// so the person's change and its own writes are one transaction: both, or
// neither.
type Option func(*options)

type options struct {
	also           []func(tx *gorm.DB, e *Employee) error
	active         *bool
	promoteManager bool
}

func collect(opts []Option) *options {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Also runs fn inside the change's transaction, after the person, their
// follow-ups and the audit entry are written; e is the person as saved
// (with the ID of one just created). When fn fails, nothing of the change
// is kept, and the change returns fn's error unchanged. fn runs even when
// Update finds nothing to change.
func Also(fn func(tx *gorm.DB, e *Employee) error) Option {
	return func(o *options) { o.also = append(o.also, fn) }
}

// SetActive makes Create or Update also make the person active or
// inactive, in the same transaction and with one audit entry: a person
// created disabled, a person brought back with new details, a leaver's
// last details. It is what Reactivate or Deactivate would do (sessions
// ended, ErrDeactivateSelf, ErrLastHRAdmin), but a person already in that
// state is no error. Deactivate and Reactivate refuse it.
func SetActive(active bool) Option {
	return func(o *options) { o.active = &active }
}

// PromoteManager makes the person's manager, after the change, a manager
// when they are an active learner, as the staff import does, so they see
// their team: an Update of the manager's role with its own audit entry, in
// the same transaction.
func PromoteManager() Option {
	return func(o *options) { o.promoteManager = true }
}

// errSetActive is a wiring mistake, never a user's.
var errSetActive = errors.New("people: SetActive is for Create and Update; Deactivate and Reactivate already set the status")

// finish runs the options' writes after the change to e inside tx.
func (o *options) finish(a *Admin, tx *gorm.DB, by Actor, e *Employee, now time.Time) error {
	if o.promoteManager {
		if err := a.promoteManager(tx, by, e, now); err != nil {
			return err
		}
	}
	for _, fn := range o.also {
		if err := fn(tx, e); err != nil {
			return err
		}
	}
	return nil
}

// promoteManager makes e's manager a manager when they are an active
// learner; an update of their role like HR's, audited.
func (a *Admin) promoteManager(tx *gorm.DB, by Actor, e *Employee, now time.Time) error {
	if e.ManagerID == nil {
		return nil
	}
	m, err := loadForUpdate(tx, *e.ManagerID)
	if err != nil {
		return err
	}
	if m.Role != RoleLearner || !m.Active() {
		return nil
	}
	d, err := DetailsOf(tx, m)
	if err != nil {
		return fmt.Errorf("read the details of manager %s: %w", m.ID, err)
	}
	d.Role = RoleManager
	_, _, err = a.update(tx, by, m.ID, d, now, nil)
	return err
}
