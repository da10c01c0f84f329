package compliance_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// batchNotifier records each NotifyAll call: one per write transaction.
type batchNotifier struct{ calls [][]string }

func (n *batchNotifier) Notify(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	return n.NotifyAll(tx, []compliance.Event{ev}, now)
}

func (n *batchNotifier) NotifyAll(_ *gorm.DB, evs []compliance.Event, _ time.Time) error {
	var call []string
	for _, ev := range evs {
		call = append(call, fmt.Sprintf("%s/%s/%s/due %s", ev.Kind, ev.Cycle.EmployeeID, ev.Cycle.CourseID, ev.Cycle.DueAt.Format(time.DateOnly)))
	}
	n.calls = append(n.calls, call)
	return nil
}

// history renders every cycle and imported record, without IDs, to compare
// two databases.
func (f *importFixture) history() string {
	f.t.Helper()
	var rows []struct {
		EmployeeID, CourseID, Path, Status, Derivation string
		Number                                         int
		WindowOpensAt, DueAt                           time.Time
		CompletedAt, ExpiresAt                         *time.Time
		SourceRow                                      *int
	}
	err := f.db.Raw(`SELECT e.employee_number AS employee_id, c.course_id, c.path, c.status, c.derivation, c.number,
		c.window_opens_at, c.due_at, c.completed_at, c.expires_at, i.source_row
		FROM cycles c JOIN employees e ON e.id = c.employee_id LEFT JOIN imported_completions i ON i.cycle_id = c.id
		ORDER BY e.employee_number, c.course_id, c.number`).Scan(&rows).Error
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		when := func(t *time.Time) string {
			if t == nil {
				return "-"
			}
			return t.UTC().Format(time.RFC3339)
		}
		row := "-"
		if r.SourceRow != nil {
			row = fmt.Sprint(*r.SourceRow)
		}
		fmt.Fprintf(&b, "%s %s #%d %s %s opens %s due %s done %s expires %s row %s: %s\n", r.EmployeeID, r.CourseID, r.Number,
			r.Path, r.Status, when(&r.WindowOpensAt), when(&r.DueAt), when(r.CompletedAt), when(r.ExpiresAt), row, r.Derivation)
	}
	return b.String()
}

// historyFile is n employees' yearly history: three completions of basic
// each, and one of fire-safety for every other employee.
func historyFile(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "E%d,basic,2023-%02d-10,,\nE%d,basic,2024-%02d-05,80,\nE%d,basic,2025-%02d-01,,cert %d\n", i, 1+i%12, i, 1+i%12, i, 1+i%12, i)
		if i%2 == 0 {
			fmt.Fprintf(&b, "E%d,fire-safety,2025-0%d-15,,\n", i, 1+i%9)
		}
	}
	return b.String()
}

func newHistoryFixture(t *testing.T, n int) *importFixture {
	f := newImportFixture(t)
	f.rule(compliance.CourseRuleID("basic"), "basic", 12, 60, compliance.BaseExpiry)
	f.rule(compliance.CourseRuleID("fire-safety"), "fire-safety", 24, 30, compliance.BaseCompletion)
	for i := range n {
		f.employee(fmt.Sprintf("E%d", i), "First", fmt.Sprintf("Last%d", i), people.StatusActive)
	}
	return f
}

