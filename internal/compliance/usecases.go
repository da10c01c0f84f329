package compliance

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
)

// The use cases of compliance: each is one call that owns its transaction
// and every follow-up of the change (the rules re-run, the report
// standings, the audit entry, the outbox rows), so HR's pages, the command
// line and the API call them and nothing else. ImportCompletions is the
// completions import's.

// errNoStandings is a wiring mistake, never a user's.
var errNoStandings = errors.New("compliance: Engine.Standings is not set; the report standings must follow every change")

// standings brings the report standings of ids up to date in tx.
func (e *Engine) standings(tx *gorm.DB, now time.Time, ids []string) error {
	if e.Standings == nil {
		return errNoStandings
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return e.Standings(tx, now, slices.Compact(ids))
}

// ExtendCycles moves the due date of the selected cycles (ExtendSelection)
// in one transaction with the audit entries and the report standings of
// their people: all of them, or none (*SelectionError).
func (e *Engine) ExtendCycles(ctx context.Context, ids []string, newDue time.Time, reason string, by Actor, now time.Time) ([]*Cycle, error) {
	return e.changeCycles(ctx, now, func(tx *gorm.DB) ([]*Cycle, error) {
		return ExtendSelection(tx, ids, newDue, reason, by, now)
	})
}

// ExemptCycles exempts the selected cycles (ExemptSelection), until a day
// or for good, as ExtendCycles extends them.
func (e *Engine) ExemptCycles(ctx context.Context, ids []string, reason string, until *time.Time, by Actor, now time.Time) ([]*Cycle, error) {
	return e.changeCycles(ctx, now, func(tx *gorm.DB) ([]*Cycle, error) {
		return ExemptSelection(tx, ids, reason, until, by, now)
	})
}

func (e *Engine) changeCycles(ctx context.Context, now time.Time, change func(tx *gorm.DB) ([]*Cycle, error)) ([]*Cycle, error) {
	var changed []*Cycle
	err := e.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if changed, err = change(tx); err != nil {
			return err
		}
		people := make([]string, len(changed))
		for i, c := range changed {
			people[i] = c.EmployeeID
		}
		return e.standings(tx, now, people)
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// SelectCycles loads the selected cycles as the extend and exempt forms show
// them; missing lists the IDs not found.
func (s *Store) SelectCycles(ctx context.Context, ids []string) ([]SelectedCycle, []string, error) {
	return LoadSelection(s.DB.WithContext(ctx), ids)
}

// Rule returns the stored rule with the ID, or ErrRuleNotFound.
func (s *Store) Rule(ctx context.Context, id string) (*Rule, error) {
	return loadRule(s.DB.WithContext(ctx), id)
}

// OpenCycleCount counts a person's cycles that still ask something of them
// (upcoming, open, in progress or overdue).
func (s *Store) OpenCycleCount(ctx context.Context, employeeID string) (int, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&Cycle{}).
		Where("employee_id = ? AND status IN ?", employeeID, []CycleStatus{StatusUpcoming, StatusOpen, StatusInProgress, StatusOverdue}).
		Count(&n).Error
	return int(n), err
}
