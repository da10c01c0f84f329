package compliance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// DefaultBatchPeople is the most people one batch of a pass handles, each
// batch in its own short transaction (and fewer: see BatchWork).
const DefaultBatchPeople = 200

// BatchWork is the most work one batch of a pass does in its transaction,
// counted in cycles: every due cycle of its people, and when the batch
// evaluates rules, one possible assignment per person and active rule.
// Batches are sized by this work, not by people: after a history import a
// person can have twenty cycles with an event where the person before had
// one, and a batch sized by the people before it held SQLite's write lock
// for seconds. (One person's due cycles are never split: a batch holds at
// least one person, however much work that person has.)
const BatchWork = 2000

// beforeBatchTx, when set (tests), is called with each advance batch's
// people between its reads ahead and its transaction.
var beforeBatchTx func(ids []string)

// afterAdvanceRead, when set (tests), is called in each advance batch's
// transaction with the people of its assignments, after their cycles were
// read and before anything is decided or written.
var afterAdvanceRead func(people []string)

// dueScan is how many due cycles one look at cycles_next_event_idx reads.
const dueScan = 2000

// PassOptions say how Pass runs.
type PassOptions struct {
	// Full evaluates everyone's rules, not only the people who changed.
	Full bool
	// BatchPeople is the number of people per batch (DefaultBatchPeople
	// when 0).
	BatchPeople int
	// AfterBatch runs at the end of each batch's transaction with the people
	// whose assignments the batch changed (the scheduler refreshes the
	// report tables there), and, when AfterCycles is nil, the people whose
	// cycles it changed.
	AfterBatch func(tx *gorm.DB, now time.Time, ids []string) error
	// AfterCycles, when set, runs after AfterBatch in the same transaction
	// with the assignments whose cycles the batch changed (a refresher
	// window opened, a cycle gone overdue or expired, an exemption ended)
	// and their people, leaving out the people AfterBatch had: the
	// scheduler refreshes only those assignments' report rows
	// (report.RefreshAssignments), not all of their people's.
	AfterCycles func(tx *gorm.DB, now time.Time, people, assignments []string) error
}

// touchedSet is what a batch changed, for the report rows that follow it:
// the people whose assignments changed (all of their rows follow) and the
// assignments whose cycles changed (their own rows follow).
type touchedSet struct {
	people      map[string]bool
	assignments map[string]string // assignment ID → its person
}

func newTouched() *touchedSet {
	return &touchedSet{people: map[string]bool{}, assignments: map[string]string{}}
}

// person records a change to a person's assignments.
func (t *touchedSet) person(id string) { t.people[id] = true }

// cycle records a change to c (its status) or a new cycle c.
func (t *touchedSet) cycle(c *Cycle) { t.assignments[c.AssignmentID] = c.EmployeeID }

// follow runs opts' AfterBatch and AfterCycles for what t holds.
func (t *touchedSet) follow(tx *gorm.DB, now time.Time, opts PassOptions) error {
	people := maps.Clone(t.people)
	var assignments []string
	cyclePeople := map[string]bool{}
	for a, p := range t.assignments {
		switch {
		case people[p]:
		case opts.AfterCycles == nil:
			people[p] = true
		default:
			assignments = append(assignments, a)
			cyclePeople[p] = true
		}
	}
	if opts.AfterBatch != nil && len(people) > 0 {
		if err := opts.AfterBatch(tx, now, slices.Sorted(maps.Keys(people))); err != nil {
			return err
		}
	}
	if opts.AfterCycles != nil && len(assignments) > 0 {
		slices.Sort(assignments)
		return opts.AfterCycles(tx, now, slices.Sorted(maps.Keys(cyclePeople)), assignments)
	}
	return nil
}