// TestImportCompletionsWritesInBatches: the rows are recorded in batches of
// about BatchRows rows, never splitting an employee, each with its own
// transaction, one NotifyAll and one AfterBatch; the result is what one big
// batch records.
func TestImportCompletionsWritesInBatches(t *testing.T) {
	t.Parallel()
	const n = 7
	now := day("2025-12-01")
	one := newHistoryFixture(t, n)
	one.mustImport(historyFile(n), now)

	f := newHistoryFixture(t, n)
	notes := &batchNotifier{}
	var batches [][]string
	res, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, Engine: &compliance.Engine{DB: f.db, Notifier: notes}, BatchRows: 7,
		AfterBatch: func(tx *gorm.DB, _ time.Time, ids []string) error {
			var recorded int64
			if err := tx.Table("imported_completions").Where("employee_id IN ?", ids).Count(&recorded).Error; err != nil || recorded == 0 {
				t.Errorf("the batch's completions are not in its transaction (%d, %v)", recorded, err)
			}
			batches = append(batches, ids)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Employees have 3 or 4 rows: 4+3 | 4+3 | 4+3 | 4.
	if len(batches) != 4 || res.Batches != 4+2 {
		t.Errorf("%d batches (%v), %d transactions", len(batches), batches, res.Batches)
	}
	seen := map[string]bool{}
	for _, b := range batches {
		for _, id := range b {
			if seen[id] {
				t.Errorf("employee %s in two batches", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d employees in the batches, want %d", len(seen), n)
	}
	// Batches without a refresher to announce send nothing.
	if len(notes.calls) == 0 || len(notes.calls) > len(batches) {
		t.Errorf("NotifyAll called %d times for %d batches", len(notes.calls), len(batches))
	}
	opened := 0
	for _, call := range notes.calls {
		opened += len(call)
	}
	if opened == 0 || opened != res.Pass.WindowsOpened || opened != res.Plan.Refreshers {
		t.Errorf("%d refresher e-mails, %d opened, %d planned", opened, res.Pass.WindowsOpened, res.Plan.Refreshers)
	}
	if got, want := f.history(), one.history(); got != want {
		t.Errorf("batched import differs from one batch:\n%s\nwant:\n%s", got, want)
	}
}

// TestImportCompletionsBadLastRowWritesNothing: a problem on the last row,
// found only when the last employee's history is checked, still stops the
// import before its first batch is written.
func TestImportCompletionsBadLastRowWritesNothing(t *testing.T) {
	t.Parallel()
	const n = 40
	f := newHistoryFixture(t, n)
	// The last employee already has a completion newer than the file's.
	f.mustImport(header+fmt.Sprintf("E%d,basic,2025-11-20,,\n", n-1), day("2025-12-01"))
	before := f.snapshot()
	file := historyFile(n)
	_, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(file), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: day("2025-12-01"), Engine: f.eng, BatchRows: 10,
	})
	var ie *compliance.CompletionsImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
	lastRow := strings.Count(file, "\n")
	if len(ie.Problems) != 3 || ie.Problems[0].Column != compliance.CompletionColumnCompletedAt || ie.Problems[2].Row != lastRow {
		t.Errorf("problems %q (last row %d)", ie.Lines(), lastRow)
	}
	if f.snapshot() != before {
		t.Error("the refused import wrote something")
	}
}

// TestImportCompletionsResumesAfterInterruption: an import that stops after
// some batches (here the follow-up of the third fails; a crash is the same)
// is finished by running the same file again, which skips what was
// recorded; the end is what an uninterrupted import records. Once finished,
// the same file is refused as before.
func TestImportCompletionsResumesAfterInterruption(t *testing.T) {
	t.Parallel()
	const n = 9
	now := day("2025-12-01")
	clean := newHistoryFixture(t, n)
	clean.mustImport(historyFile(n), now)

	f := newHistoryFixture(t, n)
	fail := errors.New("the machine went down")
	calls := 0
	opts := compliance.CompletionsImportOptions{SourceFile: "history.csv", Now: now, Engine: f.eng, BatchRows: 5,
		AfterBatch: func(*gorm.DB, time.Time, []string) error {
			calls++
			if calls == 3 {
				return fail
			}
			return nil
		}}
	if _, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), opts); !errors.Is(err, fail) {
		t.Fatalf("first run: %v", err)
	}
	var partial int64
	f.db.Table("imported_completions").Count(&partial)
	if partial == 0 || partial >= int64(strings.Count(historyFile(n), "\n")-1) {
		t.Fatalf("%d completions recorded by the interrupted run", partial)
	}
	res, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !res.Resumed || res.Skipped != int(partial) {
		t.Errorf("resumed %v, skipped %d, want %d", res.Resumed, res.Skipped, partial)
	}
	if got, want := f.history(), clean.history(); got != want {
		t.Errorf("after resuming:\n%s\nwant:\n%s", got, want)
	}
	// One audit entry, written when the import finished.
	var summaries []string
	if err := f.db.Table("audit_log").Where("action = ?", "import").Pluck("summary", &summaries).Error; err != nil {
		t.Fatal(err)
	}
	if len(summaries) != 1 || !strings.HasPrefix(summaries[0], "Completions import of history.csv, finishing an interrupted run") {
		t.Errorf("audit entries %q", summaries)
	}
	// Finished: the same file again is refused, row by row.
	_, err = compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), opts)
	var ie *compliance.CompletionsImportError
	if !errors.As(err, &ie) || !strings.Contains(strings.Join(ie.Lines(), "\n"), "was this file imported before?") {
		t.Errorf("third run: %v", err)
	}
}

