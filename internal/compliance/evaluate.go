package compliance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
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
	// Standings brings the report standings of the given people up to
	// date inside tx (report.RefreshEmployees, wired in internal/app).
	// The use cases (ChangeRule, ExtendCycles, ExemptCycles,
	// ImportCompletions) call it in their transactions; they refuse to run
	// without it.
	Standings func(tx *gorm.DB, now time.Time, employeeIDs []string) error
	// AssignmentStandings brings the report standings of the given
	// assignments of the given people up to date inside tx, when only
	// their cycles changed (report.RefreshAssignments, wired in
	// internal/app): ImportCompletions calls it for each batch. Without
	// it, Standings refreshes all of those people's standings.
	AssignmentStandings func(tx *gorm.DB, now time.Time, employeeIDs, assignmentIDs []string) error
	// PlanningWait is how long ChangeRule waits for a scheduler pass's
	// planning to end; zero means DefaultPlanningWait.
	PlanningWait time.Duration
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
// each person. History is never erased. Its cost follows len(ids): it reads
// the given people's matches and assignments only, and writes with
// multi-row statements. The people leave the evaluation queue; their new
// cycles' first events (a reminder already due, …) are left to the next
// pass. Every event goes to the notifier in one NotifyAll call.
func (e *Engine) EvaluateTx(tx *gorm.DB, now time.Time, ids []string) (EvalResult, error) {
	res, evs, err := e.evaluate(tx, now, ids, newTouched())
	if err != nil {
		return res, err
	}
	return res, notifyAll(e.Notifier, tx, evs, now)
}

// evaluate is EvaluateTx without the notifier: it returns the events, and
// adds the people whose assignments or cycles it changed to touched.
func (e *Engine) evaluate(tx *gorm.DB, now time.Time, ids []string, touched *touchedSet) (EvalResult, []Event, error) {
	var res EvalResult
	dbNow := now.UTC()
	var rules []*Rule
	if err := tx.Where("active = ?", true).Order("created_at, id").Find(&rules).Error; err != nil {
		return res, nil, fmt.Errorf("load rules: %w", err)
	}
	persons, err := loadPersons(tx, ids)
	if err != nil {
		return res, nil, err
	}
	// These people are evaluated now: out of the queue. Their overdue
	// cycles are looked at again (a new manager may mean an escalation).
	if ids == nil {
		if err := tx.Exec(`DELETE FROM eval_queue`).Error; err != nil {
			return res, nil, fmt.Errorf("empty the evaluation queue: %w", err)
		}
	}
	for start := 0; ids != nil && start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := tx.Exec(`DELETE FROM eval_queue WHERE employee_id IN ?`, part).Error; err != nil {
			return res, nil, fmt.Errorf("empty the evaluation queue: %w", err)
		}
		if err := tx.Exec(`UPDATE cycles SET next_event_at = ? WHERE employee_id IN ? AND status || '' = ?`, epoch, part, StatusOverdue).Error; err != nil {
			return res, nil, fmt.Errorf("look at overdue cycles again: %w", err)
		}
	}
	if len(persons) == 0 {
		return res, nil, nil
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
		if err := scanRows(tx.Raw(`SELECT rule_id, employee_id, first_matched_at FROM rule_matches WHERE employee_id IN ?`, part),
			func(rows *sql.Rows) error {
				var k matchKey
				var at time.Time
				if err := rows.Scan(&k.rule, &k.employee, &at); err != nil {
					return err
				}
				matched[k] = at
				return nil
			}); err != nil {
			return res, nil, fmt.Errorf("load rule matches: %w", err)
		}
		// Only the columns the rules look at, scanned by hand: a person
		// has an assignment per course, and an evaluation of everyone
		// (a rule change for everyone, a staff import) reads them all.
		if err := scanRows(tx.Raw(`SELECT id, employee_id, course_id, rule_id, status FROM assignments WHERE employee_id IN ?`, part),
			func(rows *sql.Rows) error {
				a := &Assignment{}
				if err := rows.Scan(&a.ID, &a.EmployeeID, &a.CourseID, &a.RuleID, &a.Status); err != nil {
					return err
				}
				assignments[pairKey{a.EmployeeID, a.CourseID}] = a
				byEmployee[a.EmployeeID] = append(byEmployee[a.EmployeeID], a)
				return nil
			}); err != nil {
			return res, nil, fmt.Errorf("load assignments: %w", err)
		}
	}

	var matchRows, assignmentRows [][]any
	var newCycles []*Cycle
	var assignedEvents []*Cycle
	ruleChanges := map[string][]string{}
	closing := map[string][]*Assignment{}
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
					matchRows = append(matchRows, []any{r.ID, p.ID, dbNow})
				}
				due, why := r.FirstDue(p.HireDate, first)
				if c, seen := want[r.CourseID]; !seen || due.Before(c.due) {
					want[r.CourseID] = choice{r, due, why}
				}
			}
		}
		courses := make([]string, 0, len(want))
		for course := range want {
			courses = append(courses, course)
		}
		sort.Strings(courses)
		for _, course := range courses {
			c := want[course]
			a := assignments[pairKey{p.ID, course}]
			switch {
			case a == nil:
				a = &Assignment{ID: db.NewID(), EmployeeID: p.ID, CourseID: course, RuleID: &c.rule.ID, Status: "active", CreatedAt: now}
				assignmentRows = append(assignmentRows, []any{a.ID, a.EmployeeID, a.CourseID, c.rule.ID, a.Status, dbNow})
				cy := newCycle(a, 1, PathFull, now, c.due, c.why, now)
				e.announce(cy, now)
				cy.nextEventAt = e.nextEvent(cy, eventCtx{latest: true, active: true, hasManager: p.ManagerID != nil, empActive: true, window: c.rule.WindowDays}, now)
				newCycles = append(newCycles, cy)
				assignedEvents = append(assignedEvents, cy)
				touched.person(p.ID)
				res.Assigned++
			case a.Status != "active":
				cy, err := e.reopen(tx, a, c.rule, now)
				if err != nil {
					return res, nil, err
				}
				if cy != nil {
					assignedEvents = append(assignedEvents, cy)
				}
				touched.person(p.ID)
				res.Assigned++
			case a.RuleID == nil || *a.RuleID != c.rule.ID:
				ruleChanges[c.rule.ID] = append(ruleChanges[c.rule.ID], a.ID)
				a.RuleID = &c.rule.ID
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
			closing[reason] = append(closing[reason], a)
			touched.person(p.ID)
			res.Closed++
		}
	}
	if err := insertRows(tx, "rule_matches", []string{"rule_id", "employee_id", "first_matched_at"}, matchRows, ""); err != nil {
		return res, nil, fmt.Errorf("record rule matches: %w", err)
	}
	if err := insertRows(tx, "assignments", []string{"id", "employee_id", "course_id", "rule_id", "status", "created_at"}, assignmentRows, ""); err != nil {
		return res, nil, fmt.Errorf("create assignments: %w", err)
	}
	if len(newCycles) > 0 {
		if err := insertCycles(tx, newCycles); err != nil {
			return res, nil, err
		}
	}
	for ruleID, aids := range ruleChanges {
		for start := 0; start < len(aids); start += chunk {
			if err := tx.Exec(`UPDATE assignments SET rule_id = ? WHERE id IN ?`, ruleID, aids[start:min(start+chunk, len(aids))]).Error; err != nil {
				return res, nil, fmt.Errorf("update assignment rule: %w", err)
			}
		}
	}
	for reason, as := range closing {
		if err := closeAssignments(tx, as, reason, now); err != nil {
			return res, nil, err
		}
	}
	evs := make([]Event, len(assignedEvents))
	for i, cy := range assignedEvents {
		evs[i] = Event{Kind: EventAssigned, Cycle: cy, NewCycle: true}
	}
	res.NewMatches = len(matchRows)
	return res, evs, nil
}

