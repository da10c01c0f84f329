// Package scheduler runs Onramp's background work. One pass evaluates the
// assignment rules, moves cycles along (refresher windows, overdue, expiry,
// reminders, escalations), delivers the outbox and prunes expired sessions.
// It runs every minute inside `onramp serve` and once per call in
// `onramp scheduler run-once` (`--full` re-evaluates everyone's rules).
//
// A pass costs what changed (compliance.Engine.Pass): the rules run for the
// people written since the last evaluation (or everyone when a rule
// changed), and only cycles whose next event has come are read, through an
// index. The work goes in batches of people, each in its own short
// transaction that also refreshes those people's report rows
// (report.RefreshEmployees) and writes their messages in one NotifyAll, so
// learners' writes never wait long for the scheduler. Afterwards
// report.MaintainBatches writes the day's snapshot (and builds the report
// table a batch at a time the first time, or after the clock went back). On
// PostgreSQL a pass that wrote ends by analyzing the tables it changed by
// more than a tenth (db.Analyzer), so the planner's statistics are fresh for
// the next pass, and a pass with nothing due reads no statistics at all.
//
// Passes are safe on every instance at the same moment. On PostgreSQL,
// planning (rules and cycles) runs under an advisory lock that only one
// instance holds at a time, across all the batches of a pass, and the
// outbox is claimed row by row (SKIP LOCKED), so each message is sent once. On SQLite the whole pass (planning
// and delivery) runs under an operating-system lock on the file beside the
// database (<db>.lock): `serve` and a `scheduler run-once` on one file never
// pass at the same moment; the one that finds the lock held does nothing
// and says so.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// planningLock is the advisory lock key for rule and cycle planning, which
// rule changes (compliance.Engine.ChangeRule) take too.
const planningLock = compliance.PlanningLock

// passLock is the lock key for a whole pass on SQLite.
const passLock int64 = 0x6f6e72616d71

// reportBatch is the most people of one transaction of the report table's
// build (report.MaintainBatches sizes them by time below it). Each person
// has a row per assignment; at 100 people a transaction held the database
// about 25 ms at 10,000 people, and its pause after it (db.Pacer) took most
// as long again.
const reportBatch = 400

// Scheduler holds the jobs of a pass.
type Scheduler struct {
	DB     *db.DB
	Clock  clock.Clock
	Log    *slog.Logger
	Engine *compliance.Engine
	// Deliver sends due outbox messages; nil skips delivery.
	Deliver func(ctx context.Context, now time.Time) (sent, failed int, err error)
	// Prune removes expired sessions and old sign-in attempts; nil skips it.
	Prune func(ctx context.Context) error
	// Extra is more planning of the pass, run under the planning lock
	// after the cycles (the day-before reminders of training sessions);
	// nil skips it.
	Extra func(ctx context.Context, now time.Time) error
	// Observe receives each pass's duration, report and error (for
	// metrics); may be nil.
	Observe func(elapsed time.Duration, rep Report, err error)
}

// Report says what a pass did.
type Report struct {
	compliance.PassResult
	// Planned is false when another instance held the planning lock.
	Planned bool
	// Busy, on SQLite, names the lock file another process held: the pass
	// did nothing (no planning, no delivery).
	Busy   string
	Sent   int
	Failed int
	// Report says what the report-table maintenance did.
	Report report.MaintainResult
}

// MaxTx is the longest write transaction of the pass's planning.
func (r Report) MaxTx() time.Duration { return max(r.PassResult.MaxTx, r.Report.MaxTx) }

func (r Report) String() string {
	again := ""
	if r.ReadAgain > 0 {
		again = fmt.Sprintf("; %d read again after others changed their cycles", r.ReadAgain)
	}
	return fmt.Sprintf("assigned %d, closed %d, windows opened %d, overdue %d, expired %d, reminders %d, escalated %d, exemptions ended %d, nudges %d (%d held for later passes); e-mails sent %d, failed %d",
		r.Assigned, r.Closed, r.WindowsOpened, r.MarkedOverdue, r.Expired, r.Reminders, r.Escalated, r.ExemptionsEnd, r.Nudges, r.NudgesHeld, r.Sent, r.Failed) +
		fmt.Sprintf(" (people evaluated %d, due cycles read %d, %d transactions, longest %s; %d batches read ahead of the lock%s)",
			r.Evaluated, r.Examined, r.Batches, r.MaxTx().Round(time.Millisecond), r.ReadAhead, again)
}