// TestImportCompletionsSpreadsRefreshers: everyone was assigned the course
// on the day Onramp started (cycle #1 due a month later); the history import
// completes those cycles with each person's own dates, so each refresher
// falls due a year after that person's completion, not on the import day,
// and only the refreshers whose window is open start now, with one
// e-mail batch.
func TestImportCompletionsSpreadsRefreshers(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule(compliance.CourseRuleID("basic"), "basic", 12, 60, compliance.BaseCompletion)
	notes := &batchNotifier{}
	f.eng.Notifier = notes
	var ids []string
	for i := range 4 {
		ids = append(ids, f.employee(fmt.Sprintf("E%d", i), "First", fmt.Sprintf("Last%d", i), people.StatusActive).ID)
	}
	start := day("2025-12-01")
	if _, err := f.eng.Evaluate(context.Background(), start, ids); err != nil {
		t.Fatal(err)
	}
	notes.calls = nil
	now := day("2025-12-02")
	csv := header + "E0,basic,2025-01-15,,\nE1,basic,2025-03-20,,\nE2,basic,2025-06-30,,\nE3,basic,2024-11-02,,\n"
	res, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(csv), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, Engine: f.eng,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.CompletesOpen != 4 {
		t.Errorf("summary %s", res.Plan.Summary())
	}
	want := map[string]struct{ expires, refresher string }{
		"E0": {"2026-01-15", "2026-01-15"}, // window opened 16 Nov 2025
		"E1": {"2026-03-20", ""},           // opens 19 Jan 2026
		"E2": {"2026-06-30", ""},
		"E3": {"2025-11-02", "2025-11-02"}, // expired already: overdue refresher
	}
	for i, id := range ids {
		number := fmt.Sprintf("E%d", i)
		cs := f.cycles(id, "basic")
		w := want[number]
		if len(cs) == 0 || cs[0].Status != compliance.StatusCompleted || !sameDay(cs[0].ExpiresAt, w.expires) {
			t.Errorf("%s: cycles %+v", number, cs)
			continue
		}
		switch {
		case w.refresher == "" && len(cs) != 1:
			t.Errorf("%s: a refresher started before its window: %+v", number, cs[1])
		case w.refresher != "" && (len(cs) != 2 || !sameDay(&cs[1].DueAt, w.refresher) || cs[1].Path != compliance.PathRefresher):
			t.Errorf("%s: refresher %+v, want due %s", number, cs[len(cs)-1], w.refresher)
		}
	}
	if len(notes.calls) != 1 || !slices.Equal(notes.calls[0], []string{
		"window_open/" + ids[0] + "/basic/due 2026-01-15", "window_open/" + ids[3] + "/basic/due 2025-11-02",
	}) {
		t.Errorf("e-mails: %q", notes.calls)
	}
}

