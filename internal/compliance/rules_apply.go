package compliance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
)

// A rule change concerns everyone its old or new version matches: for a
// rule that applies to everyone in a hospital system, 100,000 people, each
// evaluated twice (as they stand, then with the rule). Done in one
// transaction, that held SQLite's write lock 12–16 s at 30,000 people for a
// preview and 30 s for a save (docs/performance.md), so every learner's
// write in the meantime waited, and failed after the busy timeout. So
// ChangeRule and PreviewRule take the concerned people a batch at a time,
// each batch in its own short transaction (sized by time, db.Pacer, with
// the pause after it that lets waiting writers in): the preview rolls each
// batch back, the change commits it. A change that concerns one batch's
// people is still one transaction, as before.

// PlanningLock is the advisory lock key of rule and cycle planning
// (db.TryAdvisoryLock): a scheduler pass plans under it, and so does a rule
// change, so that the pass never evaluates people while a change applied in
// batches has reached only some of them.
const PlanningLock int64 = 0x6f6e72616d70 // "onramp"

// ruleBatchStart and ruleBatchMax bound the people of one transaction of a
// rule change or preview (db.Pacer sizes it by time between them); tests
// change them.
var (
	ruleBatchStart = 100
	ruleBatchMax   = 2000
)

// DefaultPlanningWait is how long a rule change waits for a scheduler pass
// that is planning (at 100,000 people a pass with little to do plans in
// under a second) before it gives up and says so (Engine.PlanningWait).
const DefaultPlanningWait = 20 * time.Second

// ErrPlanningBusy says a rule change waited Engine.PlanningWait for a
// scheduler pass to finish planning, and saved nothing.
var ErrPlanningBusy = apperr.New(apperr.Conflict,
	"The scheduler is applying other changes right now, so the rule was not saved. Try again in a minute.")

// ChangeRule saves a rule (new, changed, or deactivated: a rule is never
// deleted) with its follow-ups: the rules re-run for everyone it concerns,
// the report standings of the people whose assignments changed, and the
// audit entry. The first transaction stores the rule, applies it to the
// first batch of people and records the audit entry; when the rule
// concerns more people than one batch, the others follow a batch per
// transaction, and a second audit entry records what the change did to
// everyone. Once the first batch has committed, the others go on even if
// ctx is cancelled. When everyone has it, the next scheduler pass evaluates
// only the people queued for it (rulesEvaluated). If a later batch fails,
// the rule stands as saved and the next scheduler pass evaluates everyone
// (its fingerprint of the rules moved); ChangeRule then returns the figures
// of the batches that committed, with an error saying how many people they
// reached.
// A *RuleError says what to fix; ErrRuleNotFound when the rule to change is
// gone; ErrPlanningBusy when a scheduler pass kept planning too long.
func (e *Engine) ChangeRule(ctx context.Context, r *Rule, by Actor, now time.Time) (RulePreview, error) {
	return e.changeRule(ctx, r, by, now, "")
}

// changeRule is ChangeRule; when job is not empty, each batch also adds
// its figures to that job's row in its transaction (StartRuleChange), and
// the last one marks it finished.
func (e *Engine) changeRule(ctx context.Context, r *Rule, by Actor, now time.Time, job string) (RulePreview, error) {
	var p RulePreview
	if e.Standings == nil {
		return p, errNoStandings
	}
	release, err := e.holdPlanning(ctx)
	if err != nil {
		return p, err
	}
	defer release()
	old, concerned, err := e.ruleChange(ctx, &p, r, now, false)
	if err != nil {
		return p, err
	}
	var evaluated rulesEvaluated
	done := 0 // people in the batches that committed
	err = e.inBatches(ctx, &p, concerned, func(ctx context.Context, part []string, first, last bool) (time.Duration, error) {
		// The batches commit as a scheduler pass's do (db.BulkTx: the
		// write-ahead log is copied in the pauses between them, not by a
		// commit that happens to fill it, which held the lock a second at
		// 30,000 people); the last commits as a request does, flushing the
		// log to disk: what ChangeRule returns has all reached it.
		commit := e.DB.BulkTxHeld
		if last {
			commit = e.DB.TxHeld
		}
		// The batch's figures join p only once it has committed: a batch
		// that fails is not in what ChangeRule reports.
		var q RulePreview
		held, err := commit(ctx, func(tx *gorm.DB) error {
			if first {
				if err := evaluated.before(tx); err != nil {
					return err
				}
			}
			var err error
			if q, err = e.applyRuleTo(tx, now, r, old, part, first, evaluated.upToDate); err != nil {
				return err
			}
			if err := evaluated.after(tx, r.ID, first, last); err != nil {
				return err
			}
			if err := e.standings(tx, now, q.changed); err != nil {
				return err
			}
			// The audit entries count this batch with the ones before.
			sum := RulePreview{Rule: p.Rule, Before: p.Before,
				Assigned: p.Assigned + q.Assigned, Closed: p.Closed + q.Closed, Unchanged: p.Unchanged + q.Unchanged}
			switch {
			case first && last:
				err = e.auditRule(tx, &sum, by, now, "")
			case first:
				err = e.auditRule(tx, &sum, by, now, fmt.Sprintf("being applied to the %d people whose course it can change", len(concerned)))
			case last:
				err = e.auditRuleApplied(tx, &sum, by, now)
			}
			if err != nil || job == "" {
				return err
			}
			return ruleProgress(tx, job, r.ID, len(concerned), done+len(part), &sum, last)
		})
		if err == nil {
			p.add(q)
			done += len(part)
		}
		return held, err
	})
	var partly *partlyApplied
	switch {
	case errors.As(err, &partly):
		p.finish()
		return p, fmt.Errorf("the rule was saved and applied to %d of the %d people whose course it can change; the next scheduler pass applies it to the others: %w", partly.done, len(concerned), partly.err)
	case err != nil:
		return RulePreview{}, err
	}
	p.finish()
	return p, nil
}