// Options change what one pass does.
type Options struct {
	// Full re-evaluates every person's rules (in batches), not only the
	// people and rules that changed (`onramp scheduler run-once --full`).
	Full bool
}

// RunOnce runs one pass as of now.
func (s *Scheduler) RunOnce(ctx context.Context, now time.Time) (rep Report, err error) {
	return s.RunOnceWith(ctx, now, Options{})
}

// RunOnceWith runs one pass as of now with options.
func (s *Scheduler) RunOnceWith(ctx context.Context, now time.Time, opts Options) (rep Report, err error) {
	start := time.Now()
	if s.Observe != nil {
		defer func() { s.Observe(time.Since(start), rep, err) }()
	}
	if s.DB.Dialect != db.Postgres {
		// One process per SQLite file plans and delivers at a time.
		releasePass, ok, err := s.DB.TryAdvisoryLock(ctx, passLock)
		if err != nil {
			return rep, fmt.Errorf("scheduler lock: %w", err)
		}
		if !ok {
			rep.Busy, _ = s.DB.LockFile(ctx)
			if rep.Busy == "" {
				rep.Busy = "(this process)"
			}
			return rep, nil
		}
		defer releasePass()
	}
	release, ok, err := s.DB.TryAdvisoryLock(ctx, planningLock)
	if err != nil {
		return rep, fmt.Errorf("planning lock: %w", err)
	}
	if ok {
		rep.Planned = true
		err := func() error {
			defer release()
			// Before the first cycle exists, the batches' refreshes build
			// the whole report table: no separate build is needed.
			var cycles []string
			if err := s.DB.WithContext(ctx).Raw(`SELECT id FROM cycles LIMIT 1`).Scan(&cycles).Error; err != nil {
				return fmt.Errorf("look for cycles: %w", err)
			}
			pr, err := s.Engine.Pass(ctx, now, compliance.PassOptions{
				Full: opts.Full,
				// The report rows of the people and assignments a batch
				// changed follow in that batch's transaction.
				AfterBatch:  report.RefreshEmployees,
				AfterCycles: report.RefreshAssignments,
			})
			rep.PassResult = pr
			if err != nil {
				return err
			}
			if len(cycles) == 0 {
				if err := report.MarkBuilt(ctx, s.DB, now); err != nil {
					return err
				}
			}
			mr, err := report.MaintainBatches(ctx, s.DB, now, reportBatch)
			if err != nil {
				return fmt.Errorf("refresh report tables: %w", err)
			}
			rep.Report = mr
			if s.Extra != nil {
				if err := s.Extra(ctx, now); err != nil {
					return err
				}
			}
			if pr.Batches > 0 || mr.People > 0 {
				// PostgreSQL: the dead rows this pass left (its batches
				// and the report's refresh delete and write again the
				// report rows of the people they reach) are vacuumed,
				// and the statistics of the tables it rewrote brought up
				// to date, by this pass, not left to autovacuum or the
				// next pass (whose batches look only when they have
				// work, and a pass with nothing due never does).
				stats := s.DB.NewAnalyzer(db.WriteTables...)
				if err := stats.Tidy(ctx); err != nil {
					return err
				}
				if err := stats.Check(ctx); err != nil {
					return err
				}
			}
			return nil
		}()
		if err != nil {
			return rep, err
		}
	}
	if s.Deliver != nil {
		sent, failed, err := s.Deliver(ctx, now)
		rep.Sent, rep.Failed = sent, failed
		if err != nil {
			return rep, fmt.Errorf("deliver outbox: %w", err)
		}
	}
	if s.Prune != nil {
		if err := s.Prune(ctx); err != nil {
			return rep, fmt.Errorf("prune sessions: %w", err)
		}
	}
	return rep, nil
}

// Run runs a pass every interval until ctx is cancelled. A failing or
// panicking pass is logged and the next one runs as usual.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.safePass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) safePass(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("scheduler pass panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	rep, err := s.RunOnce(ctx, s.Clock.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Error("scheduler pass failed", "error", err.Error())
		}
		return
	}
	if rep.Busy != "" {
		s.Log.Info("scheduler pass skipped: another process is running one on this SQLite database", "lock_file", rep.Busy, "holder_pid", db.LockHolder(rep.Busy))
		return
	}
	s.Log.Debug("scheduler pass", "planned", rep.Planned, "summary", rep.String())
}
