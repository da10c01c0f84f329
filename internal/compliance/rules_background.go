package compliance

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/jobs"
)

// A rule change for everyone in a hospital system evaluates 100,000 people:
// most of a minute (docs/performance.md), longer than a person should stare
// at a page that is loading, and longer than many reverse proxies wait for
// an answer. StartRuleChange runs ChangeRule as a job (internal/jobs): each
// batch adds what it did to the job's row in its own transaction, so the
// change's page (on any instance) reads how far it is, and what it did once
// it is done.

// RuleRun is one rule change applied in the background (StartRuleChange).
type RuleRun struct {
	*jobs.Run
	// Result is what ChangeRule returned; read it after Done.
	Result RulePreview
}

// RuleFigures is what a rule change did so far: the job's figures.
type RuleFigures struct {
	Assigned  int `json:"assigned"`
	Closed    int `json:"closed"`
	Unchanged int `json:"unchanged"`
}

// StartRuleChange runs ChangeRule as a job (kind jobs.KindRuleChange) and
// returns once the job is recorded. The change goes on when ctx is
// cancelled (the request that asked for it ends): it is made as ChangeRule
// makes it, and its figures and any error land in the job. The job's
// subject is the rule's ID (for a new rule, once its first batch has saved
// it); its total the people the change evaluates.
func (e *Engine) StartRuleChange(ctx context.Context, r *Rule, by Actor, now time.Time) (*RuleRun, error) {
	rule := *r
	out := &RuleRun{}
	run, err := jobs.Start(ctx, e.DB, e.Log, jobs.Job{Kind: jobs.KindRuleChange, Title: r.Name, Subject: r.ID,
		ActorID: by.ID, ActorName: by.Name}, func(ctx context.Context, id string) error {
		var err error
		out.Result, err = e.changeRule(ctx, &rule, by, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Run = run
	return out, nil
}

// ruleProgress adds a committed batch of the rule change's job to its row,
// in the batch's transaction.
func ruleProgress(tx *gorm.DB, job, ruleID string, people, done int, sum *RulePreview, last bool) error {
	return jobs.Progress(tx, job, jobs.Update{Subject: ruleID, Total: people, Done: done, Finish: last,
		Figures: RuleFigures{Assigned: sum.Assigned, Closed: sum.Closed, Unchanged: sum.Unchanged}})
}