// rulesEvaluated keeps a pass from evaluating everyone after a rule change.
// A pass evaluates everyone when the rules' fingerprint moved since the one
// everyone was last evaluated against (engine_state "rules"), which every
// change of a rule does. But a change applied to everyone it concerns leaves
// everyone evaluated against the new rules: those it concerns were
// evaluated with them, and for everyone else the same rules match with the
// same outcome (concernedBy). So when everyone had been evaluated against
// the rules as they were before the change, the last batch records the new
// fingerprint as evaluated, provided no other rule changed meanwhile (the
// other rules still have the fingerprint they had in the first batch; the
// changed rule's own row is written again by every batch, with a new
// updated_at). Otherwise, and when a batch fails, the fingerprint stays,
// and the next pass evaluates everyone. People queued for evaluation whom
// the change did not evaluate stay queued for the next pass.
type rulesEvaluated struct {
	upToDate bool   // everyone was evaluated against the rules before the change
	others   string // the fingerprint of the other rules in the first batch
}

// before notes, in the first batch before the rule is stored, whether
// everyone was evaluated against the rules as they stand.
func (v *rulesEvaluated) before(tx *gorm.DB) error {
	fp, _, err := rulesFingerprint(tx)
	if err != nil {
		return err
	}
	stored, err := state(tx, "rules")
	v.upToDate = err == nil && stored == fp
	return err
}

// after notes, in the first batch, the fingerprint of the rules other than
// the changed one (id) and, in the last batch, records the rules as
// evaluated when those are as they were.
func (v *rulesEvaluated) after(tx *gorm.DB, id string, first, last bool) error {
	if !v.upToDate || (!first && !last) {
		return nil
	}
	others, _, err := rulesFingerprintSkipping(tx, id)
	if err != nil {
		return err
	}
	if first {
		v.others = others
	}
	if !last || others != v.others {
		return nil
	}
	fp, _, err := rulesFingerprint(tx)
	if err != nil {
		return err
	}
	return setState(tx, "rules", fp)
}

// partlyApplied is a batch's failure after the first batch committed.
type partlyApplied struct {
	done int // people in the batches that committed
	err  error
}

func (e *partlyApplied) Error() string { return e.err.Error() }
func (e *partlyApplied) Unwrap() error { return e.err }

// inBatches calls batch for the people, a paced batch at a time (at least
// once, with none when there are none), counting the transactions and the
// longest in p. batch runs one transaction and returns how long it held
// the database. Once the first batch has committed, the others go on even
// if ctx is cancelled: the rule is saved (ChangeRule) and is applied to the
// others rather than left to the next pass, with no record that everyone
// has it, because the request that asked for it is gone (HR closed the
// page). An error after the first batch is a *partlyApplied.
func (e *Engine) inBatches(ctx context.Context, p *RulePreview, people []string,
	batch func(ctx context.Context, part []string, first, last bool) (time.Duration, error)) error {
	pace := e.DB.NewPacer(ruleBatchStart, min(ruleBatchStart, 10), ruleBatchMax)
	for lo, first := 0, true; first || lo < len(people); first = false {
		part := people[lo:min(lo+pace.Size(), len(people))]
		p.Transactions++
		held, err := batch(ctx, part, first, lo+len(part) == len(people))
		if err != nil {
			if first {
				return err
			}
			return &partlyApplied{done: lo, err: err}
		}
		lo += len(part)
		p.LongestTx = max(p.LongestTx, held)
		if first {
			ctx = context.WithoutCancel(ctx)
		}
		pace.Done(ctx, len(part), held)
	}
	return nil
}

