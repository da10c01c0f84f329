// Package jobs runs work that HR starts from a page and that may take
// longer than a page should wait: a rule change for everyone in a hospital
// system evaluates 100,000 people (most of a minute), a staff list of
// 100,000 people takes minutes. The page's request starts the work (Start),
// waits a few seconds for it, and when it is not done sends HR to the
// work's own page, which reads how far it is from the jobs table: any
// instance can answer it.
//
// The work is done in batches, each in its own short transaction (so the
// rest of the site carries on), and each batch adds what it did to the
// job's row in that same transaction (Progress): the row never says more
// or less than what has committed. The last batch marks the job finished;
// a failure is recorded with a message HR can read (Message), the error
// itself going to the log.
//
// The work runs in the process that took the request. A job cut off by the
// process ending (a restart, a crash) stays unfinished; its page tells it
// from the time of its last batch (Stalled), and the work it belongs to
// must be safe to leave part-done: a rule change stands as saved and the
// next scheduler pass applies it to the others; a staff import's batches
// are idempotent, and applying the same file again completes it.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// Kind is what a job does.
type Kind string

// The kinds of jobs.
const (
	KindRuleChange  Kind = "rule_change"
	KindStaffImport Kind = "staff_import"
)

// Stalled is how long a job may go without a batch before its page says it
// stopped: its process ended between batches. A batch takes about a tenth
// of a second; a rule change may first wait up to 20 s for a scheduler pass
// to finish planning.
const Stalled = 2 * time.Minute

// Job is one row of the jobs table: the work, and how far it has come.
type Job struct {
	ID    string
	Kind  Kind
	Title string // what HR calls it: the rule's name, the file's name
	// Subject is what the work is about: the rule's ID (empty for a new
	// rule until its first batch saves it), the kept upload's ID.
	Subject   string
	ActorID   string
	ActorName string
	// Batches is how many of its transactions have committed. Total is
	// how many people (or other units) the work concerns, Done how many of
	// them it has reached.
	Batches, Total, Done int
	// Figures is what it did so far, as JSON (FiguresInto).
	Figures string
	// Error says, for HR, why it failed; empty when it did not.
	Error      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// TableName implements gorm's tabler.
func (Job) TableName() string { return "jobs" }

// Begun reports whether the work's first batch committed.
func (j Job) Begun() bool { return j.Batches > 0 }

// Stopped reports whether the job stopped before it finished: no batch for
// Stalled (now is the real time).
func (j Job) Stopped(now time.Time) bool {
	return j.FinishedAt == nil && now.Sub(j.UpdatedAt) > Stalled
}

// Percent is Done as a whole percentage of Total (0 when Total is 0).
func (j Job) Percent() int {
	if j.Total <= 0 {
		return 0
	}
	return j.Done * 100 / j.Total
}

// FiguresInto decodes the job's figures into v.
func (j Job) FiguresInto(v any) error {
	if j.Figures == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(j.Figures), v); err != nil {
		return fmt.Errorf("job %s: read its figures: %w", j.ID, err)
	}
	return nil
}

// Run is a job running in this process (Start).
type Run struct {
	// ID is the job's row.
	ID   string
	done chan struct{}
	// Err is what the work returned; read it after Done.
	Err error
}

// Done is closed when the work has finished, or failed.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait waits up to d for the work and reports whether it finished (or
// failed) in that time; a negative d does not wait. It stops waiting when
// ctx ends (the request is gone), which does not stop the work.
func (r *Run) Wait(ctx context.Context, d time.Duration) bool {
	if d < 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.done:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// running counts the jobs running in this process, for Drain.
var running sync.WaitGroup

// Start records j (its ID and times are set here) and runs work for it in
// the background; it returns once the row is written. work gets the job's
// ID for Progress, and a context that ctx's cancellation does not end: the
// request that started the job may end long before it does. A panic in
// work fails the job instead of ending the process.
func Start(ctx context.Context, d *db.DB, log *slog.Logger, j Job, work func(ctx context.Context, id string) error) (*Run, error) {
	at := time.Now().UTC()
	j.ID, j.StartedAt, j.UpdatedAt, j.FinishedAt = db.NewID(), at, at, nil
	if j.Figures == "" {
		j.Figures = "{}"
	}
	if err := d.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&j).Error }); err != nil {
		return nil, fmt.Errorf("record the job: %w", err)
	}
	run := &Run{ID: j.ID, done: make(chan struct{})}
	bg := context.WithoutCancel(ctx)
	running.Add(1)
	go func() {
		defer running.Done()
		defer close(run.done)
		run.Err = protect(func() error { return work(bg, j.ID) })
		if run.Err == nil {
			return
		}
		if log != nil {
			log.Error("job failed", "job", j.ID, "kind", j.Kind, "title", j.Title, "err", run.Err)
		}
		at := time.Now().UTC()
		err := d.Tx(bg, func(tx *gorm.DB) error {
			return tx.Model(&Job{}).Where("id = ?", j.ID).
				Updates(map[string]any{"error": Message(run.Err), "updated_at": at, "finished_at": at}).Error
		})
		if err != nil && log != nil {
			log.Error("record a failed job", "job", j.ID, "err", err)
		}
	}()
	return run, nil
}