// Pass plans as of now: it evaluates the rules for the people who changed
// since the last evaluation (everyone when opts.Full or when the rules
// changed), then moves along every cycle whose next event has come. Work
// goes in batches of people, each in its own transaction that writes the
// changes, the next events and the messages together, so no transaction
// holds the database for long and a person's events of one batch reach the
// notifier in one NotifyAll call.
func (e *Engine) Pass(ctx context.Context, now time.Time, opts PassOptions) (PassResult, error) {
	var res PassResult
	if err := EnsureChangeTracking(ctx, e.DB); err != nil {
		return res, err
	}
	batch := opts.BatchPeople
	if batch <= 0 {
		batch = DefaultBatchPeople
	}
	if err := e.checkPolicy(ctx); err != nil {
		return res, err
	}
	rulesFP, activeRules, err := rulesFingerprint(e.DB.WithContext(ctx))
	if err != nil {
		return res, err
	}
	// Batches are sized by their work (BatchWork) and that work by time
	// (db.Pacer): it grows or shrinks so each transaction holds the
	// database about db.TxTarget, and never goes above BatchWork (nor the
	// people above batch: a fixed cap keeps the statements' parameter
	// lists bounded).
	perPerson := max(1, activeRules)
	evalPace := e.DB.NewPacer(BatchWork/4, 1, BatchWork)
	stats := e.DB.NewAnalyzer(db.WriteTables...)
	stored, err := state(e.DB.WithContext(ctx), "rules")
	if err != nil {
		return res, err
	}
	full := opts.Full || stored != rulesFP
	budget := e.nudgeBatch()
	// Every batch on one connection, which tells whether anything else
	// wrote since the batch before (db.Bulk): the advance batches read
	// ahead of their transactions.
	bulk, err := e.DB.NewBulk(ctx)
	if err != nil {
		return res, err
	}
	defer bulk.Close()
	// Evaluation: the queue, or everyone, in order of ID; each batch
	// chosen during the pause after the one before (db.Pacer.Record).
	after := ""
	pause := func(context.Context) {}
	for {
		var ids []string
		q := `SELECT employee_id FROM eval_queue WHERE employee_id > ? ORDER BY employee_id LIMIT ?`
		if full {
			q = `SELECT id FROM employees WHERE id > ? ORDER BY id LIMIT ?`
		}
		if err := e.DB.WithContext(ctx).Raw(q, after, min(batch, max(1, evalPace.Size()/perPerson))).Scan(&ids).Error; err != nil {
			return res, fmt.Errorf("find people to evaluate: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		ids, work, err := fitWork(e.DB.WithContext(ctx), now, ids, perPerson, evalPace.Size())
		if err != nil {
			return res, err
		}
		after = ids[len(ids)-1]
		pause(ctx)
		if err := stats.Check(ctx); err != nil {
			return res, err
		}
		took, err := e.batch(ctx, bulk, now, ids, true, nil, &res, &budget, opts)
		if err != nil {
			return res, err
		}
		pause = evalPace.Record(work, took)
	}
	pause(ctx)
	res.FullEvaluation = full
	if stored != rulesFP {
		if err := setState(e.DB.WithContext(ctx), "rules", rulesFP); err != nil {
			return res, err
		}
	}
	if err := e.advanceBatches(ctx, bulk, now, batch, &res, &budget, opts); err != nil {
		return res, err
	}
	if err := e.sendEscalations(ctx, now, &res); err != nil {
		return res, err
	}
	return res, nil
}

// escalationManagers is the most managers' digests one transaction writes.
const escalationManagers = 50

// EscalationListed is how many overdue cycles one manager's escalation
// digest lists; it counts the others and links to the team page. Every
// pending escalation of the manager is marked sent by the digest either way.
const EscalationListed = 100

// EscalationWork is the most work of one transaction of escalation digests:
// each cycle a digest lists counts one (the notifier loads, renders and
// keys it: about 35 µs at 10,000 people), and every escalationMarksPerWork
// escalations marked sent count one more.
const EscalationWork = 1000

// EscalationMarked is the most escalations one transaction marks sent. A
// manager with more pending gets the digest in a transaction that marks
// the cycles it lists, and the others are marked in transactions of
// EscalationMarked after it (one manager had 8,670).
const EscalationMarked = 2000

const escalationMarksPerWork = 10

// pendingManager is a manager with pending escalations, and how many.
type pendingManager struct {
	ManagerID string
	Pending   int
}

// digest is one manager's escalation digest, composed before the
// transaction that writes it: the first EscalationListed pending cycles (by
// due date) and how many others are pending.
type digest struct {
	manager string
	listed  []string
	more    int
}

func (d digest) key() string {
	if len(d.listed) == 0 {
		return "escalation:" + d.manager
	}
	return "escalation:" + d.manager + ":" + d.listed[0]
}

// escalationWork is the work of writing a manager's digest (EscalationWork).
func escalationWork(pending int) int {
	return min(pending, EscalationListed) + min(pending, EscalationMarked)/escalationMarksPerWork
}

// sendEscalations writes one escalation digest per manager for every
// escalation the batches recorded as pending (an empty dedupe key), a few
// managers per short transaction (sized by EscalationWork); the key is set
// in the transaction that writes the digest, so a pass that stops half-way
// leaves the rest pending for the next one and nothing is sent twice. The
// digests are composed (which cycles, how many more) with reads before the
// transaction, during the pause after the one before. A manager with more
// than EscalationMarked pending has the others marked after the digest,
// EscalationMarked per transaction; a pass that stops between the two
// leaves them pending, and the next pass sends a digest listing those (the
// first one only counted them). The pending rows are found through
// escalations_pending_idx.
func (e *Engine) sendEscalations(ctx context.Context, now time.Time, res *PassResult) error {
	pace := e.DB.NewPacer(EscalationWork/4, 1, EscalationWork)
	marks := e.DB.NewPacer(EscalationMarked/4, 1, EscalationMarked)
	read := e.DB.WithContext(ctx)
	// next reads the next transaction's digests: the managers next in turn,
	// as many as fit, and what each digest lists.
	var pending []pendingManager
	var ds []digest
	var work int
	next := func() (err error) {
		if pending, err = pendingEscalations(read, escalationManagers); err != nil || len(pending) == 0 {
			return err
		}
		work = 0
		for i, p := range pending {
			w := escalationWork(p.Pending)
			if i > 0 && work+w > pace.Size() {
				pending = pending[:i]
				break
			}
			work += w
		}
		ds, err = composeDigests(read, pending)
		return err
	}
	if err := next(); err != nil {
		return err
	}
	for len(pending) > 0 {
		took, err := e.DB.BulkTxHeld(ctx, func(tx *gorm.DB) error { return e.writeDigests(tx, now, ds, pending, false) })
		if err != nil {
			return err
		}
		res.Batches++
		res.MaxTx = max(res.MaxTx, took)
		pause := pace.Record(work, took)
		for i, d := range ds {
			if pending[i].Pending <= EscalationMarked {
				continue
			}
			for {
				var n int64
				size := marks.Size()
				took, err := e.DB.BulkTxHeld(ctx, func(tx *gorm.DB) error {
					r := tx.Exec(`UPDATE escalations SET dedupe_key = ? WHERE cycle_id IN
						(SELECT cycle_id FROM escalations WHERE manager_id = ? AND dedupe_key = '' LIMIT ?)`, d.key(), d.manager, size)
					n = r.RowsAffected
					return r.Error
				})
				if err != nil {
					return fmt.Errorf("record escalation digest: %w", err)
				}
				res.Batches++
				res.MaxTx = max(res.MaxTx, took)
				marks.Done(ctx, int(n), took)
				if n < int64(size) {
					break
				}
			}
		}
		// The next digests are read during the pause after this
		// transaction (reads take no lock, and the other core is free),
		// after the marks above, which they must see.
		readDone := make(chan error, 1)
		go func() { readDone <- next() }()
		pause(ctx)
		if err := <-readDone; err != nil {
			return err
		}
	}
	return nil
}

// pendingEscalations is the next few managers with pending escalations.
func pendingEscalations(tx *gorm.DB, limit int) ([]pendingManager, error) {
	var managers []pendingManager
	if err := tx.Raw(`SELECT manager_id, COUNT(*) AS pending FROM escalations WHERE dedupe_key = ''
		GROUP BY manager_id ORDER BY manager_id LIMIT ?`, limit).Scan(&managers).Error; err != nil {
		return nil, fmt.Errorf("find pending escalations: %w", err)
	}
	return managers, nil
}

// composeDigests reads which of each manager's pending escalations the
// digest lists: the first EscalationListed by due date. (A manager of 1,500
// people had 8,670 lines in one e-mail, and its transaction held the
// database for seconds.)
func composeDigests(tx *gorm.DB, managers []pendingManager) ([]digest, error) {
	ds := make([]digest, 0, len(managers))
	for _, m := range managers {
		var ids []string
		if err := tx.Raw(`SELECT x.cycle_id FROM escalations x JOIN cycles c ON c.id = x.cycle_id
			WHERE x.dedupe_key = '' AND x.manager_id = ? ORDER BY c.due_at, c.id LIMIT ?`, m.ManagerID, EscalationListed).
			Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("load pending escalations: %w", err)
		}
		ds = append(ds, digest{manager: m.ManagerID, listed: ids, more: max(0, m.Pending-len(ids))})
	}
	return ds, nil
}

// writeDigests marks the digests' escalations sent and hands the digests to
// the notifier, in tx. A manager's pending escalations are all marked when
// all is set or they are at most EscalationMarked (pending says how many);
// otherwise only the listed ones, and the caller marks the rest.
func (e *Engine) writeDigests(tx *gorm.DB, now time.Time, ds []digest, pending []pendingManager, all bool) error {
	count := map[string]int{}
	for _, p := range pending {
		count[p.ManagerID] = p.Pending
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.listed...)
	}
	cycles := map[string]*Cycle{}
	for start := 0; start < len(ids); start += chunk {
		part, err := loadAdvanceCycles(tx, "id IN ?", ids[start:min(start+chunk, len(ids))])
		if err != nil {
			return fmt.Errorf("load escalated cycles: %w", err)
		}
		for _, c := range part {
			cycles[c.ID] = c
		}
	}
	var evs []Event
	for _, d := range ds {
		// The listed escalations are taken first, and the digest lists
		// only those this transaction took: a send that overlapped this
		// one (on PostgreSQL, a pass whose planning lock was lost) took
		// the others and lists them. So the escalations rows are the
		// digest's claim (Event.Claimed), not outbox_keys.
		var taken []string
		if len(d.listed) > 0 {
			if err := tx.Raw(`UPDATE escalations SET dedupe_key = ? WHERE cycle_id IN ? AND dedupe_key = '' RETURNING cycle_id`,
				d.key(), d.listed).Scan(&taken).Error; err != nil {
				return fmt.Errorf("record escalation digest: %w", err)
			}
		}
		if all || count[d.manager] <= EscalationMarked {
			if err := tx.Exec(`UPDATE escalations SET dedupe_key = ? WHERE manager_id = ? AND dedupe_key = ''`, d.key(), d.manager).Error; err != nil {
				return fmt.Errorf("record escalation digest: %w", err)
			}
		}
		took := make(map[string]bool, len(taken))
		for _, id := range taken {
			took[id] = true
		}
		var cs []*Cycle
		for _, id := range d.listed {
			if c := cycles[id]; c != nil && took[id] {
				cs = append(cs, c)
			}
		}
		if len(cs) > 0 {
			evs = append(evs, Event{Kind: EventEscalation, ManagerID: d.manager, Cycles: cs, More: d.more, Claimed: true})
		}
	}
	return notifyAll(e.Notifier, tx, evs, now)
}

