package compliance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// ReminderPolicy says which reminders go out when.
type ReminderPolicy struct {
	// DueSoonDays are the "due in N days" reminders, e.g. 14 and 3.
	DueSoonDays []int
	// OverdueEveryDays repeats the overdue reminder, at most OverdueMax times.
	OverdueEveryDays int
	OverdueMax       int
	// EscalateAfterDays overdue, the manager hears about it (in a digest).
	EscalateAfterDays int
}

// DefaultReminderPolicy is the organisation's policy unless configured
// otherwise (Engine.Policy; ONRAMP_DUE_SOON_DAYS sets the due-soon days).
var DefaultReminderPolicy = ReminderPolicy{DueSoonDays: []int{14, 3}, OverdueEveryDays: 7, OverdueMax: 4, EscalateAfterDays: 7}

// Stage returns the reminder stage a not-done cycle is in on day now, and
// its rank (higher is later); "" before the first reminder.
func (p ReminderPolicy) Stage(due, now time.Time) (string, int) {
	d, today := Day(due), Day(now)
	switch {
	case today.After(d):
		days := int(today.Sub(d).Hours() / 24)
		k := 1
		if p.OverdueEveryDays > 0 {
			k = (days-1)/p.OverdueEveryDays + 1
		}
		if k > p.OverdueMax {
			k = p.OverdueMax
		}
		return fmt.Sprintf("overdue_%d", k), 1000 + k
	case today.Equal(d):
		return "due_today", 999
	}
	soon := append([]int(nil), p.DueSoonDays...)
	sort.Sort(sort.Reverse(sort.IntSlice(soon)))
	stage, rank := "", 0
	for i, n := range soon {
		if !today.Before(d.AddDate(0, 0, -n)) {
			stage, rank = fmt.Sprintf("due_%d", n), 100+i
		}
	}
	return stage, rank
}

func (p ReminderPolicy) rank(stage string) int {
	if stage == "" {
		return 0
	}
	var k int
	if _, err := fmt.Sscanf(stage, "overdue_%d", &k); err == nil {
		return 1000 + k
	}
	if stage == "due_today" {
		return 999
	}
	soon := append([]int(nil), p.DueSoonDays...)
	sort.Sort(sort.Reverse(sort.IntSlice(soon)))
	for i, n := range soon {
		if stage == fmt.Sprintf("due_%d", n) {
			return 100 + i
		}
	}
	return 0
}

// PassResult counts what one pass did.
type PassResult struct {
	EvalResult
	WindowsOpened int
	Reminders     int
	MarkedOverdue int
	Expired       int
	Escalated     int
	ExemptionsEnd int
	Nudges        int
}

// Advance moves every cycle along as of now, in one transaction: opens the
// refresher cycle when a completion's window opens, marks overdue and
// expired cycles, ends exemptions, raises reminders and escalations. Each
// step is guarded by a state change, so running it twice raises nothing new.
func (e *Engine) Advance(ctx context.Context, now time.Time) (PassResult, error) {
	var res PassResult
	err := e.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		res, err = e.AdvanceTx(tx, now)
		return err
	})
	return res, err
}

