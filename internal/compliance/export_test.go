package compliance

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SetOpenCyclesCounted changes how many open cycles ListOpenCycles counts,
// until the returned function puts it back. Not for parallel tests.
func SetOpenCyclesCounted(n int) (restore func()) {
	old := openCyclesCounted
	openCyclesCounted = n
	return func() { openCyclesCounted = old }
}

// SetRuleBatch makes rule changes and previews take n people per
// transaction, until the returned function puts it back. Not for parallel
// tests.
func SetRuleBatch(n int) (restore func()) {
	start, most := ruleBatchStart, ruleBatchMax
	ruleBatchStart, ruleBatchMax = n, n
	return func() { ruleBatchStart, ruleBatchMax = start, most }
}

// SetRuleShortcut says whether rule changes and previews leave out what
// cannot change (ruleShortcuts: the people who keep the course, and the
// evaluation as they stand of people with nothing due), until the returned
// function puts it back. Not for parallel tests.
func SetRuleShortcut(on bool) (restore func()) {
	old := ruleShortcuts
	ruleShortcuts = on
	return func() { ruleShortcuts = old }
}

// SetBeforeBatchTx calls fn with each advance batch's people after the
// batch was read ahead (or would have been) and before its transaction,
// until the returned function puts it back. Not for parallel tests.
func SetBeforeBatchTx(fn func(ids []string)) (restore func()) {
	old := beforeBatchTx
	beforeBatchTx = fn
	return func() { beforeBatchTx = old }
}

// SetAfterAdvanceRead calls fn in each advance batch's transaction with
// the people of its assignments (repeated, one per assignment), after their
// cycles were read and before anything is decided or written, until the
// returned function puts it back. Not for parallel tests.
func SetAfterAdvanceRead(fn func(people []string)) (restore func()) {
	old := afterAdvanceRead
	afterAdvanceRead = fn
	return func() { afterAdvanceRead = old }
}

// SetBeforeImportTx calls fn with each completions import batch's number
// between its plan ahead and its transaction, until the returned function
// puts it back. Not for parallel tests.
func SetBeforeImportTx(fn func(batch int)) (restore func()) {
	old := beforeImportTx
	beforeImportTx = fn
	return func() { beforeImportTx = old }
}

// AdvanceOnly is Advance without sending the escalations its batches
// record: they stay pending.
func (e *Engine) AdvanceOnly(ctx context.Context, now time.Time) (PassResult, error) {
	var res PassResult
	err := e.advanceAll(ctx, now, &res)
	return res, err
}

// SendEscalationsComposedOnce composes the pending escalations' digests
// once and writes them twice, in two transactions one after the other, as
// two overlapping sends would; it returns how many digests each raised.
func (e *Engine) SendEscalationsComposedOnce(ctx context.Context, now time.Time) (first, second int, err error) {
	q := e.DB.WithContext(ctx)
	pending, err := pendingEscalations(q, escalationManagers)
	if err != nil {
		return 0, 0, err
	}
	ds, err := composeDigests(q, pending)
	if err != nil {
		return 0, 0, err
	}
	counting := &countingNotifier{next: e.Notifier}
	sender := *e
	sender.Notifier = counting
	for i := range 2 {
		counting.digests = 0
		if err := e.DB.Tx(ctx, func(tx *gorm.DB) error { return sender.writeDigests(tx, now, ds, pending, false) }); err != nil {
			return 0, 0, err
		}
		if i == 0 {
			first = counting.digests
		} else {
			second = counting.digests
		}
	}
	return first, second, nil
}

// countingNotifier counts the escalation digests it passes on.
type countingNotifier struct {
	next    Notifier
	digests int
}

func (n *countingNotifier) Notify(tx *gorm.DB, ev Event, now time.Time) error {
	return n.NotifyAll(tx, []Event{ev}, now)
}

func (n *countingNotifier) NotifyAll(tx *gorm.DB, evs []Event, now time.Time) error {
	for _, ev := range evs {
		if ev.Kind == EventEscalation {
			n.digests++
		}
	}
	return notifyAll(n.next, tx, evs, now)
}

// PassCycleWriteColumns are the column sets with which a pass writes the
// cycles it changes (cycleWriteColumns, every mask).
func PassCycleWriteColumns() [][]string {
	var out [][]string
	for sig := range cycleWriteStatus | cycleWriteStage + 1 {
		cols, _ := cycleWriteColumns(sig)
		out = append(out, cols)
	}
	return out
}