// advanceBatches moves along every cycle whose next event has come, a batch
// of people at a time, on bulk's connection.
//
// Each batch is chosen and read during the pause after the batch before
// (db.Pacer.Record): the people with a due cycle (duePeople), their due
// cycles (loadDue), as many people as fit the batch's work (fitDue), then
// what their steps depend on (loadAdvanceDue), on another goroutine while
// the pause checkpoints the log, so on the other core. When the batch's
// transaction is quiet (nothing but this pass wrote since the batch before
// committed, which is before these reads began), what was read is what
// the transaction would read, and it only decides and writes; otherwise
// (a learner's progress, HR's change: the reads may be out of date) it
// reads again inside the transaction. PassResult.ReadAhead counts the
// batches that used their reads.
func (e *Engine) advanceBatches(ctx context.Context, bulk *db.Bulk, now time.Time, batch int, res *PassResult, budget *int, opts PassOptions) error {
	seen := map[string]bool{}
	pace := e.DB.NewPacer(BatchWork/4, 1, BatchWork)
	stats := e.DB.NewAnalyzer(db.WriteTables...)
	pause := func(context.Context) {}
	for {
		// Who comes next (duePeople, loadDue, fitDue) and what they need
		// (loadAdvance) are read during the pause after the last batch,
		// beside its checkpoint, when the job may read ahead: they take no
		// lock, and the other core is free. At 10,000 people choosing and
		// counting alone were 12% of the pass's time in SQLite.
		var ids []string
		var due []dueCycle
		var work int
		choose := func(q *gorm.DB) (err error) {
			if ids, err = duePeople(q, now, min(batch, pace.Size()), seen); err != nil || len(ids) == 0 {
				return err
			}
			if due, err = loadDue(q, now, ids); err != nil {
				return err
			}
			ids, due, work = fitDue(ids, due, 1, pace.Size())
			return nil
		}
		var ahead *advanceInput
		chosen := false
		if !bulk.ReadDuring(ctx, pause, func(q *gorm.DB) (err error) {
			if err := choose(q); err != nil {
				return err
			}
			chosen = true
			if len(ids) > 0 {
				ahead, err = e.loadAdvanceDue(q, now, due)
			}
			return err
		}) {
			// Not read, or the read failed: choose now if that failed too,
			// and read inside the transaction (and fail there if it is more
			// than a passing problem).
			ahead = nil
			if !chosen {
				if err := choose(e.DB.WithContext(ctx)); err != nil {
					return err
				}
			}
		}
		// Everyone due was handled in this pass already (and was made due
		// again by a write since): the next pass takes them.
		if len(ids) == 0 {
			return nil
		}
		// Only a batch that has work looks at the statistics: a pass with
		// nothing due must not pay for the ANALYZE of what the pass
		// before it wrote (1.9 s at 10,000 people on PostgreSQL).
		if err := stats.Check(ctx); err != nil {
			return err
		}
		for _, id := range ids {
			seen[id] = true
		}
		if beforeBatchTx != nil {
			beforeBatchTx(ids)
		}
		took, err := e.batch(ctx, bulk, now, ids, false, ahead, res, budget, opts)
		if err != nil {
			return err
		}
		pause = pace.Record(work, took)
	}
}