// protect runs work, turning a panic into an error (with its stack, for
// the log).
func protect(work func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return work()
}

// Message is what a job's page says about err: the message meant for
// people when there is one (a problem with the rule, a conflict), else a
// general sentence; the error itself belongs in the log.
func Message(err error) string {
	if msg := apperr.MessageOf(err); msg != "" {
		return msg
	}
	return "Something went wrong on the server; the error is in its log."
}

// Drain waits until the jobs running in this process have finished, or ctx
// ends (a server shutting down gives them its grace period).
func Drain(ctx context.Context) error {
	finished := make(chan struct{})
	go func() { running.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Update is what one committed batch adds to its job (Progress).
type Update struct {
	// Subject, when not empty, replaces the job's subject (a new rule's ID,
	// known once its first batch saves it).
	Subject string
	// Total is how many the work concerns; Done how many it has reached
	// with this batch.
	Total, Done int
	// Figures is what the work did so far (encoded as JSON); nil leaves
	// them.
	Figures any
	// Finish marks the job finished: this is its last batch.
	Finish bool
}

// Progress records a batch of job id in the batch's transaction tx, so the
// job's row says exactly what has committed. An empty id does nothing (the
// work is not running as a job).
func Progress(tx *gorm.DB, id string, u Update) error {
	if id == "" {
		return nil
	}
	at := time.Now().UTC()
	set := map[string]any{"batches": gorm.Expr("batches + 1"), "total": u.Total, "done": u.Done, "updated_at": at}
	if u.Subject != "" {
		set["subject"] = u.Subject
	}
	if u.Figures != nil {
		b, err := json.Marshal(u.Figures)
		if err != nil {
			return fmt.Errorf("record the job's progress: %w", err)
		}
		set["figures"] = string(b)
	}
	if u.Finish {
		set["finished_at"] = at
	}
	if err := tx.Model(&Job{}).Where("id = ?", id).Updates(set).Error; err != nil {
		return fmt.Errorf("record the job's progress: %w", err)
	}
	return nil
}

// ErrNotFound says there is no such job.
var ErrNotFound = apperr.New(apperr.NotFound, "There is no such job. Its link may be mistyped.")

// Store reads the jobs for their pages.
type Store struct{ DB *db.DB }

// Get reads one job of the kind; ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, kind Kind, id string) (Job, error) {
	var j Job
	err := s.DB.WithContext(ctx).Where("id = ? AND kind = ?", id, kind).Take(&j).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return j, ErrNotFound
	}
	return j, err
}

// Running lists the jobs of the kind not finished that had a batch within
// Stalled of now (the real time), oldest first, at most 20.
func (s *Store) Running(ctx context.Context, kind Kind, now time.Time) ([]Job, error) {
	var out []Job
	err := s.DB.WithContext(ctx).Where("kind = ? AND finished_at IS NULL AND updated_at > ?", kind, now.UTC().Add(-Stalled)).
		Order("started_at, id").Limit(20).Find(&out).Error
	return out, err
}

// Finish marks job id finished if it is not yet (work whose last batch did
// not say so, because there was nothing to write).
func Finish(ctx context.Context, d *db.DB, id string) error {
	at := time.Now().UTC()
	return d.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Job{}).Where("id = ? AND finished_at IS NULL", id).
			Updates(map[string]any{"updated_at": at, "finished_at": at}).Error
	})
}
