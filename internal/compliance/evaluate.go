package compliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// Engine applies the assignment rules and moves cycles through their lives.
// It is safe to run at any time: a second run at the same instant changes
// nothing and raises no event.
type Engine struct {
	DB       *db.DB
	Notifier Notifier
	Log      *slog.Logger
	// Nudges turns on the monthly refresher nudges (an organisation
	// setting); NudgeBatch caps how many one pass writes.
	Nudges     bool
	NudgeBatch int
	// Policy is when reminders and escalations go out; the zero value
	// means DefaultReminderPolicy.
	Policy ReminderPolicy
}

// EvalResult counts what an evaluation changed.
type EvalResult struct {
	Assigned   int // new assignments, or closed ones re-opened
	Closed     int // assignments closed: no longer required, or the person left
	NewMatches int // people a rule matched for the first time
}

// ClosedNoLongerRequired and ClosedInactive are the reasons open cycles are
// closed when a rule stops applying.
const (
	ClosedNoLongerRequired = "no longer required"
	ClosedInactive         = "employee inactive"
)

const chunk = 500

// Evaluate runs the rules for the given people (all when ids is nil) in one
// transaction.
func (e *Engine) Evaluate(ctx context.Context, now time.Time, ids []string) (EvalResult, error) {
	var res EvalResult
	err := e.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		res, err = e.EvaluateTx(tx, now, ids)
		return err
	})
	return res, err
}

type matchKey struct{ rule, employee string }
type pairKey struct{ employee, course string }

// EvaluateTx runs the rules inside tx, for the given people (all when ids is
// nil): it assigns people who newly match, closes the open cycles of people
// who no longer match or have left, and records when each rule first matched
// each person. History is never erased.
func (e *Engine) EvaluateTx(tx *gorm.DB, now time.Time, ids []string) (EvalResult, error) {
	var res EvalResult
	var rules []*Rule
	if err := tx.Where("active = ?", true).Order("created_at, id").Find(&rules).Error; err != nil {
		return res, fmt.Errorf("load rules: %w", err)
	}
	persons, err := loadPersons(tx, ids)
	if err != nil {
		return res, err
	}
	if len(persons) == 0 {
		return res, nil
	}
	personIDs := make([]string, len(persons))
	for i, p := range persons {
		personIDs[i] = p.ID
	}
	matched := map[matchKey]time.Time{}
	assignments := map[pairKey]*Assignment{}
	byEmployee := map[string][]*Assignment{}
	for start := 0; start < len(personIDs); start += chunk {
		part := personIDs[start:min(start+chunk, len(personIDs))]
		var ms []struct {
			RuleID, EmployeeID string
			FirstMatchedAt     time.Time
		}
		if err := tx.Table("rule_matches").Where("employee_id IN ?", part).Find(&ms).Error; err != nil {
			return res, fmt.Errorf("load rule matches: %w", err)
		}
		for _, m := range ms {
			matched[matchKey{m.RuleID, m.EmployeeID}] = m.FirstMatchedAt
		}
		var as []*Assignment
		if err := tx.Where("employee_id IN ?", part).Find(&as).Error; err != nil {
			return res, fmt.Errorf("load assignments: %w", err)
		}
		for _, a := range as {
			assignments[pairKey{a.EmployeeID, a.CourseID}] = a
			byEmployee[a.EmployeeID] = append(byEmployee[a.EmployeeID], a)
		}
	}

	type newMatch struct {
		RuleID, EmployeeID string
		FirstMatchedAt     time.Time
	}
	var newMatches []newMatch
	var newAssignments []*Assignment
	var newCycles []*Cycle
	var assignedEvents []*Cycle
	for _, p := range persons {
		// The rule that gives the earliest due date controls each course.
		type choice struct {
			rule *Rule
			due  time.Time
			why  string
		}
		want := map[string]choice{}
		if p.Active {
			for _, r := range rules {
				if !r.Matches(p) {
					continue
				}
				first, ok := matched[matchKey{r.ID, p.ID}]
				if !ok {
					first = now
					matched[matchKey{r.ID, p.ID}] = now
					newMatches = append(newMatches, newMatch{r.ID, p.ID, now})
				}
				due, why := r.FirstDue(p.HireDate, first)
				if c, seen := want[r.CourseID]; !seen || due.Before(c.due) {
					want[r.CourseID] = choice{r, due, why}
				}
			}
		}
		for course, c := range want {
			a := assignments[pairKey{p.ID, course}]
			switch {
			case a == nil:
				a = &Assignment{ID: db.NewID(), EmployeeID: p.ID, CourseID: course, RuleID: &c.rule.ID, Status: "active", CreatedAt: now}
				newAssignments = append(newAssignments, a)
				cy := newCycle(a, 1, PathFull, now, c.due, c.why, now)
				newCycles = append(newCycles, cy)
				assignedEvents = append(assignedEvents, cy)
				res.Assigned++
			case a.Status != "active":
				cy, err := e.reopen(tx, a, c.rule, now)
				if err != nil {
					return res, err
				}
				if cy != nil {
					assignedEvents = append(assignedEvents, cy)
				}
				res.Assigned++
			case a.RuleID == nil || *a.RuleID != c.rule.ID:
				if err := tx.Model(a).Update("rule_id", c.rule.ID).Error; err != nil {
					return res, fmt.Errorf("update assignment rule: %w", err)
				}
			}
		}
		for _, a := range byEmployee[p.ID] {
			if a.Status != "active" {
				continue
			}
			if _, still := want[a.CourseID]; still {
				continue
			}
			// A course assigned by hand (no rule behind it) stays until the
			// person leaves: rules only take away what rules gave.
			if a.RuleID == nil && p.Active {
				continue
			}
			reason := ClosedNoLongerRequired
			if !p.Active {
				reason = ClosedInactive
			}
			if err := closeAssignment(tx, a, reason, now); err != nil {
				return res, err
			}
			res.Closed++
		}
	}
	if len(newMatches) > 0 {
		if err := tx.Table("rule_matches").CreateInBatches(newMatches, 200).Error; err != nil {
			return res, fmt.Errorf("record rule matches: %w", err)
		}
	}
	if len(newAssignments) > 0 {
		if err := tx.CreateInBatches(newAssignments, 200).Error; err != nil {
			return res, fmt.Errorf("create assignments: %w", err)
		}
	}
	if len(newCycles) > 0 {
		if err := tx.CreateInBatches(newCycles, 200).Error; err != nil {
			return res, fmt.Errorf("create cycles: %w", err)
		}
	}
	for _, cy := range assignedEvents {
		if err := notify(e.Notifier, tx, Event{Kind: EventAssigned, Cycle: cy}, now); err != nil {
			return res, err
		}
	}
	res.NewMatches = len(newMatches)
	return res, nil
}