// duePeople returns up to batch people who have a cycle whose next event has
// come, sorted by ID, leaving out the people in skip (handled earlier in the
// pass: a learner's write since makes their cycle due again, and with small
// batches such people could fill a whole batch and end the pass early). The
// cycles are read in next_event_at order from cycles_next_event_idx, dueScan
// at a time.
func duePeople(tx *gorm.DB, now time.Time, batch int, skip map[string]bool) ([]string, error) {
	set := map[string]bool{}
	var ids []string
	for offset := 0; len(ids) < batch; offset += dueScan {
		var rows []string
		if err := tx.Raw(`SELECT employee_id FROM cycles WHERE next_event_at <= ? ORDER BY next_event_at, id LIMIT ? OFFSET ?`,
			now.UTC(), dueScan, offset).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("find due cycles: %w", err)
		}
		for _, id := range rows {
			if !set[id] && !skip[id] {
				if len(ids) == batch {
					break
				}
				set[id] = true
				ids = append(ids, id)
			}
		}
		if len(rows) < dueScan {
			break
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// fitWork returns the longest start of ids whose work fits in budget, and
// that work: each person's due cycles plus perPerson (at least one person,
// whatever their work). The due cycles are counted with a read before the
// batch's transaction (through cycles_employee_idx).
func fitWork(tx *gorm.DB, now time.Time, ids []string, perPerson, budget int) ([]string, int, error) {
	due := make(map[string]int, len(ids))
	for start := 0; start < len(ids); start += chunk {
		var rows []struct {
			EmployeeID string
			N          int
		}
		if err := tx.Raw(`SELECT employee_id, COUNT(*) AS n FROM cycles WHERE employee_id IN ? AND next_event_at <= ? GROUP BY employee_id`,
			ids[start:min(start+chunk, len(ids))], now.UTC()).Scan(&rows).Error; err != nil {
			return nil, 0, fmt.Errorf("count due cycles: %w", err)
		}
		for _, r := range rows {
			due[r.EmployeeID] = r.N
		}
	}
	work := 0
	for i, id := range ids {
		w := perPerson + due[id]
		if i > 0 && work+w > budget {
			return ids[:i], work, nil
		}
		work += w
	}
	return ids, work, nil
}

// fitDue is fitWork for people whose due cycles were read (loadDue, in
// any order): the longest start of ids whose work fits in budget, their
// due cycles and that work.
func fitDue(ids []string, due []dueCycle, perPerson, budget int) ([]string, []dueCycle, int) {
	n := make(map[string]int, len(ids))
	for _, c := range due {
		n[c.EmployeeID]++
	}
	work := 0
	trimmed := false
	for i, id := range ids {
		w := perPerson + n[id]
		if i > 0 && work+w > budget {
			ids, trimmed = ids[:i], true
			break
		}
		work += w
	}
	if trimmed {
		kept := make(map[string]bool, len(ids))
		for _, id := range ids {
			kept[id] = true
		}
		due = slices.DeleteFunc(due, func(c dueCycle) bool { return !kept[c.EmployeeID] })
	}
	return ids, due, work
}

// batch handles some people in one transaction on bulk's connection: their
// evaluation (when evaluate), their due cycles, the report rows
// (opts.AfterBatch) and one NotifyAll with every event raised. ahead is
// what loadAdvance read for them before the transaction (nil: nothing
// read, or nobody due); it is used only when the transaction is quiet.
// It returns how long the transaction took.
func (e *Engine) batch(ctx context.Context, bulk *db.Bulk, now time.Time, ids []string, evaluate bool, ahead *advanceInput, res *PassResult, budget *int, opts PassOptions) (time.Duration, error) {
	before, budgetBefore := *res, *budget
	took, err := e.batchOnce(ctx, bulk, now, ids, evaluate, ahead, res, budget, opts)
	for try := 1; errors.Is(err, errRowsMoved) && try < batchTries; try++ {
		// Someone changed one of the batch's cycles between its read and
		// its write (PostgreSQL; cycleState): it was rolled back, and is
		// read again and decided anew in a new transaction. What the
		// failed try counted is not kept, only its time.
		batches, maxTx, again := res.Batches, res.MaxTx, res.ReadAgain
		*res, *budget = before, budgetBefore
		res.Batches, res.MaxTx, res.ReadAgain = batches, maxTx, again+1
		took, err = e.batchOnce(ctx, bulk, now, ids, evaluate, nil, res, budget, opts)
	}
	return took, err
}

// batchTries is how many times a batch is tried when its cycles keep
// changing under it (Engine.batch).
const batchTries = 5

func (e *Engine) batchOnce(ctx context.Context, bulk *db.Bulk, now time.Time, ids []string, evaluate bool, ahead *advanceInput, res *PassResult, budget *int, opts PassOptions) (time.Duration, error) {
	// The time counted is the time the locks are held (Bulk.TxHeld):
	// waiting for the lock is not holding it (counting the wait would
	// shrink the batches of a pass that waits behind learners, and so make
	// it wait more often), nor is the checkpoint after the commit.
	read := ahead != nil
	d, err := bulk.TxHeld(ctx, func(tx *gorm.DB, quiet bool) error {
		touched := newTouched()
		var evs []Event
		var err error
		if read && quiet && !evaluate {
			res.ReadAhead++
			evs, err = e.advanceLoaded(tx, now, ahead, res, budget, touched)
			if err != nil {
				err = fmt.Errorf("advance cycles: %w", err)
			}
		} else {
			evs, err = e.processPeople(tx, now, ids, evaluate, res, budget, touched)
		}
		if err != nil {
			return err
		}
		if err := touched.follow(tx, now, opts); err != nil {
			return err
		}
		return notifyAll(e.Notifier, tx, evs, now)
	})
	res.Batches++
	res.MaxTx = max(res.MaxTx, d)
	return d, err
}

func (e *Engine) processPeople(tx *gorm.DB, now time.Time, ids []string, evaluate bool, res *PassResult, budget *int, touched *touchedSet) ([]Event, error) {
	var evs []Event
	if evaluate {
		ev, evalEvents, err := e.evaluate(tx, now, ids, touched)
		if err != nil {
			return nil, fmt.Errorf("evaluate rules: %w", err)
		}
		res.Assigned += ev.Assigned
		res.Closed += ev.Closed
		res.NewMatches += ev.NewMatches
		res.Evaluated += len(ids)
		evs = append(evs, evalEvents...)
	}
	adv, err := e.advancePeople(tx, now, ids, res, budget, touched)
	if err != nil {
		return nil, fmt.Errorf("advance cycles: %w", err)
	}
	return append(evs, adv...), nil
}

// nudgeBatch is the most nudges one pass writes.
func (e *Engine) nudgeBatch() int {
	if e.NudgeBatch > 0 {
		return e.NudgeBatch
	}
	return DefaultNudgeBatch
}

// checkPolicy recomputes every next_event_at (in batches) when the reminder
// policy or the nudge setting changed since they were computed.
func (e *Engine) checkPolicy(ctx context.Context) error {
	fp := e.policyFingerprint()
	stored, err := state(e.DB.WithContext(ctx), "policy")
	if err != nil {
		return err
	}
	if stored == fp {
		return nil
	}
	// With nothing stored, every cycle still has the migration's epoch.
	if stored != "" {
		if err := resetNextEvents(ctx, e.DB, dueScan); err != nil {
			return err
		}
	}
	return setState(e.DB.WithContext(ctx), "policy", fp)
}

// eventCtx is what a cycle's next event depends on besides the cycle.
type eventCtx struct {
	latest     bool // the assignment's latest cycle
	active     bool // the assignment is active
	laterDone  bool // a later cycle is completed or exempt
	window     int  // the rule's window days
	hasManager bool
	escalated  bool
	empActive  bool
	nudged     bool // nudged for this course this month
}

// nextEvent is the earliest moment a pass has something to do with c: the
// conditions of the steps in advancePeople, turned into times. nil: never.
func (e *Engine) nextEvent(c *Cycle, x eventCtx, now time.Time) *time.Time {
	p := e.policy()
	var best *time.Time
	consider := func(t time.Time) {
		t = t.UTC()
		if best == nil || t.Before(*best) {
			best = &t
		}
	}
	due := Day(c.DueAt)
	switch c.Status {
	case StatusOpen, StatusInProgress, StatusUpcoming:
		consider(due.AddDate(0, 0, 1)) // overdue
	}
	if !x.active {
		return best
	}
	if c.Status == StatusCompleted && c.ExpiresAt != nil && !x.laterDone {
		consider(Day(*c.ExpiresAt).AddDate(0, 0, 1)) // expired
	}
	if !x.latest {
		return best
	}
	switch c.Status {
	case StatusCompleted:
		if c.ExpiresAt != nil {
			opens, _, _ := Recurrence{WindowDays: x.window}.NextWindow(*c.ExpiresAt)
			consider(opens)
		}
		if e.Nudges && x.empActive && c.CompletedAt != nil {
			ms := monthStart(now)
			if x.nudged || !c.CompletedAt.Before(ms) {
				consider(ms.AddDate(0, 1, 0))
			} else {
				consider(now)
			}
		}
	case StatusExempt:
		if c.ExemptUntil != nil {
			consider(*c.ExemptUntil)
		}
	case StatusOpen, StatusInProgress, StatusUpcoming, StatusOverdue:
		if t, ok := p.nextStage(due, c.ReminderStage); ok {
			consider(t)
		}
		if x.hasManager && !x.escalated {
			consider(due.AddDate(0, 0, max(p.EscalateAfterDays, 1)))
		}
	}
	return best
}

// nextStage is the first day a reminder stage later than stage begins.
//
// The days a stage can begin are the due-soon days before due, due itself,
// the day after, and every OverdueEveryDays after that up to OverdueMax;
// the first of them (in time) whose stage ranks above stage's is the one.
// A stage's rank depends only on how many days it is from due
// (stageRankAt, which is Stage's rank without the stage's name), so this
// runs once per cycle of every pass without allocating: at 100,000 people
// building, sorting and naming the candidate days took 2 s of the first
// pass's transactions.
func (p ReminderPolicy) nextStage(due time.Time, stage string) (time.Time, bool) {
	have := p.rank(stage)
	best, found := 0, false
	try := func(offset int) {
		if found && offset >= best {
			return
		}
		if r, ok := p.stageRankAt(offset); ok && r > have {
			best, found = offset, true
		}
	}
	for _, n := range p.DueSoonDays {
		try(-n)
	}
	try(0)
	try(1)
	for k := 2; k <= p.OverdueMax && p.OverdueEveryDays > 0; k++ {
		try(1 + (k-1)*p.OverdueEveryDays)
	}
	if !found {
		return time.Time{}, false
	}
	return due.AddDate(0, 0, best), true
}

// stageRankAt is the rank Stage gives on the day offset days after the due
// day (before it when negative); false when that day has no stage.
func (p ReminderPolicy) stageRankAt(offset int) (int, bool) {
	switch {
	case offset > 0:
		k := 1
		if p.OverdueEveryDays > 0 {
			k = (offset-1)/p.OverdueEveryDays + 1
		}
		return 1000 + min(k, p.OverdueMax), true
	case offset == 0:
		return 999, true
	}
	// Stage takes the latest of the due-soon days (sorted from most days
	// to fewest) that has begun: the last of those with at least -offset
	// days, so its rank counts them.
	n := 0
	for _, d := range p.DueSoonDays {
		if d >= -offset {
			n++
		}
	}
	return 99 + n, n > 0
}

func monthStart(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// group is one assignment and its cycles, by number.
type group struct {
	a      *Assignment
	cycles []*Cycle
}

// advancePeople applies every step that is due to the cycles of the given
// people whose next event has come (and the other cycles of their
// assignments), then records each cycle's next event. Steps, in order (as
// the pass always did): open the refresher window of a latest completion,
// start a cycle when an exemption ends, mark overdue, expire completions,
// raise the reminder of a new stage, escalate to managers, nudge.
func (e *Engine) advancePeople(tx *gorm.DB, now time.Time, ids []string, res *PassResult, budget *int, touched *touchedSet) ([]Event, error) {
	in, err := e.loadAdvance(tx, now, ids)
	if err != nil {
		return nil, err
	}
	return e.advanceLoaded(tx, now, in, res, budget, touched)
}

// advanceInput is what advancePeople reads before it decides anything: the
// people's due cycles, each of their assignments with all its cycles, the
// people, the cycles already escalated, this month's nudges and the rules.
// A pass reads it inside the batch's transaction, or ahead of it, outside
// the write lock, when the transaction turns out quiet (db.Bulk).
type advanceInput struct {
	examined  int
	dueSet    map[string]bool
	order     []*group
	emps      map[string]advancePerson
	escalated map[string]bool
	nudged    map[pairKey]bool
	rules     map[string]*Rule
}

// advancePerson is what advancePeople needs of a person.
type advancePerson struct {
	ID, Status string
	ManagerID  *string
}

// loadAdvance reads advancePeople's input for the people ids through q
// (reads only: a transaction, or the pool outside one). nil when none of
// them has a due cycle.
func (e *Engine) loadAdvance(q *gorm.DB, now time.Time, ids []string) (*advanceInput, error) {
	due, err := loadDue(q, now, ids)
	if err != nil {
		return nil, err
	}
	return e.loadAdvanceDue(q, now, due)
}

// dueCycle is a cycle whose next event has come: its ID and whose it is.
// Each assignment's cycles are read in full by loadAdvanceDue.
type dueCycle struct{ ID, AssignmentID, EmployeeID string }

// loadDue reads the due cycles of the people ids (through
// cycles_employee_idx).
func loadDue(q *gorm.DB, now time.Time, ids []string) ([]dueCycle, error) {
	var due []dueCycle
	for start := 0; start < len(ids); start += chunk {
		var part []dueCycle
		if err := q.Raw(`SELECT id, assignment_id, employee_id FROM cycles WHERE employee_id IN ? AND next_event_at <= ?`,
			ids[start:min(start+chunk, len(ids))], now.UTC()).Scan(&part).Error; err != nil {
			return nil, fmt.Errorf("load due cycles: %w", err)
		}
		due = append(due, part...)
	}
	return due, nil
}

// loadAdvanceDue is loadAdvance with the people's due cycles read: it reads
// the rest of their input. nil when due is empty.
func (e *Engine) loadAdvanceDue(q *gorm.DB, now time.Time, due []dueCycle) (*advanceInput, error) {
	if len(due) == 0 {
		return nil, nil
	}
	var ids []string
	seenP := map[string]bool{}
	for _, c := range due {
		if !seenP[c.EmployeeID] {
			seenP[c.EmployeeID] = true
			ids = append(ids, c.EmployeeID)
		}
	}
	sort.Strings(ids)
	dueSet := map[string]bool{}
	var aids []string
	seenA := map[string]bool{}
	for _, c := range due {
		dueSet[c.ID] = true
		if !seenA[c.AssignmentID] {
			seenA[c.AssignmentID] = true
			aids = append(aids, c.AssignmentID)
		}
	}
	groups := map[string]*group{}
	var order []*group
	for start := 0; start < len(aids); start += chunk {
		part := aids[start:min(start+chunk, len(aids))]
		as, err := loadAdvanceAssignments(q, part)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			g := &group{a: a}
			groups[a.ID] = g
			order = append(order, g)
		}
		cs, err := loadAdvanceCycles(q, "assignment_id IN ?", part)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if g := groups[c.AssignmentID]; g != nil {
				g.cycles = append(g.cycles, c)
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].a.EmployeeID != order[j].a.EmployeeID {
			return order[i].a.EmployeeID < order[j].a.EmployeeID
		}
		return order[i].a.CourseID < order[j].a.CourseID
	})
	var cycleIDs []string
	for _, g := range order {
		sort.Slice(g.cycles, func(i, j int) bool { return g.cycles[i].Number < g.cycles[j].Number })
		for _, c := range g.cycles {
			cycleIDs = append(cycleIDs, c.ID)
		}
	}
	emps := map[string]advancePerson{}
	escalated := map[string]bool{}
	for start := 0; start < len(ids); start += chunk {
		var ps []advancePerson
		if err := q.Table("employees").Select("id, status, manager_id").Where("id IN ?", ids[start:min(start+chunk, len(ids))]).
			Scan(&ps).Error; err != nil {
			return nil, fmt.Errorf("load people: %w", err)
		}
		for _, p := range ps {
			emps[p.ID] = p
		}
	}
	for start := 0; start < len(cycleIDs); start += chunk {
		var xs []string
		if err := q.Raw(`SELECT cycle_id FROM escalations WHERE cycle_id IN ?`, cycleIDs[start:min(start+chunk, len(cycleIDs))]).
			Scan(&xs).Error; err != nil {
			return nil, fmt.Errorf("load escalations: %w", err)
		}
		for _, x := range xs {
			escalated[x] = true
		}
	}
	month := now.UTC().Format("2006-01")
	nudged := map[pairKey]bool{}
	if e.Nudges {
		for start := 0; start < len(ids); start += chunk {
			var ns []struct{ EmployeeID, CourseID string }
			if err := q.Raw(`SELECT employee_id, course_id FROM nudge_log WHERE employee_id IN ? AND month = ?`,
				ids[start:min(start+chunk, len(ids))], month).Scan(&ns).Error; err != nil {
				return nil, fmt.Errorf("load nudges: %w", err)
			}
			for _, n := range ns {
				nudged[pairKey{n.EmployeeID, n.CourseID}] = true
			}
		}
	}
	rules, err := loadRules(q)
	if err != nil {
		return nil, err
	}
	return &advanceInput{examined: len(due), dueSet: dueSet, order: order, emps: emps, escalated: escalated, nudged: nudged, rules: rules}, nil
}

// loadAdvanceAssignments reads the assignments ids with the columns
// advancePeople reads (created_at, closed_at and closed_reason are left
// zero), as loadAdvanceCycles does.
func loadAdvanceAssignments(q *gorm.DB, ids []string) ([]*Assignment, error) {
	rows, err := q.Raw(`SELECT id, employee_id, course_id, rule_id, status FROM assignments WHERE id IN ?`, ids).Rows()
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	defer rows.Close()
	var as []*Assignment
	for rows.Next() {
		a := &Assignment{}
		if err := rows.Scan(&a.ID, &a.EmployeeID, &a.CourseID, &a.RuleID, &a.Status); err != nil {
			return nil, fmt.Errorf("load assignments: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	return as, nil
}

// advanceCycleColumns are the columns of a cycle that advancePeople and the
// messages it raises read (loadAdvanceCycles); the others (started_at,
// closed_at, closed_reason, course_version_id, created_at, updated_at) are
// left zero in its cycles.
const advanceCycleColumns = `id, assignment_id, employee_id, course_id, number, path, status, window_opens_at, due_at,
	completed_at, expires_at, exempt_until, derivation, reminder_stage`

// loadAdvanceCycles reads the cycles where says (every cycle of a batch's
// assignments; an escalation digest's cycles), with advanceCycleColumns
// only and scanned field by field: the first pass at
// 100,000 people reads 2.1 million cycles this way, and GORM's
// reflection over all twenty columns was a third of its read-ahead time
// (docs/performance.md, session 23).
func loadAdvanceCycles(q *gorm.DB, where string, args ...any) ([]*Cycle, error) {
	rows, err := q.Raw(`SELECT `+advanceCycleColumns+` FROM cycles WHERE `+where, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("load cycles: %w", err)
	}
	defer rows.Close()
	var cs []*Cycle
	for rows.Next() {
		c := &Cycle{}
		var path, status string
		if err := rows.Scan(&c.ID, &c.AssignmentID, &c.EmployeeID, &c.CourseID, &c.Number, &path, &status,
			&c.WindowOpensAt, &c.DueAt, &c.CompletedAt, &c.ExpiresAt, &c.ExemptUntil, &c.Derivation, &c.ReminderStage); err != nil {
			return nil, fmt.Errorf("load cycles: %w", err)
		}
		c.Path, c.Status = Path(path), CycleStatus(status)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load cycles: %w", err)
	}
	return cs, nil
}

// advanceLoaded is advancePeople with its input read (in, nil: nothing
// due): it decides every step and writes them in tx.
func (e *Engine) advanceLoaded(tx *gorm.DB, now time.Time, in *advanceInput, res *PassResult, budget *int, touched *touchedSet) ([]Event, error) {
	if in == nil {
		return nil, nil
	}
	res.Examined += in.examined
	dbNow := now.UTC()
	today := Day(now)
	month := now.UTC().Format("2006-01")
	ms := monthStart(now)
	dueSet, order, emps, escalated, nudged, rules := in.dueSet, in.order, in.emps, in.escalated, in.nudged, in.rules
	p := e.policy()
	cutoff := today.AddDate(0, 0, -p.EscalateAfterDays)

	if afterAdvanceRead != nil {
		var people []string
		for _, g := range order {
			people = append(people, g.a.EmployeeID)
		}
		afterAdvanceRead(people)
	}
	// read is each cycle's state as read, which its write must still find
	// (cycleGuards): what this batch decides holds only for the row it read.
	read := map[string]cycleState{}
	for _, g := range order {
		for _, c := range g.cycles {
			read[c.ID] = cycleState{c.Status, c.ReminderStage, c.DueAt}
		}
	}

	var windowEvs, exemptEvs, expiredEvs, reminderEvs, nudgeEvs []Event
	var newCycles []*Cycle
	// The cycles whose status or reminder stage this batch changes.
	statusSet := map[string]bool{}
	stageSet := map[string]bool{}
	byManager := map[string][]*Cycle{}
	var managers []string
	var nudgeRows [][]any
	isNew := map[string]bool{}
	changed := map[string]bool{}
	for _, g := range order {
		a := g.a
		active := a.Status == "active"
		r := rules[ruleIDOf(a)]
		emp := emps[a.EmployeeID]
		latest := func() *Cycle { return g.cycles[len(g.cycles)-1] }
		if len(g.cycles) == 0 {
			continue
		}
		// Open the refresher window of a latest completion.
		if l := latest(); active && l.Status == StatusCompleted && l.ExpiresAt != nil {
			window := 0
			if r != nil {
				window = r.WindowDays
			}
			opens, dueAt, why := Recurrence{WindowDays: window}.NextWindow(*l.ExpiresAt)
			if !now.Before(opens) {
				next := newCycle(a, l.Number+1, PathRefresher, opens, dueAt, why, now)
				g.cycles = append(g.cycles, next)
				newCycles = append(newCycles, next)
				isNew[next.ID] = true
				res.WindowsOpened++
				windowEvs = append(windowEvs, Event{Kind: EventWindowOpen, Cycle: next, NewCycle: true})
			}
		}
		// A fresh cycle when an exemption with an end date ends.
		if l := latest(); active && l.Status == StatusExempt && l.ExemptUntil != nil && !l.ExemptUntil.After(now) {
			days := 30
			if r != nil {
				days = r.DueDays
			}
			dueAt := Day(*l.ExemptUntil).AddDate(0, 0, days)
			why := fmt.Sprintf("due %s: %d days after your exemption ended on %s", FormatDay(dueAt), days, FormatDay(*l.ExemptUntil))
			next := newCycle(a, l.Number+1, PathFull, now, dueAt, why, now)
			g.cycles = append(g.cycles, next)
			newCycles = append(newCycles, next)
			isNew[next.ID] = true
			res.ExemptionsEnd++
			exemptEvs = append(exemptEvs, Event{Kind: EventAssigned, Cycle: next, NewCycle: true})
		}
		// Overdue: past the due day and not done.
		for _, c := range g.cycles {
			if (c.Status == StatusOpen || c.Status == StatusInProgress || c.Status == StatusUpcoming) && c.DueAt.Before(today) {
				c.Status = StatusOverdue
				c.UpdatedAt = now
				if !isNew[c.ID] {
					statusSet[c.ID] = true
					changed[c.ID] = true
				}
				touched.cycle(c)
				res.MarkedOverdue++
			}
		}
		// Expired: a completion past its expiry day with no later cycle
		// completed or exempt.
		if active {
			for i, c := range g.cycles {
				if c.Status != StatusCompleted || c.ExpiresAt == nil || !c.ExpiresAt.Before(today) || laterDone(g.cycles[i+1:]) {
					continue
				}
				c.Status = StatusExpired
				c.UpdatedAt = now
				statusSet[c.ID] = true
				changed[c.ID] = true
				touched.cycle(c)
				res.Expired++
				expiredEvs = append(expiredEvs, Event{Kind: EventExpired, Cycle: c, Claimed: true})
			}
		}
		l := latest()
		if active && isOpen(l.Status) {
			// The reminder of a new stage (only the latest stage).
			if stage, rank := p.Stage(l.DueAt, now); stage != "" && rank > p.rank(l.ReminderStage) {
				l.ReminderStage = stage
				l.UpdatedAt = now
				if !isNew[l.ID] {
					stageSet[l.ID] = true
					changed[l.ID] = true
				}
				res.Reminders++
				reminderEvs = append(reminderEvs, Event{Kind: EventReminder, Stage: stage, Cycle: l})
			}
			// Escalation to the manager.
			if l.Status == StatusOverdue && !l.DueAt.After(cutoff) && !escalated[l.ID] && emp.ManagerID != nil {
				m := *emp.ManagerID
				if _, ok := byManager[m]; !ok {
					managers = append(managers, m)
				}
				byManager[m] = append(byManager[m], l)
				escalated[l.ID] = true
			}
		}
		// The monthly nudge.
		if e.Nudges && active && emp.Status == "active" && l.Status == StatusCompleted && l.CompletedAt != nil &&
			l.CompletedAt.Before(ms) && (l.ExpiresAt == nil || !l.ExpiresAt.Before(today)) &&
			!nudged[pairKey{a.EmployeeID, a.CourseID}] && *budget > 0 {
			*budget--
			nudged[pairKey{a.EmployeeID, a.CourseID}] = true
			nudgeRows = append(nudgeRows, []any{a.EmployeeID, a.CourseID, month, "", dbNow})
			res.Nudges++
			nudgeEvs = append(nudgeEvs, Event{Kind: EventNudge, Stage: month, Cycle: l, Claimed: true})
		}
	}

	// Write: new cycles, status and stage changes, escalations, nudges, and
	// every next event that moved. Each changed cycle is written by one
	// statement with all its new values; cycles are grouped by what
	// changes (writes[sig], sig a cycleWrite* mask), so that no index is
	// rewritten for a column that stays as it was.
	var writes [4][][]any
	heldSlot := map[string]int{}
	for _, g := range order {
		if len(g.cycles) == 0 {
			continue
		}
		emp := emps[g.a.EmployeeID]
		r := rules[ruleIDOf(g.a)]
		window := 0
		if r != nil {
			window = r.WindowDays
		}
		for i, c := range g.cycles {
			x := eventCtx{
				latest: i == len(g.cycles)-1, active: g.a.Status == "active", laterDone: laterDone(g.cycles[i+1:]),
				window: window, hasManager: emp.ManagerID != nil, escalated: escalated[c.ID],
				empActive: emp.Status == "active", nudged: nudged[pairKey{g.a.EmployeeID, g.a.CourseID}],
			}
			next := e.nextEvent(c, x, now)
			if next != nil && !next.After(now) {
				// Held back by the nudge cap: a later pass, in turn
				// (holdNudge), or its next other event if that comes first.
				x.nudged = true
				next = holdNudge(dbNow, e.nudgeBatch(), res, heldSlot, g.a.EmployeeID, e.nextEvent(c, x, now))
			}
			if isNew[c.ID] {
				c.nextEventAt = next
				continue
			}
			if !dueSet[c.ID] && !changed[c.ID] {
				// Neither due nor changed by this batch: its value stands.
				continue
			}
			var nextAt any
			if next != nil {
				nextAt = next.UTC()
			}
			sig := 0
			if statusSet[c.ID] {
				sig |= cycleWriteStatus
			}
			if stageSet[c.ID] {
				sig |= cycleWriteStage
			}
			writes[sig] = append(writes[sig], append(cycleWriteRow(c, sig, nextAt, dbNow), read[c.ID].guard()...))
		}
	}
	if len(newCycles) > 0 {
		if err := insertCycles(tx, newCycles); err != nil {
			return nil, err
		}
	}
	for sig, rows := range writes {
		cols, casts := cycleWriteColumns(sig)
		if err := updateByIDIf(tx, "cycles", cols, append(casts, cycleGuardCasts...), cycleGuards, rows); err != nil {
			return nil, fmt.Errorf("record the cycles' changes and next events: %w", err)
		}
	}
	// Escalations are recorded pending (an empty dedupe key) and sent after
	// the last batch, one digest per manager for the whole pass
	// (sendEscalations): a manager's people fall into many batches.
	var escRows [][]any
	for _, m := range managers {
		cs := byManager[m]
		for _, c := range cs {
			escRows = append(escRows, []any{c.ID, m, "", dbNow})
		}
		res.Escalated += len(cs)
	}
	if err := insertRows(tx, "escalations", []string{"cycle_id", "manager_id", "dedupe_key", "created_at"}, escRows, ""); err != nil {
		return nil, fmt.Errorf("record escalations: %w", err)
	}
	if err := insertRows(tx, "nudge_log", []string{"employee_id", "course_id", "month", "nudge_id", "created_at"}, nudgeRows, ""); err != nil {
		return nil, fmt.Errorf("record nudges: %w", err)
	}
	for _, c := range newCycles {
		touched.cycle(c)
	}
	var evs []Event
	for _, list := range [][]Event{windowEvs, exemptEvs, expiredEvs, reminderEvs, nudgeEvs} {
		evs = append(evs, list...)
	}
	return evs, nil
}

// NudgeSpacing is how far apart the turns of nudges held back by the cap
// are: the default scheduler interval, so that each later pass of a
// month's first day takes about one cap's worth (Engine.NudgeBatch).
const NudgeSpacing = time.Minute

// holdNudge is the next event of a cycle whose nudge the cap held back.
// The held-back nudges of a pass take turns: the first cap's worth come
// back after one NudgeSpacing, the next after two, and so on (all of one
// person's in the same turn, so a person's nudges stay in one message), so
// that each later pass reads about the cap's worth of them and not the
// whole month's backlog again (at 100,000 people with 20 courses that was
// some 700,000 cycles read and rewritten by every pass of the month's first
// hours). other is the cycle's next event besides the nudge; it is kept
// when it comes before the cycle's turn.
func holdNudge(now time.Time, limit int, res *PassResult, slots map[string]int, employeeID string, other *time.Time) *time.Time {
	slot, ok := slots[employeeID]
	if !ok {
		slot = res.NudgesHeld / max(limit, 1)
		slots[employeeID] = slot
	}
	res.NudgesHeld++
	t := now.Add(time.Duration(slot+1) * NudgeSpacing)
	if other != nil && other.After(now) && other.Before(t) {
		return other
	}
	return &t
}

// cycleState is what a cycle's write in advancePeople must still find in
// its row (cycleGuards): every decision of the batch (overdue, expired, the
// next reminder, the next event) follows from these, and every other writer
// of a cycle that changes what the batch decides changes one of them (a
// learner's completion the status, an extension the due date and stage, an
// exemption the status). A status still owed counts as the same whichever
// it is (a learner who opens a step moves open to in progress several times
// a second across a hospital; the batch decides the same for both). On
// SQLite nothing else writes during a batch; on PostgreSQL such a write can
// commit between the batch's read and its write, which then fails with
// errRowsMoved instead of overwriting it (a completion marked overdue
// again; an extension's new reminders lost), and the batch runs again
// (Engine.batch). The guard is also what makes an expiry sent once without
// a key in outbox_keys: only the batch that moves the row from completed to
// expired announces it (Event.Claimed).
type cycleState struct {
	status CycleStatus
	stage  string
	due    time.Time
}

// cycleGuards are the conditions of cycleState on the row (updateByIDIf),
// with their casts.
var (
	cycleGuards = []string{
		"(cycles.status = {v} OR (cycles.status IN " + owedList + " AND {v} IN " + owedList + "))",
		"cycles.reminder_stage = {v}",
		"cycles.due_at = {v}",
	}
	cycleGuardCasts = []string{"", "", "TIMESTAMP"}
)

// owedList is openStatuses as an SQL list.
var owedList = func() string {
	quoted := make([]string, len(openStatuses))
	for i, s := range openStatuses {
		quoted[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}()

func (s cycleState) guard() []any { return []any{string(s.status), s.stage, s.due.UTC()} }

// What a cycle's write in advancePeople changes besides its next event.
const (
	cycleWriteStatus = 1 << iota
	cycleWriteStage
)

// cycleWriteColumns are the columns a write of mask sig sets, after the
// ID, with their PostgreSQL casts (updateByID).
func cycleWriteColumns(sig int) (cols, casts []string) {
	if sig&cycleWriteStatus != 0 {
		cols, casts = append(cols, "status"), append(casts, "")
	}
	if sig&cycleWriteStage != 0 {
		cols, casts = append(cols, "reminder_stage"), append(casts, "")
	}
	if sig != 0 {
		cols, casts = append(cols, "updated_at"), append(casts, "TIMESTAMP")
	}
	return append(cols, "next_event_at"), append(casts, "TIMESTAMP")
}

// cycleWriteRow is c's row for cycleWriteColumns(sig).
func cycleWriteRow(c *Cycle, sig int, next any, now time.Time) []any {
	row := []any{c.ID}
	if sig&cycleWriteStatus != 0 {
		row = append(row, string(c.Status))
	}
	if sig&cycleWriteStage != 0 {
		row = append(row, c.ReminderStage)
	}
	if sig != 0 {
		row = append(row, now)
	}
	return append(row, next)
}

func isOpen(s CycleStatus) bool {
	return s == StatusUpcoming || s == StatusOpen || s == StatusInProgress || s == StatusOverdue
}

func laterDone(later []*Cycle) bool {
	for _, c := range later {
		if c.Status == StatusCompleted || c.Status == StatusExempt {
			return true
		}
	}
	return false
}

// ruleIDOf is the rule behind an assignment: its own, or for one made by
// hand or imported before rules existed, its course's own rule.
func ruleIDOf(a *Assignment) string {
	if a.RuleID != nil {
		return *a.RuleID
	}
	return CourseRuleID(a.CourseID)
}

func loadRules(tx *gorm.DB) (map[string]*Rule, error) {
	var rules []*Rule
	if err := tx.Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	out := make(map[string]*Rule, len(rules))
	for _, r := range rules {
		out[r.ID] = r
	}
	return out, nil
}

// cycleColumns are the columns insertCycles writes.
var cycleColumns = []string{"id", "assignment_id", "employee_id", "course_id", "number", "path", "status",
	"window_opens_at", "due_at", "derivation", "reminder_stage", "created_at", "updated_at", "next_event_at"}

// insertCycles writes new cycles with multi-row INSERTs, each with its
// next event (c.nextEventAt).
func insertCycles(tx *gorm.DB, cs []*Cycle) error {
	rows := make([][]any, len(cs))
	for i, c := range cs {
		var next any
		if c.nextEventAt != nil {
			next = c.nextEventAt.UTC()
		}
		rows[i] = []any{c.ID, c.AssignmentID, c.EmployeeID, c.CourseID, c.Number, string(c.Path), string(c.Status),
			c.WindowOpensAt.UTC(), c.DueAt.UTC(), c.Derivation, c.ReminderStage, c.CreatedAt.UTC(), c.UpdatedAt.UTC(), next}
	}
	if err := insertRows(tx, "cycles", cycleColumns, rows, ""); err != nil {
		return fmt.Errorf("create cycles: %w", err)
	}
	return nil
}