// PreviewRule is what ChangeRule would do with r, writing nothing: the very
// steps it runs (the same validation, the same evaluation of the rules), a
// batch of people per transaction, each rolled back. The evaluation runs
// without a Notifier, so not even a rolled-back message is written to the
// outbox. Preview does the same inside one transaction of the caller's.
func (e *Engine) PreviewRule(ctx context.Context, r *Rule, now time.Time) (RulePreview, error) {
	quiet := &Engine{DB: e.DB, Log: e.Log}
	candidate := *r
	var p RulePreview
	old, concerned, err := e.ruleChange(ctx, &p, &candidate, now, true)
	if err != nil {
		return p, err
	}
	// Each batch is rolled back, so there is nothing to finish when the
	// request is gone: a cancelled ctx ends the preview at the next batch.
	err = e.inBatches(ctx, &p, concerned, func(_ context.Context, part []string, _, _ bool) (time.Duration, error) {
		var q RulePreview
		held, err := e.DB.TxHeld(ctx, func(tx *gorm.DB) error {
			// Each batch starts from the rules as they are: rolled back.
			var evaluated rulesEvaluated
			if err := evaluated.before(tx); err != nil {
				return err
			}
			var err error
			if q, err = quiet.applyRuleTo(tx, now, &candidate, old, part, true, evaluated.upToDate); err != nil {
				return err
			}
			return errPreviewRollback
		})
		if !errors.Is(err, errPreviewRollback) {
			return held, err
		}
		p.add(q)
		return held, nil
	})
	if err != nil {
		return p, err
	}
	p.finish()
	return p, nil
}

// ruleChange checks r (checkRule, reading only), and returns the rule it
// replaces and the people to evaluate, with p's figures set (concern;
// preview for PreviewRule).
func (e *Engine) ruleChange(ctx context.Context, p *RulePreview, r *Rule, now time.Time, preview bool) (*Rule, []string, error) {
	d := e.DB.WithContext(ctx)
	old, err := checkRule(d, r, now)
	if err != nil {
		return nil, nil, err
	}
	concerned, _, err := p.concern(d, r, old, preview)
	if err != nil {
		return nil, nil, err
	}
	return old, concerned, nil
}

// holdPlanning takes the planning lock, waiting up to planningWait for a
// scheduler pass to finish planning.
func (e *Engine) holdPlanning(ctx context.Context) (func(), error) {
	wait := e.PlanningWait
	if wait <= 0 {
		wait = DefaultPlanningWait
	}
	deadline := time.Now().Add(wait)
	for {
		release, ok, err := e.DB.TryAdvisoryLock(ctx, PlanningLock)
		if err != nil {
			return nil, fmt.Errorf("planning lock: %w", err)
		}
		if ok {
			return release, nil
		}
		if time.Now().After(deadline) {
			return nil, ErrPlanningBusy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// auditRule records the rule change: the rule before and after and, when
// applying is says how it stands, what the change did.
func (e *Engine) auditRule(tx *gorm.DB, p *RulePreview, by Actor, now time.Time, applying string) error {
	r := p.Rule
	action, verb := audit.ActionUpdate, "changed"
	switch {
	case p.Before == nil:
		action, verb = audit.ActionCreate, "created"
	case p.Before.Active && !r.Active:
		action, verb = audit.ActionDeactivate, "deactivated"
	case !p.Before.Active && r.Active:
		verb = "reactivated"
	}
	summary := fmt.Sprintf("Rule %q for course %s %s: %s assigned, %s no longer required.",
		r.Name, r.CourseID, verb, peopleCount(p.Assigned), peopleCount(p.Closed))
	details := map[string]any{"after": ruleRecordOf(r)}
	if applying == "" {
		details["assigned"], details["closed"], details["unchanged"] = p.Assigned, p.Closed, p.Unchanged
	} else {
		summary = fmt.Sprintf("Rule %q for course %s %s; %s.", r.Name, r.CourseID, verb, applying)
	}
	if p.Before != nil {
		details["before"] = ruleRecordOf(p.Before)
	}
	if err := audit.Record(tx, audit.Event{
		At: now, ActorID: by.ID, ActorName: by.Name, Action: action,
		EntityType: "rule", EntityID: r.ID, Summary: summary, Details: details,
	}); err != nil {
		return err
	}
	return noteRulesIfNobody(tx)
}

// auditRuleApplied records what a rule change applied in batches did to
// everyone it concerns, in the transaction of its last batch.
func (e *Engine) auditRuleApplied(tx *gorm.DB, p *RulePreview, by Actor, now time.Time) error {
	r := p.Rule
	return audit.Record(tx, audit.Event{
		At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionUpdate, EntityType: "rule", EntityID: r.ID,
		Summary: fmt.Sprintf("Rule %q for course %s applied to everyone it concerns: %s assigned, %s no longer required.",
			r.Name, r.CourseID, peopleCount(p.Assigned), peopleCount(p.Closed)),
		Details: map[string]any{"assigned": p.Assigned, "closed": p.Closed, "unchanged": p.Unchanged},
	})
}