func newCycle(a *Assignment, number int, path Path, opens, due time.Time, why string, now time.Time) *Cycle {
	return &Cycle{
		ID: db.NewID(), AssignmentID: a.ID, EmployeeID: a.EmployeeID, CourseID: a.CourseID,
		Number: number, Path: path, Status: StatusOpen, WindowOpensAt: opens, DueAt: Day(due),
		Derivation: why, CreatedAt: now, UpdatedAt: now,
	}
}

// reopen re-activates a closed assignment whose rule applies again. A new
// cycle starts unless the last one is a completion that is still valid.
func (e *Engine) reopen(tx *gorm.DB, a *Assignment, r *Rule, now time.Time) (*Cycle, error) {
	if err := tx.Model(a).Updates(map[string]any{"status": "active", "closed_at": nil, "closed_reason": "", "rule_id": r.ID}).Error; err != nil {
		return nil, fmt.Errorf("reopen assignment: %w", err)
	}
	a.Status = "active"
	var last Cycle
	err := tx.Where("assignment_id = ?", a.ID).Order("number DESC").Take(&last).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("load last cycle: %w", err)
	}
	if err == nil && last.Status == StatusCompleted && (last.ExpiresAt == nil || last.ExpiresAt.After(now)) {
		return nil, nil
	}
	due := Day(now).AddDate(0, 0, r.DueDays)
	why := fmt.Sprintf("due %s: %d days after this course was assigned to you again on %s", FormatDay(due), r.DueDays, FormatDay(now))
	path := PathFull
	if err == nil && last.CompletedAt != nil {
		path = PathRefresher
	}
	cy := newCycle(a, last.Number+1, path, now, due, why, now)
	if err := tx.Create(cy).Error; err != nil {
		return nil, fmt.Errorf("create cycle: %w", err)
	}
	return cy, nil
}

// openStatuses are the statuses of a cycle the learner still owes.
var openStatuses = []CycleStatus{StatusUpcoming, StatusOpen, StatusInProgress, StatusOverdue}

func closeAssignment(tx *gorm.DB, a *Assignment, reason string, now time.Time) error {
	if err := tx.Model(&Cycle{}).Where("assignment_id = ? AND status IN ?", a.ID, openStatuses).
		Updates(map[string]any{"status": StatusClosed, "closed_at": now, "closed_reason": reason, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("close cycles: %w", err)
	}
	if err := tx.Model(a).Updates(map[string]any{"status": "closed", "closed_at": now, "closed_reason": reason}).Error; err != nil {
		return fmt.Errorf("close assignment: %w", err)
	}
	a.Status = "closed"
	return nil
}

func loadPersons(tx *gorm.DB, ids []string) ([]Person, error) {
	type row struct {
		ID, Department, JobTitle, Location, Status string
		HireDate                                   *time.Time
		ManagerID                                  *string
	}
	var rows []row
	q := func(db *gorm.DB) *gorm.DB {
		return db.Table("employees").Select("id, department, job_title, location, status, hire_date, manager_id").Order("id")
	}
	if ids == nil {
		if err := q(tx).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load people: %w", err)
		}
	} else {
		for start := 0; start < len(ids); start += chunk {
			var part []row
			if err := q(tx).Where("id IN ?", ids[start:min(start+chunk, len(ids))]).Find(&part).Error; err != nil {
				return nil, fmt.Errorf("load people: %w", err)
			}
			rows = append(rows, part...)
		}
	}
	persons := make([]Person, len(rows))
	for i, r := range rows {
		persons[i] = Person{ID: r.ID, Department: r.Department, JobTitle: r.JobTitle, Location: r.Location, HireDate: r.HireDate, Active: r.Status == "active", ManagerID: r.ManagerID}
	}
	return persons, nil
}
