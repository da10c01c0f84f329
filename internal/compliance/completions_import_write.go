package compliance

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

// maxBoundParameters keeps a multi-row statement under SQLite's limit of
// 32,766 bound parameters (PostgreSQL allows 65,535).
const maxBoundParameters = 30000

// write records the checked file batch by batch, each batch in its own
// transaction: the import's own row first (or the interrupted run it
// finishes), then the batches, then the import is marked finished.
func (im *completionsImporter) write(ctx context.Context, d *db.DB, res *CompletionsResult) error {
	now := im.opts.Now
	// Every transaction on one connection, which tells whether anything
	// else wrote since the one before (db.Bulk): each batch is planned
	// ahead, during the pause before its transaction.
	bulk, err := d.NewBulk(ctx)
	if err != nil {
		return err
	}
	defer bulk.Close()
	// held is how long the last transaction held the database (what the
	// pace follows; not the wait for the lock, nor the checkpoint after).
	var held time.Duration
	tx := func(fn func(tx *gorm.DB, quiet bool) error) error {
		res.Batches++
		var err error
		held, err = bulk.TxHeld(ctx, fn)
		if im.opts.OnTransaction != nil {
			im.opts.OnTransaction(held)
		}
		return err
	}
	importID := im.resumeID
	if importID == "" {
		importID = db.NewID()
		err := tx(func(tx *gorm.DB, _ bool) error {
			return tx.Exec("INSERT INTO completion_imports (id, source_file, file_sha256, started_at) VALUES (?, ?, ?, ?)",
				importID, im.opts.SourceFile, im.f.sha256, now).Error
		})
		if err != nil {
			return fmt.Errorf("record the completions import: %w", err)
		}
	}
	var notifier Notifier
	if im.opts.Engine != nil {
		notifier = im.opts.Engine.Notifier
	}
	// Without BatchRows, batches are sized by time (db.Pacer: about
	// db.TxTarget each, starting at DefaultCompletionsBatch rows).
	pace := d.NewPacer(DefaultCompletionsBatch/4, 50, 4*DefaultCompletionsBatch)
	if im.opts.BatchRows > 0 {
		pace = d.NewPacer(im.opts.BatchRows, im.opts.BatchRows, im.opts.BatchRows)
	}
	stats := d.NewAnalyzer(db.WriteTables...)
	next, stop := iter.Pull(im.batchesOf(pace.Size))
	defer stop()
	// ahead is the batch's plan made before its transaction, outside the
	// write lock (nil: none); used when the transaction is quiet, since
	// then it is the plan the transaction would make.
	var ahead *aheadPlan
	batch, ok := next()
	for n := 0; ok; n++ {
		if err := stats.Check(ctx); err != nil {
			return err
		}
		if beforeImportTx != nil {
			beforeImportTx(n)
		}
		err := tx(func(tx *gorm.DB, quiet bool) error {
			var problems importProblems
			var planned [][]PlannedCompletion
			if quiet && ahead != nil {
				planned, problems = ahead.planned, ahead.problems
				res.Pass.ReadAhead++
			} else {
				var err error
				if planned, err = im.plan(tx, batch, &problems); err != nil {
					return err
				}
			}
			if !problems.Empty() {
				// The history changed since the file was checked.
				return fmt.Errorf("%w (%s)", ErrImportConflict, problems.Err(completionsSubject))
			}
			opened, ids, assignments, err := im.record(tx, importID, planned)
			if err != nil {
				return err
			}
			res.Pass.WindowsOpened += len(opened)
			evs := make([]Event, len(opened))
			for i, c := range opened {
				evs[i] = Event{Kind: EventWindowOpen, Cycle: c, NewCycle: true}
			}
			if err := notifyAll(notifier, tx, evs, now); err != nil {
				return err
			}
			if im.opts.AfterAssignments != nil {
				return im.opts.AfterAssignments(tx, now, ids, assignments)
			}
			if im.opts.AfterBatch != nil {
				return im.opts.AfterBatch(tx, now, ids)
			}
			return nil
		})
		if err != nil {
			return err
		}
		pause := pace.Record(len(batch), held)
		batch, ok = next()
		ahead = nil
		if !ok {
			pause(ctx)
			break
		}
		// Plan the next batch while the pause checkpoints the log.
		p := &aheadPlan{}
		if bulk.ReadDuring(ctx, pause, func(q *gorm.DB) (err error) {
			p.planned, err = im.plan(q, batch, &p.problems)
			return err
		}) {
			ahead = p
		}
	}
	// One audit entry for the whole import, with the import marked done.
	err = tx(func(tx *gorm.DB, _ bool) error {
		if err := tx.Exec("UPDATE completion_imports SET finished_at = ? WHERE id = ?", now, importID).Error; err != nil {
			return fmt.Errorf("record the completions import: %w", err)
		}
		summary := fmt.Sprintf("Completions import of %s: %s.", im.opts.SourceFile, res.Plan.Summary())
		if res.Resumed {
			summary = fmt.Sprintf("Completions import of %s, finishing an interrupted run (%d rows it had recorded were skipped): %s.",
				im.opts.SourceFile, res.Skipped, res.Plan.Summary())
		}
		return audit.Record(tx, audit.Event{
			At: now, Action: audit.ActionImport, EntityType: "completion", EntityID: importID, Summary: summary,
			Details: map[string]any{"file": im.opts.SourceFile, "sha256": im.f.sha256, "completions": res.Plan.Total,
				"employees": res.Plan.Employees, "resumed": res.Resumed, "skipped": res.Skipped, "batches": res.Batches},
		})
	})
	if err != nil {
		return err
	}
	// On PostgreSQL, the dead rows of the cycles and report rows the
	// import rewrote are cleared before it returns (db.Analyzer.Tidy).
	return stats.Tidy(ctx)
}

