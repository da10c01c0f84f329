package compliance_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// callCounter is a Notifier that counts the events of each NotifyAll call:
// a pass calls it once per transaction.
type callCounter struct {
	calls  []int
	digest []compliance.Event
}

func (c *callCounter) Notify(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	return c.NotifyAll(tx, []compliance.Event{ev}, now)
}

func (c *callCounter) NotifyAll(_ *gorm.DB, evs []compliance.Event, _ time.Time) error {
	n := 0
	for _, ev := range evs {
		if ev.Kind == compliance.EventEscalation {
			c.digest = append(c.digest, ev)
			n += len(ev.Cycles)
			continue
		}
		n++
	}
	c.calls = append(c.calls, n)
	return nil
}

// TestPassBatchesAreSizedByDueCycles: people with many due cycles each are
// split into batches of at most compliance.BatchWork cycles, however few
// people that is. Batches sized by people (50 to start with) put 40 people
// with 60 overdue courses each, 2,400 reminders, in one transaction: after
// a history import, people with twenty cycles due each made batches of
// seconds.
func TestPassBatchesAreSizedByDueCycles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const courses, people = 60, 40
	for i := range courses {
		id := fmt.Sprintf("k%02d", i)
		if err := f.db.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", id, id, time.Now(), time.Now()).Error; err != nil {
			t.Fatal(err)
		}
		r := &compliance.Rule{ID: "r-" + id, Name: id, CourseID: id, Everyone: true, DueDays: 30, Active: true, Source: "hr",
			DueFrom: compliance.DueFromHire, Base: compliance.BaseExpiry, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Create(r).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i := range people {
		f.employee(fmt.Sprintf("p%02d@x.test", i), "Nursing", date("2026-03-01"), nil)
	}
	count := &callCounter{}
	f.eng.Notifier = count
	if _, err := f.eng.Pass(ctx, date("2026-03-02"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	count.calls = nil
	// Due 31 March: every cycle is overdue, and each raises its reminder.
	res, err := f.eng.Pass(ctx, date("2026-04-02"), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reminders != courses*people {
		t.Fatalf("%d reminders, want %d", res.Reminders, courses*people)
	}
	total, largest := 0, 0
	for _, n := range count.calls {
		total += n
		largest = max(largest, n)
	}
	if total != courses*people {
		t.Fatalf("the notifier saw %d events, want %d", total, courses*people)
	}
	if largest > compliance.BatchWork {
		t.Errorf("one transaction raised %d events (%d transactions: %v), want at most %d", largest, len(count.calls), count.calls, compliance.BatchWork)
	}
}

// TestEscalationsOfOneManagerAreMarkedInBoundedTransactions: a manager with
// more pending escalations than compliance.EscalationMarked gets one digest,
// and no statement marks more than EscalationMarked of them sent (one
// manager's 8,670 were marked, listed and rendered in one transaction).
// Every one ends up marked, and the next pass sends nothing.
func TestEscalationsOfOneManagerAreMarkedInBoundedTransactions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	mgr := f.employee("mgr@x.test", "Nursing", date("2019-01-01"), nil)
	emp := f.employee("p@x.test", "Nursing", date("2026-03-01"), mgr)
	count := &callCounter{}
	f.eng.Notifier = count
	if _, err := f.eng.Pass(ctx, date("2026-03-02"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	// Many past cycles of the one assignment, each escalated and pending
	// (as a pass over thousands of overdue people leaves them).
	pending := compliance.EscalationMarked + compliance.EscalationListed + 1
	first := f.cycles(emp.ID)[0]
	var cols []string
	var rows []any
	flush := func() {
		t.Helper()
		if len(cols) == 0 {
			return
		}
		q := `INSERT INTO cycles (id, assignment_id, employee_id, course_id, number, path, status, window_opens_at,
			due_at, derivation, reminder_stage, created_at, updated_at) VALUES ` + strings.Join(cols, ", ")
		if err := f.db.Exec(q, rows...).Error; err != nil {
			t.Fatal(err)
		}
		q = `INSERT INTO escalations (cycle_id, manager_id, dedupe_key, created_at) VALUES ` +
			strings.Repeat("(?, ?, '', ?), ", len(cols)-1) + "(?, ?, '', ?)"
		var esc []any
		for i := 0; i < len(rows); i += 11 {
			esc = append(esc, rows[i], mgr.ID, first.CreatedAt)
		}
		if err := f.db.Exec(q, esc...).Error; err != nil {
			t.Fatal(err)
		}
		cols, rows = nil, nil
	}
	for i := range pending {
		due := first.DueAt.AddDate(0, 0, -i)
		cols = append(cols, "(?, ?, ?, ?, ?, ?, 'overdue', ?, ?, ?, 'overdue_1', ?, ?)")
		rows = append(rows, fmt.Sprintf("x-%05d", i), first.AssignmentID, emp.ID, first.CourseID, first.Number+1+i, first.Path,
			first.WindowOpensAt, due, first.Derivation, first.CreatedAt, first.UpdatedAt)
		if len(cols) == 150 {
			flush()
		}
	}
	flush()

	var mu sync.Mutex
	largest := int64(0)
	cb := f.db.Callback().Raw()
	if err := cb.After("gorm:raw").Register("test:escalation_marks", func(tx *gorm.DB) {
		if strings.HasPrefix(tx.Statement.SQL.String(), "UPDATE escalations") {
			mu.Lock()
			largest = max(largest, tx.Statement.RowsAffected)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	count.digest = nil
	res, err := f.eng.Pass(ctx, date("2026-04-20"), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if largest == 0 || largest > compliance.EscalationMarked {
		t.Errorf("one statement marked %d escalations sent, want 1 to %d", largest, compliance.EscalationMarked)
	}
	if len(count.digest) != 1 {
		t.Fatalf("%d digests, want 1", len(count.digest))
	}
	var all int64
	if err := f.db.Table("escalations").Where("manager_id = ?", mgr.ID).Count(&all).Error; err != nil {
		t.Fatal(err)
	}
	d := count.digest[0]
	if d.ManagerID != mgr.ID || len(d.Cycles) != compliance.EscalationListed || int64(d.More) != all-compliance.EscalationListed || all < int64(pending) {
		t.Errorf("digest to %s lists %d and counts %d more; want %s, %d and %d more",
			d.ManagerID, len(d.Cycles), d.More, mgr.ID, compliance.EscalationListed, all-compliance.EscalationListed)
	}
	var left int64
	if err := f.db.Table("escalations").Where("dedupe_key = ''").Count(&left).Error; err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d escalations left pending (pass: %d transactions)", left, res.Batches)
	}
	count.digest = nil
	if _, err := f.eng.Pass(ctx, date("2026-04-21"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(count.digest) != 0 {
		t.Errorf("escalated again the next day: %d digests", len(count.digest))
	}
}

// TestPassWritesEachChangedCycleOnce: a cycle that a pass makes overdue and
// reminds about is written by one UPDATE with its status, reminder stage
// and next event together. The pass used to write it three times (status,
// stage, next event), and SQLite rewrites the row and the index entries of
// every column set each time: a first pass at 100,000 people changes over a
// million cycles.
func TestPassWritesEachChangedCycleOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	emp := f.employee("p@x.test", "Nursing", date("2026-03-01"), nil)
	if _, err := f.eng.Pass(ctx, date("2026-03-02"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	cs := f.cycles(emp.ID)
	if len(cs) != 1 || cs[0].Status != compliance.StatusOpen {
		t.Fatalf("after the first pass: %d cycles (%+v), want one open", len(cs), cs)
	}
	// Count every row UPDATE of cycles from here on.
	stmts := []string{
		`CREATE TABLE cycle_writes (cycle_id TEXT NOT NULL)`,
		`CREATE TRIGGER count_cycle_writes AFTER UPDATE ON cycles BEGIN INSERT INTO cycle_writes VALUES (new.id); END`,
	}
	if f.db.Dialector.Name() == "postgres" {
		stmts[1] = `CREATE FUNCTION count_cycle_write() RETURNS trigger AS $$ BEGIN INSERT INTO cycle_writes VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql`
		stmts = append(stmts, `CREATE TRIGGER count_cycle_writes AFTER UPDATE ON cycles FOR EACH ROW EXECUTE FUNCTION count_cycle_write()`)
	}
	for _, s := range stmts {
		if err := f.db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// Due 31 March: on 2 April the cycle is overdue and gets its overdue
	// reminder.
	res, err := f.eng.Pass(ctx, date("2026-04-02"), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.MarkedOverdue != 1 || res.Reminders != 1 {
		t.Fatalf("pass marked %d overdue and sent %d reminders, want 1 and 1", res.MarkedOverdue, res.Reminders)
	}
	c := f.cycles(emp.ID)[0]
	if c.Status != compliance.StatusOverdue || c.ReminderStage == "" || !c.UpdatedAt.Equal(date("2026-04-02")) {
		t.Errorf("cycle after the pass: status %s, reminder stage %q, updated %v; want overdue, a stage, 2 April", c.Status, c.ReminderStage, c.UpdatedAt)
	}
	var next time.Time
	if err := f.db.Raw(`SELECT next_event_at FROM cycles WHERE id = ?`, c.ID).Row().Scan(&next); err != nil {
		t.Fatal(err)
	}
	if !next.After(date("2026-04-02")) {
		t.Errorf("next event %v, want after the pass", next)
	}
	var writes int64
	if err := f.db.Raw(`SELECT COUNT(*) FROM cycle_writes WHERE cycle_id = ?`, c.ID).Scan(&writes).Error; err != nil {
		t.Fatal(err)
	}
	if writes != 1 {
		t.Errorf("the pass wrote the cycle %d times, want once", writes)
	}
}

// TestRulesMadeBeforeAnyoneNeedNoFullEvaluation: the course rules created
// on a new database, before anyone is imported, count as evaluated for
// everyone. The people imported after are evaluated by the import itself,
// so the first pass evaluates nobody again (it used to evaluate everyone:
// 100,000 people's assignments and rule matches read for nothing). Rules
// that change while people exist still make the next pass evaluate
// everyone.
func TestRulesMadeBeforeAnyoneNeedNoFullEvaluation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := date("2026-03-02")
	course := func(id string) *catalog.Course {
		return &catalog.Course{ID: id, Title: id, DefaultRule: &catalog.RuleSpec{Name: id, Everyone: true, DueDays: 30, DueFrom: "hire"}}
	}
	if err := f.db.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c2', 'Course 2', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	sync := func(cs ...*catalog.Course) {
		t.Helper()
		if err := f.db.Transaction(func(tx *gorm.DB) error { return compliance.SyncCourseRules(tx, cs, now) }); err != nil {
			t.Fatal(err)
		}
	}
	// As the app starts on a new database: change tracking, the rules.
	if err := compliance.EnsureChangeTracking(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	sync(course("c1"))
	// An import: people written and their rules applied in one transaction.
	emp := f.employee("p@x.test", "Nursing", date("2026-03-01"), nil)
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := f.eng.EvaluateTx(tx, now, []string{emp.ID})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if cs := f.cycles(emp.ID); len(cs) != 1 {
		t.Fatalf("%d cycles after the import, want 1", len(cs))
	}
	res, err := f.eng.Pass(ctx, now, compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.FullEvaluation || res.Evaluated != 0 {
		t.Errorf("first pass: full evaluation %t, %d people evaluated; want neither", res.FullEvaluation, res.Evaluated)
	}
	// A course rule that arrives while someone is there: everyone again.
	sync(course("c2"))
	res, err = f.eng.Pass(ctx, now, compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.FullEvaluation || res.Evaluated != 1 {
		t.Errorf("pass after a new rule: full evaluation %t, %d people evaluated; want a full evaluation of 1", res.FullEvaluation, res.Evaluated)
	}
	if cs := f.cycles(emp.ID); len(cs) != 2 {
		t.Errorf("%d cycles after the new rule's pass, want 2", len(cs))
	}
}

// TestUpsertOfAQueuedPersonIsTracked: an upsert of employees (how every
// staff import writes) that changes someone already waiting in eval_queue
// succeeds and leaves them queued once. SQLite's first triggers queued with
// INSERT OR IGNORE, which the upsert overrode: the import failed with
// "UNIQUE constraint failed: eval_queue.employee_id". Triggers of that kind
// are replaced at start-up without queueing everyone again.
func TestUpsertOfAQueuedPersonIsTracked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := compliance.EnsureChangeTracking(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	emp := f.employee("p@x.test", "Nursing", date("2026-03-01"), nil)
	queued := func() int64 {
		t.Helper()
		var n int64
		if err := f.db.Raw(`SELECT COUNT(*) FROM eval_queue WHERE employee_id = ?`, emp.ID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if queued() != 1 {
		t.Fatal("a new person is not queued for evaluation")
	}
	upsert := func(dept string) error {
		return f.db.Exec(`INSERT INTO employees SELECT * FROM employees WHERE id = ? ON CONFLICT (id) DO UPDATE SET department = ?`, emp.ID, dept).Error
	}
	if err := upsert("Surgery"); err != nil {
		t.Fatalf("upsert of a queued person: %v", err)
	}
	if queued() != 1 {
		t.Errorf("queued %d times after the upsert, want once", queued())
	}
	if f.db.Dialect != db.SQLite {
		// PostgreSQL's triggers always queued with ON CONFLICT DO NOTHING.
		return
	}
	// A database with the first release's triggers.
	for _, q := range []string{
		`DROP TRIGGER onramp_eval_employee_insert`, `DROP TRIGGER onramp_eval_employee_update`,
		`CREATE TRIGGER onramp_eval_employee_insert AFTER INSERT ON employees BEGIN
  INSERT OR IGNORE INTO eval_queue (employee_id) VALUES (NEW.id);
END`,
		`CREATE TRIGGER onramp_eval_employee_update AFTER UPDATE OF department ON employees WHEN OLD.department IS NOT NEW.department BEGIN
  INSERT OR IGNORE INTO eval_queue (employee_id) VALUES (NEW.id);
END`,
	} {
		if err := f.db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := upsert("Theatres"); err == nil {
		t.Fatal("the old triggers let the upsert through: this test checks nothing")
	}
	if err := f.db.Exec(`DELETE FROM eval_queue`).Error; err != nil {
		t.Fatal(err)
	}
	if err := compliance.EnsureChangeTracking(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	if queued() != 0 {
		t.Error("replacing the old triggers queued everyone again")
	}
	if err := upsert("Theatres"); err != nil {
		t.Fatalf("upsert after the triggers were replaced: %v", err)
	}
	if err := upsert("Wards"); err != nil {
		t.Fatalf("second upsert of the queued person: %v", err)
	}
	if queued() != 1 {
		t.Errorf("queued %d times after the upserts, want once", queued())
	}
}

// TestPassReadAheadMissesNoWrite: a pass reads each batch ahead of its
// transaction, outside the write lock; a learner who completes a course
// between those reads and the transaction must not have the completion
// overwritten by what was read before it (marked overdue, reminded). The
// batch reads again inside its transaction when anything else wrote since
// the batch before; the batches nobody wrote beside use their reads.
func TestPassReadAheadMissesNoWrite(t *testing.T) {
	f, ids := fourAssignedInMarch(t)
	ctx := context.Background()
	// Due 31 March; on 2 April every cycle is overdue. One person per
	// batch: the learner completes the course of the second.
	learner := ids[1]
	completed := date("2026-04-01").Add(15 * time.Hour)
	batches := 0
	defer compliance.SetBeforeBatchTx(func(batch []string) {
		batches++
		if len(batch) != 1 || batch[0] != learner {
			return
		}
		if err := f.db.Exec(`UPDATE cycles SET status = ?, completed_at = ?, expires_at = ?, updated_at = ? WHERE employee_id = ?`,
			compliance.StatusCompleted, completed, completed.AddDate(1, 0, 0), completed, learner).Error; err != nil {
			t.Error(err)
		}
	})()
	res, err := f.eng.Pass(ctx, date("2026-04-02"), compliance.PassOptions{BatchPeople: 1})
	if err != nil {
		t.Fatal(err)
	}
	if batches != len(ids) {
		t.Fatalf("%d advance batches, want %d (one person each)", batches, len(ids))
	}
	for _, id := range ids {
		cs := f.cycles(id)
		if len(cs) != 1 {
			t.Fatalf("%s has %d cycles, want 1", id, len(cs))
		}
		want := compliance.StatusOverdue
		if id == learner {
			want = compliance.StatusCompleted
		}
		if cs[0].Status != want {
			t.Errorf("cycle of %s is %s, want %s", id, cs[0].Status, want)
		}
	}
	if res.MarkedOverdue != len(ids)-1 || res.Reminders != len(ids)-1 {
		t.Errorf("overdue %d, reminders %d; want %d each (not the learner who completed)", res.MarkedOverdue, res.Reminders, len(ids)-1)
	}
	for _, ev := range f.rec.take() {
		if strings.Contains(ev, learner) {
			t.Errorf("event for the learner who completed: %s", ev)
		}
	}
	// The first batch has no batch before it, and the learner's batch
	// follows another connection's write: both read inside their
	// transactions. So does the one after it (after a transaction that was
	// not quiet, the pass does not read ahead: others may be writing all
	// the time); the last uses its reads (on SQLite).
	want := 1
	if f.db.Dialect != db.SQLite {
		want = 0
	}
	if res.ReadAhead != want {
		t.Errorf("%d batches used their reads ahead, want %d", res.ReadAhead, want)
	}
}

// TestPassWritesOnlyWhatItRead: on PostgreSQL another transaction can
// commit between a batch's read of a cycle and its write (READ COMMITTED,
// no lock on the read). A learner who completes the course then must not
// find it marked overdue again by the pass, and an extension must keep the
// reminders of its new due date; the batch finds the row moved, rolls back
// and decides again on what it reads then. (On SQLite a batch holds the
// write lock from its read to its write, so nothing can come between.)
func TestPassWritesOnlyWhatItRead(t *testing.T) {
	f, ids := fourAssignedInMarch(t)
	if f.db.Dialect == db.SQLite {
		t.Skip("SQLite: a batch holds the write lock from its read to its write; nothing else can write in between")
	}
	ctx := context.Background()
	learner, extended := ids[1], ids[2]
	completed := date("2026-04-01").Add(15 * time.Hour)
	newDue := date("2026-04-20")
	var calls []string
	defer compliance.SetAfterAdvanceRead(func(people []string) {
		calls = append(calls, strings.Join(people, ","))
		if len(calls) != 1 {
			return
		}
		// The first batch read everyone's cycles; now, before it writes,
		// the learner completes and HR extends another's due date, each
		// committed on its own connection.
		if err := f.db.Exec(`UPDATE cycles SET status = ?, completed_at = ?, expires_at = ?, updated_at = ? WHERE employee_id = ?`,
			compliance.StatusCompleted, completed, completed.AddDate(1, 0, 0), completed, learner).Error; err != nil {
			t.Error(err)
		}
		if err := f.db.Exec(`UPDATE cycles SET due_at = ?, reminder_stage = '', updated_at = ? WHERE employee_id = ?`,
			newDue, completed, extended).Error; err != nil {
			t.Error(err)
		}
	})()
	res, err := f.eng.Pass(ctx, date("2026-04-02"), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0] != calls[1] || res.ReadAgain != 1 {
		t.Fatalf("batches read %q (%d read again), want the one batch read twice (its first write found the rows moved)", calls, res.ReadAgain)
	}
	for _, id := range ids {
		cs := f.cycles(id)
		want, stage := compliance.StatusOverdue, "overdue_1"
		switch id {
		case learner:
			want, stage = compliance.StatusCompleted, ""
		case extended:
			want, stage = compliance.StatusOpen, "" // due 20 April: 18 days away
		}
		if len(cs) != 1 || cs[0].Status != want || cs[0].ReminderStage != stage {
			t.Errorf("cycles of %s: %+v, want one, %s, stage %q", id, cs, want, stage)
		}
	}
	if res.MarkedOverdue != len(ids)-2 || res.Reminders != len(ids)-2 {
		t.Errorf("overdue %d, reminders %d; want %d each (the counts of the try that was kept)", res.MarkedOverdue, res.Reminders, len(ids)-2)
	}
	for _, ev := range f.rec.take() {
		if strings.Contains(ev, learner) || strings.Contains(ev, extended) {
			t.Errorf("event for a cycle changed during the pass: %s", ev)
		}
	}
	// The extension's reminders come on their days.
	res, err = f.eng.Pass(ctx, date("2026-04-06"), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if evs := f.rec.take(); !slices.Contains(evs, "reminder/due_14/"+extended) {
		t.Errorf("on 6 April (14 days before the new due date): events %q, want the 14-day reminder of %s", evs, extended)
	}
}

// TestPassReadsAheadWhileOthersWriteElsewhere: writes beside a pass to
// tables its batches do not read (here a course's title; in life the
// learners' progress, sessions, the outbox) leave its reads ahead good: on
// SQLite every batch but the first uses them, and the pass does what it
// does undisturbed.
func TestPassReadsAheadWhileOthersWriteElsewhere(t *testing.T) {
	f, ids := fourAssignedInMarch(t)
	ctx := context.Background()
	writes := 0
	defer compliance.SetBeforeBatchTx(func([]string) {
		writes++
		if err := f.db.Exec(`UPDATE courses SET title = ? WHERE id = (SELECT MIN(id) FROM courses)`, fmt.Sprintf("Title %d", writes)).Error; err != nil {
			t.Error(err)
		}
	})()
	res, err := f.eng.Pass(ctx, date("2026-04-02"), compliance.PassOptions{BatchPeople: 1})
	if err != nil {
		t.Fatal(err)
	}
	if writes != len(ids) {
		t.Fatalf("%d advance batches, want %d (one person each)", writes, len(ids))
	}
	if res.MarkedOverdue != len(ids) || res.Reminders != len(ids) {
		t.Errorf("overdue %d, reminders %d; want %d each", res.MarkedOverdue, res.Reminders, len(ids))
	}
	want := len(ids) - 1
	if f.db.Dialect != db.SQLite {
		want = 0
	}
	if res.ReadAhead != want {
		t.Errorf("%d batches used their reads ahead, want %d", res.ReadAhead, want)
	}
}

// fourAssignedInMarch is four people hired on 1 March with a rule for
// everyone due 30 days after hire, after the pass of 2 March assigned it
// (its events taken): on 2 April every cycle is overdue.
func fourAssignedInMarch(t *testing.T) (*fixture, []string) {
	t.Helper()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	var ids []string
	for i := range 4 {
		ids = append(ids, f.employee(fmt.Sprintf("r%d@x.test", i), "Nursing", date("2026-03-01"), nil).ID)
	}
	if _, err := f.eng.Pass(context.Background(), date("2026-03-02"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	return f, ids
}

// TestPassNamesTheAssignmentsWhoseCyclesChanged: a batch hands the report
// the people whose assignments it changed (AfterBatch) and, apart, the
// assignments whose cycles it changed with their people (AfterCycles), so
// that a cycle gone overdue refreshes its own report row and not all of its
// person's. Without AfterCycles, those people go to AfterBatch.
func TestPassNamesTheAssignmentsWhoseCyclesChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hired := date("2026-03-01")
	if err := f.db.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c2', 'Course 2', ?, ?)", hired, hired).Error; err != nil {
		t.Fatal(err)
	}
	if err := compliance.EnsureChangeTracking(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	var cs []*catalog.Course
	for id, days := range map[string]int{"c1": 30, "c2": 90} {
		cs = append(cs, &catalog.Course{ID: id, Title: id, DefaultRule: &catalog.RuleSpec{Name: id, Everyone: true, DueDays: days, DueFrom: "hire"}})
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return compliance.SyncCourseRules(tx, cs, hired) }); err != nil {
		t.Fatal(err)
	}
	emp := f.employee("p@x.test", "Nursing", hired, nil)
	var people, cyclePeople, assignments [][]string
	opts := compliance.PassOptions{
		AfterBatch: func(_ *gorm.DB, _ time.Time, ids []string) error {
			people = append(people, ids)
			return nil
		},
		AfterCycles: func(_ *gorm.DB, _ time.Time, ps, as []string) error {
			cyclePeople, assignments = append(cyclePeople, ps), append(assignments, as)
			return nil
		},
	}
	if _, err := f.eng.Pass(ctx, date("2026-03-02"), opts); err != nil {
		t.Fatal(err)
	}
	if len(people) != 1 || !slices.Equal(people[0], []string{emp.ID}) || len(assignments) != 0 {
		t.Fatalf("the pass that assigned both courses: people %v, assignments %v; want the person once, no assignments", people, assignments)
	}
	var overdue string
	for _, c := range f.cycles(emp.ID) {
		if c.CourseID == "c1" {
			overdue = c.AssignmentID
		}
	}
	// On 2 April the first course (due 31 March) is overdue, the second
	// (due 30 May) is not.
	people, cyclePeople, assignments = nil, nil, nil
	res, err := f.eng.Pass(ctx, date("2026-04-02"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.MarkedOverdue != 1 {
		t.Fatalf("marked %d overdue, want 1", res.MarkedOverdue)
	}
	if len(people) != 0 || len(assignments) != 1 || !slices.Equal(assignments[0], []string{overdue}) || !slices.Equal(cyclePeople[0], []string{emp.ID}) {
		t.Errorf("the pass that marked one cycle overdue: people %v, assignments %v of %v; want no people, the assignment %s of %s",
			people, assignments, cyclePeople, overdue, emp.ID)
	}

	// Without AfterCycles the person goes to AfterBatch.
	people = nil
	opts.AfterCycles = nil
	if _, err := f.eng.Pass(ctx, date("2026-06-02"), opts); err != nil {
		t.Fatal(err)
	}
	if len(people) != 1 || !slices.Equal(people[0], []string{emp.ID}) {
		t.Errorf("a pass marking the second course overdue without AfterCycles: people %v, want the person", people)
	}
}
