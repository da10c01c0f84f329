package compliance

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// A rule change for everyone in a hospital system evaluates 100,000 people:
// most of a minute (docs/performance.md), longer than a person should stare
// at a page that is loading, and longer than many reverse proxies wait for
// an answer. StartRuleChange runs ChangeRule in the background with its
// progress kept in rule_applications, a batch at a time in the batch's own
// transaction, so the page that follows it (on any instance) reads how far
// it is, and what it did once it is done.

// RuleRunStalled is how long a rule change may go without a batch before
// its page says it stopped: its process ended (a restart, a crash) between
// batches. Waiting for a scheduler pass to finish planning takes at most
// DefaultPlanningWait, and a batch about a tenth of a second.
const RuleRunStalled = 2 * time.Minute

// RuleRun is one rule change applied in the background (StartRuleChange).
type RuleRun struct {
	// ID is the rule_applications row that follows it.
	ID   string
	done chan struct{}
	// Result and Err are what ChangeRule returned; read them after Done.
	Result RulePreview
	Err    error
}

// Done is closed when the change has finished, or failed.
func (r *RuleRun) Done() <-chan struct{} { return r.done }

// RuleApplication is how far a rule change has come (rule_applications).
type RuleApplication struct {
	ID        string
	RuleID    string
	RuleName  string
	NewRule   bool
	ActorID   string
	ActorName string
	// Batches is how many of its transactions have committed: the first
	// saves the rule. People is how many people the change concerns (those
	// it evaluates), Done how many of them it has reached.
	Batches, People, Done       int
	Assigned, Closed, Unchanged int
	// Error says why the change failed; empty when it did not.
	Error      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// TableName implements gorm's tabler.
func (RuleApplication) TableName() string { return "rule_applications" }

// Saved reports whether the rule itself was saved: the first batch
// committed (it stores the rule).
func (a RuleApplication) Saved() bool { return a.Batches > 0 }

// Stalled reports whether the change stopped before it finished: no batch
// for RuleRunStalled (now is the real time).
func (a RuleApplication) Stalled(now time.Time) bool {
	return a.FinishedAt == nil && now.Sub(a.UpdatedAt) > RuleRunStalled
}

// ruleRuns keeps track of the rule changes running in this process, so a
// server shutting down can wait for them (WaitRuleChanges).
type ruleRuns struct{ wg sync.WaitGroup }

var backgroundRuns ruleRuns

// StartRuleChange records a rule change in rule_applications and runs
// ChangeRule for it in the background; it returns once the row is written.
// The change goes on when ctx is cancelled (the request that asked for it
// ends): it is made, as ChangeRule makes it, and its figures and any error
// land in the row. now is the time the rules count from (the app's clock);
// the row's own times are the real time, which tells a stalled change.
func (e *Engine) StartRuleChange(ctx context.Context, r *Rule, by Actor, now time.Time) (*RuleRun, error) {
	at := time.Now().UTC()
	app := RuleApplication{ID: db.NewID(), RuleID: r.ID, RuleName: r.Name, NewRule: r.ID == "",
		ActorID: by.ID, ActorName: by.Name, StartedAt: at, UpdatedAt: at}
	if err := e.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&app).Error }); err != nil {
		return nil, fmt.Errorf("record the rule change: %w", err)
	}
	run := &RuleRun{ID: app.ID, done: make(chan struct{})}
	bg := context.WithoutCancel(ctx)
	backgroundRuns.wg.Add(1)
	go func() {
		defer backgroundRuns.wg.Done()
		defer close(run.done)
		rule := *r
		func() {
			// A panic here would end the server, not a request: it fails
			// this change instead, as the request's recovery would.
			defer func() {
				if v := recover(); v != nil {
					run.Err = fmt.Errorf("rule change panicked: %v\n%s", v, debug.Stack())
				}
			}()
			run.Result, run.Err = e.changeRule(bg, &rule, by, now, app.ID)
		}()
		if run.Err == nil {
			return
		}
		if e.Log != nil {
			e.Log.Error("rule change failed", "rule_application", app.ID, "rule", r.Name, "err", run.Err)
		}
		at := time.Now().UTC()
		err := e.DB.Tx(bg, func(tx *gorm.DB) error {
			return tx.Model(&RuleApplication{}).Where("id = ?", app.ID).
				Updates(map[string]any{"error": ruleRunError(run.Err), "updated_at": at, "finished_at": at}).Error
		})
		if err != nil && e.Log != nil {
			e.Log.Error("record a failed rule change", "rule_application", app.ID, "err", err)
		}
	}()
	return run, nil
}

// ruleRunError is what the rule change's page says about err: the message
// meant for people when there is one (a problem with the rule, a scheduler
// pass that kept planning), else a general one; the error itself goes to
// the log.
func ruleRunError(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Error()
	}
	if msg := apperr.MessageOf(err); msg != "" {
		return msg
	}
	return "Something went wrong on the server; the error is in its log."
}

// WaitRuleChanges waits until the rule changes running in the background
// have finished, or ctx ends. A change cut off by the process ending is
// safe: the rule stands as saved (or, before its first batch, was not
// saved), and the next scheduler pass evaluates everyone.
func WaitRuleChanges(ctx context.Context) error {
	finished := make(chan struct{})
	go func() { backgroundRuns.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runProgress adds a committed batch to the rule change's row, in the
// batch's transaction: the rule's ID (set by the first batch for a new
// rule), how many people it concerns and has reached, and what it did to
// them so far; the last batch marks it finished.
func runProgress(tx *gorm.DB, run, ruleID string, people, done int, sum *RulePreview, last bool) error {
	at := time.Now().UTC()
	set := map[string]any{"rule_id": ruleID, "batches": gorm.Expr("batches + 1"), "people": people, "done": done,
		"assigned": sum.Assigned, "closed": sum.Closed, "unchanged": sum.Unchanged, "updated_at": at}
	if last {
		set["finished_at"] = at
	}
	if err := tx.Model(&RuleApplication{}).Where("id = ?", run).Updates(set).Error; err != nil {
		return fmt.Errorf("record the rule change's progress: %w", err)
	}
	return nil
}

// RuleApplication reads one rule change's progress; ErrRuleNotFound when
// there is no such change.
func (s *Store) RuleApplication(ctx context.Context, id string) (RuleApplication, error) {
	var a RuleApplication
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return a, ErrRuleNotFound
	}
	return a, err
}

// RuleApplicationsRunning lists the rule changes not finished that had a
// batch within RuleRunStalled of now (the real time), oldest first: what
// the rules page says is still being applied.
func (s *Store) RuleApplicationsRunning(ctx context.Context, now time.Time) ([]RuleApplication, error) {
	var out []RuleApplication
	err := s.DB.WithContext(ctx).Where("finished_at IS NULL AND updated_at > ?", now.UTC().Add(-RuleRunStalled)).
		Order("started_at, id").Limit(20).Find(&out).Error
	return out, err
}