// AdvanceTx is Advance inside the caller's transaction.
func (e *Engine) AdvanceTx(tx *gorm.DB, now time.Time) (PassResult, error) {
	var res PassResult
	steps := []func(*gorm.DB, time.Time, *PassResult) error{
		e.openWindows, e.endExemptions, e.markOverdue, e.expire, e.remind, e.escalate, e.nudge,
	}
	for _, step := range steps {
		if err := step(tx, now, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// latestCycles selects each active assignment's latest cycle.
func latestCycles(tx *gorm.DB) *gorm.DB {
	return tx.Table("cycles c").
		Joins("JOIN assignments a ON a.id = c.assignment_id AND a.status = 'active'").
		Where("c.number = (SELECT MAX(c2.number) FROM cycles c2 WHERE c2.assignment_id = c.assignment_id)")
}

// recurrenceFor returns the recurrence of the rule behind an assignment.
func recurrenceFor(tx *gorm.DB, cache map[string]*Rule, assignmentID string) (*Rule, error) {
	var a Assignment
	if err := tx.Where("id = ?", assignmentID).Take(&a).Error; err != nil {
		return nil, fmt.Errorf("load assignment: %w", err)
	}
	// An assignment made by hand or imported before rules existed follows
	// its course's own rule, when the course file declares one.
	ruleID := CourseRuleID(a.CourseID)
	if a.RuleID != nil {
		ruleID = *a.RuleID
	}
	if r, ok := cache[ruleID]; ok {
		return r, nil
	}
	var r Rule
	err := tx.Where("id = ?", ruleID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		cache[ruleID] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load rule: %w", err)
	}
	cache[r.ID] = &r
	return &r, nil
}

// openWindows creates the refresher cycle for every latest completion whose
// window has opened: due when the completion expires.
func (e *Engine) openWindows(tx *gorm.DB, now time.Time, res *PassResult) error {
	var done []*Cycle
	if err := latestCycles(tx).Select("c.*").
		Where("c.status = ? AND c.expires_at IS NOT NULL", StatusCompleted).Find(&done).Error; err != nil {
		return fmt.Errorf("find completions: %w", err)
	}
	rules := map[string]*Rule{}
	for _, c := range done {
		r, err := recurrenceFor(tx, rules, c.AssignmentID)
		if err != nil {
			return err
		}
		window := 0
		if r != nil {
			window = r.WindowDays
		}
		rec := Recurrence{WindowDays: window}
		opens, due, why := rec.NextWindow(*c.ExpiresAt)
		if now.Before(opens) {
			continue
		}
		a := &Assignment{ID: c.AssignmentID, EmployeeID: c.EmployeeID, CourseID: c.CourseID}
		next := newCycle(a, c.Number+1, PathRefresher, opens, due, why, now)
		if err := tx.Create(next).Error; err != nil {
			return fmt.Errorf("open refresher cycle: %w", err)
		}
		res.WindowsOpened++
		if err := notify(e.Notifier, tx, Event{Kind: EventWindowOpen, Cycle: next}, now); err != nil {
			return err
		}
	}
	return nil
}

// endExemptions starts a fresh cycle when an exemption with an end date ends.
func (e *Engine) endExemptions(tx *gorm.DB, now time.Time, res *PassResult) error {
	var ended []*Cycle
	if err := latestCycles(tx).Select("c.*").
		Where("c.status = ? AND c.exempt_until IS NOT NULL AND c.exempt_until <= ?", StatusExempt, now).Find(&ended).Error; err != nil {
		return fmt.Errorf("find ended exemptions: %w", err)
	}
	rules := map[string]*Rule{}
	for _, c := range ended {
		r, err := recurrenceFor(tx, rules, c.AssignmentID)
		if err != nil {
			return err
		}
		days := 30
		if r != nil {
			days = r.DueDays
		}
		due := Day(*c.ExemptUntil).AddDate(0, 0, days)
		why := fmt.Sprintf("due %s: %d days after your exemption ended on %s", FormatDay(due), days, FormatDay(*c.ExemptUntil))
		a := &Assignment{ID: c.AssignmentID, EmployeeID: c.EmployeeID, CourseID: c.CourseID}
		next := newCycle(a, c.Number+1, PathFull, now, due, why, now)
		if err := tx.Create(next).Error; err != nil {
			return fmt.Errorf("start cycle after exemption: %w", err)
		}
		res.ExemptionsEnd++
		if err := notify(e.Notifier, tx, Event{Kind: EventAssigned, Cycle: next}, now); err != nil {
			return err
		}
	}
	return nil
}

// markOverdue sets overdue on open cycles past their due day.
func (e *Engine) markOverdue(tx *gorm.DB, now time.Time, res *PassResult) error {
	r := tx.Model(&Cycle{}).
		Where("status IN ? AND due_at < ?", []CycleStatus{StatusOpen, StatusInProgress, StatusUpcoming}, Day(now)).
		Updates(map[string]any{"status": StatusOverdue, "updated_at": now})
	if r.Error != nil {
		return fmt.Errorf("mark overdue: %w", r.Error)
	}
	res.MarkedOverdue += int(r.RowsAffected)
	return nil
}

// expire marks a completion expired once its expiry day has passed without
// the next cycle being completed, and tells the person. Like a due date, an
// expiry date is a whole day: the completion is valid through it.
func (e *Engine) expire(tx *gorm.DB, now time.Time, res *PassResult) error {
	var due []*Cycle
	err := tx.Table("cycles c").Select("c.*").
		Joins("JOIN assignments a ON a.id = c.assignment_id AND a.status = 'active'").
		Where("c.status = ? AND c.expires_at IS NOT NULL AND c.expires_at < ?", StatusCompleted, Day(now)).
		Where("NOT EXISTS (SELECT 1 FROM cycles n WHERE n.assignment_id = c.assignment_id AND n.number > c.number AND n.status IN ?)",
			[]CycleStatus{StatusCompleted, StatusExempt}).
		Find(&due).Error
	if err != nil {
		return fmt.Errorf("find expiries: %w", err)
	}
	for _, c := range due {
		r := tx.Model(&Cycle{}).Where("id = ? AND status = ?", c.ID, StatusCompleted).
			Updates(map[string]any{"status": StatusExpired, "updated_at": now})
		if r.Error != nil {
			return fmt.Errorf("expire cycle: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			continue
		}
		c.Status = StatusExpired
		res.Expired++
		if err := notify(e.Notifier, tx, Event{Kind: EventExpired, Cycle: c}, now); err != nil {
			return err
		}
	}
	return nil
}

// remind raises the reminder for every cycle whose stage moved on since the
// last one; only the latest stage is sent, so a pass after downtime does not
// send a burst of stale reminders.
func (e *Engine) remind(tx *gorm.DB, now time.Time, res *PassResult) error {
	p := e.policy()
	horizon := Day(now).AddDate(0, 0, maxInt(p.DueSoonDays)+1)
	var cycles []*Cycle
	if err := latestCycles(tx).Select("c.*").
		Where("c.status IN ? AND c.due_at < ?", openStatuses, horizon).Find(&cycles).Error; err != nil {
		return fmt.Errorf("find cycles to remind: %w", err)
	}
	for _, c := range cycles {
		stage, rank := p.Stage(c.DueAt, now)
		if stage == "" || rank <= p.rank(c.ReminderStage) {
			continue
		}
		r := tx.Model(&Cycle{}).Where("id = ? AND reminder_stage = ?", c.ID, c.ReminderStage).
			Updates(map[string]any{"reminder_stage": stage, "updated_at": now})
		if r.Error != nil {
			return fmt.Errorf("record reminder: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			continue
		}
		c.ReminderStage = stage
		res.Reminders++
		if err := notify(e.Notifier, tx, Event{Kind: EventReminder, Stage: stage, Cycle: c}, now); err != nil {
			return err
		}
	}
	return nil
}

// escalate sends each manager one digest of the people who are more than
// EscalateAfterDays overdue and not yet escalated.
func (e *Engine) escalate(tx *gorm.DB, now time.Time, res *PassResult) error {
	p := e.policy()
	cutoff := Day(now).AddDate(0, 0, -p.EscalateAfterDays)
	var rows []struct {
		Cycle
		ManagerID string
	}
	err := latestCycles(tx).Select("c.*, e.manager_id AS manager_id").
		Joins("JOIN employees e ON e.id = c.employee_id AND e.manager_id IS NOT NULL").
		Where("c.status = ? AND c.due_at <= ?", StatusOverdue, cutoff).
		Where("NOT EXISTS (SELECT 1 FROM escalations x WHERE x.cycle_id = c.id)").
		Order("e.manager_id, c.due_at").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("find escalations: %w", err)
	}
	byManager := map[string][]*Cycle{}
	var managers []string
	for i := range rows {
		m := rows[i].ManagerID
		if _, ok := byManager[m]; !ok {
			managers = append(managers, m)
		}
		c := rows[i].Cycle
		byManager[m] = append(byManager[m], &c)
	}
	for _, m := range managers {
		cs := byManager[m]
		key := fmt.Sprintf("escalation:%s:%s", m, cs[0].ID)
		for _, c := range cs {
			if err := tx.Exec("INSERT INTO escalations (cycle_id, manager_id, dedupe_key, created_at) VALUES (?, ?, ?, ?)", c.ID, m, key, now).Error; err != nil {
				return fmt.Errorf("record escalation: %w", err)
			}
		}
		res.Escalated += len(cs)
		if err := notify(e.Notifier, tx, Event{Kind: EventEscalation, ManagerID: m, Cycles: cs}, now); err != nil {
			return err
		}
	}
	return nil
}

func maxInt(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// policy is the engine's reminder policy, the default where it has none.
func (e *Engine) policy() ReminderPolicy {
	if e.Policy.OverdueMax == 0 && len(e.Policy.DueSoonDays) == 0 {
		return DefaultReminderPolicy
	}
	return e.Policy
}