// beforeImportTx, when set (tests), is called with each batch's number
// (from 0) between its plan ahead and its transaction.
var beforeImportTx func(batch int)

// aheadPlan is a batch's plan made before its transaction.
type aheadPlan struct {
	planned  [][]PlannedCompletion
	problems importProblems
}

// record writes one batch's planned completions with multi-row statements:
// new assignments, superseded cycles closed, open cycles completed, new
// cycles, the imported records, and the refreshers whose window is already
// open. It returns the refreshers it opened, the employees' IDs and the IDs
// of the assignments whose cycles it wrote (sorted).
func (im *completionsImporter) record(tx *gorm.DB, importID string, planned [][]PlannedCompletion) ([]*Cycle, []string, []string, error) {
	now := im.opts.Now
	var (
		assignments, cycles, records [][]any
		closes, completes            []string
		completeRows                 [][]any
		opened                       []*Cycle
		ids                          []string
		written                      = map[string]bool{}
	)
	for _, one := range planned {
		if len(one) == 0 {
			continue
		}
		ids = append(ids, one[0].EmployeeID)
		assignmentOf := map[string]string{}
		for i := range one {
			c := &one[i]
			assignmentID := c.AssignmentID
			if c.NewAssignment {
				assignmentID = db.NewID()
				var closedAt *time.Time
				reason := ""
				if c.NewAssignmentStatus == "closed" {
					closedAt, reason = &now, ClosedInactive
				}
				assignments = append(assignments, []any{assignmentID, c.EmployeeID, c.CourseID, c.RuleID, c.NewAssignmentStatus, now, closedAt, reason})
				assignmentOf[c.CourseID] = assignmentID
			} else if assignmentID == "" {
				assignmentID = assignmentOf[c.CourseID]
			}
			written[assignmentID] = true
			if c.ClosesCycleID != "" {
				closes = append(closes, c.ClosesCycleID)
			}
			cycleID := c.CycleID
			if cycleID != "" {
				completes = append(completes, cycleID)
				completeRows = append(completeRows, []any{cycleID, c.CompletedAt, c.ExpiresAt, c.Derivation})
			} else {
				cycleID = db.NewID()
				cycles = append(cycles, []any{cycleID, assignmentID, c.EmployeeID, c.CourseID, c.CycleNumber, c.Path,
					StatusCompleted, c.WindowOpensAt, c.DueAt, c.CompletedAt, c.ExpiresAt, c.Derivation, now, now})
			}
			records = append(records, []any{db.NewID(), cycleID, c.EmployeeID, c.CourseID, c.CompletedAt, c.Score,
				c.Evidence, im.opts.SourceFile, c.Row, now, importID})
			if c.RefresherDueAt != nil {
				// The window is open already: the refresher starts now, due
				// when this completion expires, as the scheduler would
				// start it.
				days := int(Day(*c.RefresherDueAt).Sub(Day(*c.RefresherOpensAt)).Hours() / 24)
				opens, due, why := Recurrence{WindowDays: days}.NextWindow(*c.ExpiresAt)
				a := &Assignment{ID: assignmentID, EmployeeID: c.EmployeeID, CourseID: c.CourseID}
				next := newCycle(a, c.RefresherNumber, PathRefresher, opens, due, why, now)
				im.opts.Engine.announce(next, now)
				opened = append(opened, next)
			}
		}
	}
	if err := insertRows(tx, "assignments", []string{"id", "employee_id", "course_id", "rule_id", "status", "created_at", "closed_at", "closed_reason"}, assignments, ""); err != nil {
		return nil, nil, nil, fmt.Errorf("create assignments: %w", err)
	}
	for part := range slices.Chunk(closes, importBatch) {
		r := tx.Exec("UPDATE cycles SET status = ?, closed_at = ?, closed_reason = ?, updated_at = ? WHERE id IN ? AND status IN ?",
			StatusClosed, now, ClosedSupersededByImport, now, part, openStatuses)
		if r.Error != nil {
			return nil, nil, nil, fmt.Errorf("close superseded cycles: %w", r.Error)
		}
		if r.RowsAffected != int64(len(part)) {
			return nil, nil, nil, ErrImportConflict
		}
	}
	if err := im.completeCycles(tx, completeRows); err != nil {
		return nil, nil, nil, err
	}
	if err := insertRows(tx, "cycles", []string{"id", "assignment_id", "employee_id", "course_id", "number", "path", "status",
		"window_opens_at", "due_at", "completed_at", "expires_at", "derivation", "created_at", "updated_at"}, cycles, ""); err != nil {
		return nil, nil, nil, fmt.Errorf("record imported cycles: %w", err)
	}
	if err := insertRows(tx, "imported_completions", []string{"id", "cycle_id", "employee_id", "course_id", "completed_at", "score",
		"evidence", "source_file", "source_row", "imported_at", "import_id"}, records, ""); err != nil {
		return nil, nil, nil, fmt.Errorf("record imported completions: %w", err)
	}
	refreshers := make([][]any, len(opened))
	for i, c := range opened {
		refreshers[i] = []any{c.ID, c.AssignmentID, c.EmployeeID, c.CourseID, c.Number, c.Path, c.Status,
			c.WindowOpensAt, c.DueAt, nil, nil, c.Derivation, c.ReminderStage, now, now}
	}
	if err := insertRows(tx, "cycles", []string{"id", "assignment_id", "employee_id", "course_id", "number", "path", "status",
		"window_opens_at", "due_at", "completed_at", "expires_at", "derivation", "reminder_stage", "created_at", "updated_at"}, refreshers, ""); err != nil {
		return nil, nil, nil, fmt.Errorf("open refresher cycles: %w", err)
	}
	return opened, ids, slices.Sorted(maps.Keys(written)), nil
}