// TestImportCompletionsPlanAheadMissesNoWrite: each batch is planned ahead
// of its transaction, outside the write lock. A completion recorded for a
// batch's employee between that plan and the transaction (here a newer one
// than the file's, by another import) must be seen: the batch plans again
// inside its transaction and the import stops with ErrImportConflict, as
// it did when every plan was made inside, instead of writing the file's
// older history over it. Batches nobody wrote beside use their plans.
func TestImportCompletionsPlanAheadMissesNoWrite(t *testing.T) {
	// Not parallel: SetBeforeImportTx is a package variable.
	const n = 5
	now := day("2025-12-01")
	f := newHistoryFixture(t, n)
	restore := compliance.SetBeforeImportTx(func(batch int) {
		if batch == 3 { // E3's batch: one employee per batch
			f.mustImport(header+"E3,basic,2025-11-20,,\n", now)
		}
	})
	defer restore()
	_, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, Engine: f.eng, BatchRows: 1,
	})
	if !errors.Is(err, compliance.ErrImportConflict) {
		t.Fatalf("err = %v, want ErrImportConflict", err)
	}
	var e3 string
	if err := f.db.Raw(`SELECT id FROM employees WHERE employee_number = 'E3'`).Scan(&e3).Error; err != nil {
		t.Fatal(err)
	}
	var done []time.Time
	for _, c := range f.cycles(e3, "basic") {
		if c.CompletedAt != nil {
			done = append(done, c.CompletedAt.UTC())
		}
	}
	if len(done) != 1 || !done[0].Equal(day("2025-11-20")) {
		t.Errorf("E3's completions of basic: %v, want only 2025-11-20 (the file's older ones written over it?)", done)
	}
	restore()

	// Without the write beside it, every batch but the first (planned in
	// its transaction, as nothing was planned before it) uses its plan on
	// SQLite, and the import records what one batch records.
	clean := newHistoryFixture(t, n)
	res, err := compliance.ImportCompletions(context.Background(), clean.db, strings.NewReader(historyFile(n)), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, Engine: clean.eng, BatchRows: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := n - 1
	if clean.db.Dialect != db.SQLite {
		want = 0
	}
	if res.Pass.ReadAhead != want {
		t.Errorf("%d batches used their plans made ahead, want %d", res.Pass.ReadAhead, want)
	}
	one := newHistoryFixture(t, n)
	one.mustImport(historyFile(n), now)
	if got, want := clean.history(), one.history(); got != want {
		t.Errorf("import planned ahead differs from one batch:\n%s\nwant:\n%s", got, want)
	}
}

// TestImportCompletionsNamesTheAssignmentsItWrote: with AfterAssignments,
// each batch names its people and the assignments whose cycles it wrote
// (those of the courses in the file), not the people's other assignments,
// whose report rows the history does not move; AfterBatch is not called.
func TestImportCompletionsNamesTheAssignmentsItWrote(t *testing.T) {
	t.Parallel()
	const n = 6
	now := day("2025-12-01")
	f := newHistoryFixture(t, n)
	// Everyone has both courses before the import; every other person's
	// history has no fire-safety row.
	var everyone []string
	if err := f.db.Model(&people.Employee{}).Order("id").Pluck("id", &everyone).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := f.eng.EvaluateTx(tx, day("2025-11-01"), everyone)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	var rows []struct{ ID, EmployeeID string }
	if err := f.db.Table("assignments").Select("id, employee_id").Scan(&rows).Error; err != nil || len(rows) != 2*n {
		t.Fatalf("%d assignments before the import (%v), want %d", len(rows), err, 2*n)
	}
	for _, r := range rows {
		owner[r.ID] = r.EmployeeID
	}
	named := map[string]bool{}
	batches := 0
	_, err := compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(historyFile(n)), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, Engine: f.eng, BatchRows: 7,
		AfterBatch: func(*gorm.DB, time.Time, []string) error {
			t.Error("AfterBatch called beside AfterAssignments")
			return nil
		},
		AfterAssignments: func(tx *gorm.DB, _ time.Time, ids, assignments []string) error {
			batches++
			for _, a := range assignments {
				if !slices.Contains(ids, owner[a]) {
					t.Errorf("assignment %s of %q named with people %v", a, owner[a], ids)
				}
				named[a] = true
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	if err := f.db.Raw(`SELECT DISTINCT c.assignment_id FROM imported_completions i JOIN cycles c ON c.id = i.cycle_id`).Scan(&written).Error; err != nil {
		t.Fatal(err)
	}
	// Three people have both courses in the file, three only basic.
	if len(written) != n+n/2 || len(named) != len(written) || batches < 2 {
		t.Errorf("%d assignments named over %d batches, the history is in %d; want %d", len(named), batches, len(written), n+n/2)
	}
	for _, a := range written {
		if !named[a] {
			t.Errorf("assignment %s has imported completions but was not named", a)
		}
	}
}