// scanRows runs q and calls each for every row it returns.
func scanRows(q *gorm.DB, each func(rows *sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// announce records on a cycle about to be inserted the reminder stage its
// due date is already in, when the engine tells people: the message
// announcing the cycle (a course assigned, a refresher opened) says it is
// due in N days, or overdue, and stands for that reminder. The row is the
// record that it was sent (Cycle.ReminderStage), so no pass raises it again
// and the notifier claims no key for it (at 100,000 people, the imports'
// 650,000 rows of outbox_keys). Without a notifier nothing is announced,
// and the first pass sends the reminder.
func (e *Engine) announce(c *Cycle, now time.Time) {
	if e == nil || e.Notifier == nil {
		return
	}
	c.ReminderStage, _ = e.policy().Stage(c.DueAt, now)
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
	// Its latest cycle may have events again (a valid completion's window).
	if err := tx.Exec(`UPDATE cycles SET next_event_at = ? WHERE assignment_id = ?`, epoch, a.ID).Error; err != nil {
		return nil, fmt.Errorf("reopen assignment: %w", err)
	}
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
	e.announce(cy, now)
	if err := tx.Create(cy).Error; err != nil {
		return nil, fmt.Errorf("create cycle: %w", err)
	}
	return cy, nil
}

// openStatuses are the statuses of a cycle the learner still owes.
var openStatuses = []CycleStatus{StatusUpcoming, StatusOpen, StatusInProgress, StatusOverdue}

// closeAssignments closes assignments and their open cycles for one reason,
// a few hundred per statement.
func closeAssignments(tx *gorm.DB, as []*Assignment, reason string, now time.Time) error {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	dbNow := now.UTC()
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := tx.Exec(`UPDATE cycles SET status = ?, closed_at = ?, closed_reason = ?, updated_at = ?, next_event_at = NULL
			WHERE assignment_id IN ? AND status IN ?`, StatusClosed, dbNow, reason, dbNow, part, openStatuses).Error; err != nil {
			return fmt.Errorf("close cycles: %w", err)
		}
		if err := tx.Exec(`UPDATE assignments SET status = 'closed', closed_at = ?, closed_reason = ? WHERE id IN ?`,
			dbNow, reason, part).Error; err != nil {
			return fmt.Errorf("close assignment: %w", err)
		}
	}
	for _, a := range as {
		a.Status = "closed"
	}
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