// completeCycles completes the open cycles the rows complete, many per
// statement (UPDATE … FROM a list of values, which SQLite and PostgreSQL
// both read), and checks each was still open.
func (im *completionsImporter) completeCycles(tx *gorm.DB, rows [][]any) error {
	ts := "?"
	if tx.Dialector.Name() == "postgres" {
		ts = "CAST(? AS TIMESTAMP)"
	}
	row := "(?, " + ts + ", " + ts + ", ?)"
	for part := range slices.Chunk(rows, maxBoundParameters/4) {
		var b strings.Builder
		args := make([]any, 0, 4*len(part)+4)
		b.WriteString("WITH v (id, completed_at, expires_at, derivation) AS (VALUES ")
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			args = append(args, r...)
		}
		// next_event_at = epoch: the next pass works out the completion's
		// expiry and refresher window (see advance.go).
		b.WriteString(`) UPDATE cycles SET status = ?, completed_at = v.completed_at, expires_at = v.expires_at,
			derivation = v.derivation, updated_at = ?, next_event_at = ? FROM v WHERE cycles.id = v.id AND cycles.status IN (` +
			strings.TrimSuffix(strings.Repeat("?, ", len(openStatuses)), ", ") + `)`)
		args = append(args, StatusCompleted, im.opts.Now, epoch)
		for _, st := range openStatuses {
			args = append(args, st)
		}
		n, err := db.ExecBulk(tx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("complete cycles: %w", err)
		}
		if n != int64(len(part)) {
			return ErrImportConflict
		}
	}
	return nil
}
