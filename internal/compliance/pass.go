package compliance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
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
	// The stages Stage names parse without fmt (this runs for every open
	// cycle of every pass); anything else as before.
	if rest, ok := strings.CutPrefix(stage, "overdue_"); ok {
		k, err := strconv.Atoi(rest)
		if err == nil {
			return 1000 + k
		}
		if _, err := fmt.Sscanf(stage, "overdue_%d", &k); err == nil {
			return 1000 + k
		}
	}
	if stage == "due_today" {
		return 999
	}
	// A due-soon stage ranks by its days against the policy as it is now,
	// whether or not they are still among its days: a reminder sent N days
	// before the due date stands for every stage of more days than N. (By
	// its place in the list, a stage no longer listed ranked first of all
	// once ONRAMP_DUE_SOON_DAYS changed, and an earlier reminder was raised
	// again: due_3 sent under [14 3], then due_14 again under [14].)
	rest, ok := strings.CutPrefix(stage, "due_")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		if _, err := fmt.Sscanf(stage, "due_%d", &n); err != nil {
			return 0
		}
	}
	earlier := 0 // the policy's stages this one stands for
	for _, d := range p.DueSoonDays {
		if d >= n {
			earlier++
		}
	}
	return 99 + earlier
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
	// NudgesHeld is how many nudges the cap (Engine.NudgeBatch) held back
	// for later passes (see holdNudge).
	NudgesHeld int
	// Evaluated is how many people's rules were evaluated; FullEvaluation
	// says it was everyone (--full, or the rules changed).
	Evaluated      int
	FullEvaluation bool
	// Examined is how many cycles whose next event had come were read.
	Examined int
	// Batches is the number of transactions; MaxTx the longest.
	Batches int
	MaxTx   time.Duration
	// ReadAhead is how many batches used what was read for them before
	// their transaction, outside the write lock (see advanceBatches).
	ReadAhead int
	// ReadAgain is how many batches were rolled back and read again because
	// another transaction changed one of their cycles between their read and
	// their write (PostgreSQL only; cycleState).
	ReadAgain int
}

// Advance moves along every cycle whose next event has come, as of now, a
// batch of people per transaction (see Pass; Advance does not evaluate
// rules). Each step is guarded by a state change, so running it twice
// raises nothing new.
func (e *Engine) Advance(ctx context.Context, now time.Time) (PassResult, error) {
	var res PassResult
	if err := e.checkPolicy(ctx); err != nil {
		return res, err
	}
	if err := e.advanceAll(ctx, now, &res); err != nil {
		return res, err
	}
	err := e.sendEscalations(ctx, now, &res)
	return res, err
}

// advanceAll is Advance's batches, before the escalations they recorded
// are sent.
func (e *Engine) advanceAll(ctx context.Context, now time.Time, res *PassResult) error {
	budget := e.nudgeBatch()
	bulk, err := e.DB.NewBulk(ctx)
	if err != nil {
		return err
	}
	defer bulk.Close()
	return e.advanceBatches(ctx, bulk, now, DefaultBatchPeople, res, &budget, PassOptions{})
}

// AdvanceTx is Advance inside the caller's transaction: every cycle whose
// next event has come, in batches of people, all in tx, with one NotifyAll
// per batch, then one escalation digest per manager.
func (e *Engine) AdvanceTx(tx *gorm.DB, now time.Time) (PassResult, error) {
	var res PassResult
	budget := e.nudgeBatch()
	seen := map[string]bool{}
	for {
		ids, err := duePeople(tx, now, DefaultBatchPeople, seen)
		if err != nil {
			return res, err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			seen[id] = true
		}
		evs, err := e.advancePeople(tx, now, ids, &res, &budget, newTouched())
		if err != nil {
			return res, err
		}
		if err := notifyAll(e.Notifier, tx, evs, now); err != nil {
			return res, err
		}
	}
	for {
		managers, err := pendingEscalations(tx, escalationManagers)
		if err != nil || len(managers) == 0 {
			return res, err
		}
		ds, err := composeDigests(tx, managers)
		if err != nil {
			return res, err
		}
		if err := e.writeDigests(tx, now, ds, managers, true); err != nil {
			return res, err
		}
	}
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
