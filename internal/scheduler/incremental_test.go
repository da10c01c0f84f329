package scheduler_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/scheduler"
)

// counts reads how many rows a few tables hold.
func counts(t *testing.T, env *apptest.Env) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, q := range map[string]string{
		"outbox":      "SELECT COUNT(*) FROM outbox",
		"cycles":      "SELECT COUNT(*) FROM cycles",
		"assignments": "SELECT COUNT(*) FROM assignments WHERE status = 'active'",
		"status":      "SELECT COUNT(*) FROM compliance_status",
		"overdue":     "SELECT COUNT(*) FROM cycles WHERE status = 'overdue'",
	} {
		var n int64
		if err := env.App.DB.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// TestSecondPassAtTheSameInstantDoesNothing: the next events all moved past
// now, so the same instant again reads no cycle, evaluates nobody and
// writes nothing.
func TestSecondPassAtTheSameInstantDoesNothing(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	ctx := context.Background()
	insertPeople(t, env.App.DB, 300, start)
	// A month on, so the first pass also has reminders and overdue cycles.
	now := start.AddDate(0, 1, 0)
	first, err := env.App.Scheduler.RunOnce(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if first.Assigned != 300 || first.Evaluated != 300 {
		t.Fatalf("first pass: %s, evaluated %d; want 300 assigned and evaluated", first, first.Evaluated)
	}
	rep, err := env.App.Scheduler.RunOnce(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Examined == 0 || rep.Reminders == 0 {
		t.Fatalf("a month on: %s, examined %d; want reminders", rep, rep.Examined)
	}
	before := counts(t, env)
	again, err := env.App.Scheduler.RunOnce(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if again.Examined != 0 || again.Evaluated != 0 || again.Assigned != 0 || again.Reminders != 0 || again.MarkedOverdue != 0 ||
		again.Escalated != 0 || again.Batches != 0 {
		t.Fatalf("second pass at the same instant: %s, examined %d, evaluated %d, batches %d; want nothing",
			again, again.Examined, again.Evaluated, again.Batches)
	}
	if after := counts(t, env); !equalCounts(before, after) {
		t.Fatalf("second pass changed rows: %v, then %v", before, after)
	}
}

func equalCounts(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestPassReadsOnlyDueCycles: at the earliest next event, the pass reads
// exactly the cycles whose moment came, and moves their next event on.
func TestPassReadsOnlyDueCycles(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	ctx := context.Background()
	insertPeople(t, env.App.DB, 200, start)
	if _, err := env.App.Scheduler.RunOnce(ctx, start); err != nil {
		t.Fatal(err)
	}
	var next time.Time
	if err := env.App.DB.Raw(`SELECT next_event_at FROM cycles WHERE next_event_at IS NOT NULL ORDER BY next_event_at LIMIT 1`).Row().Scan(&next); err != nil {
		t.Fatal(err)
	}
	if !next.After(start) {
		t.Fatalf("earliest next event %s, want after the pass at %s", next, start)
	}
	var due, all int64
	env.App.DB.Raw(`SELECT COUNT(*) FROM cycles WHERE next_event_at <= ?`, next).Scan(&due)
	env.App.DB.Raw(`SELECT COUNT(*) FROM cycles`).Scan(&all)
	if due == 0 || due == all {
		t.Fatalf("%d of %d cycles due at %s; the fixture should make some, not all, due", due, all, next)
	}
	rep, err := env.App.Scheduler.RunOnce(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if int64(rep.Examined) != due {
		t.Fatalf("the pass at %s read %d cycles, want the %d due (of %d)", next, rep.Examined, due, all)
	}
	var still int64
	env.App.DB.Raw(`SELECT COUNT(*) FROM cycles WHERE next_event_at <= ?`, next).Scan(&still)
	if still != 0 {
		t.Fatalf("%d cycles still due after the pass", still)
	}
}

// TestIncrementalEvaluation: only people written since the last evaluation
// are evaluated (whatever wrote them: triggers queue them), a rule change
// evaluates everyone, and --full does too.
func TestIncrementalEvaluation(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	ctx := context.Background()
	insertPeople(t, env.App.DB, 50, start)
	pass := func(now time.Time, opts scheduler.Options) scheduler.Report {
		t.Helper()
		rep, err := env.App.Scheduler.RunOnceWith(ctx, now, opts)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := pass(start, scheduler.Options{}); rep.Evaluated != 50 || rep.Assigned != 50 {
		t.Fatalf("first pass: evaluated %d, assigned %d; want 50", rep.Evaluated, rep.Assigned)
	}
	if rep := pass(start.Add(time.Minute), scheduler.Options{}); rep.Evaluated != 0 {
		t.Fatalf("nothing changed: evaluated %d, want 0", rep.Evaluated)
	}
	// One person leaves (a plain SQL write: the trigger queues them), and
	// another's name changes (no rule reads it: not queued).
	var ids []string
	env.App.DB.Raw(`SELECT id FROM employees ORDER BY id LIMIT 2`).Scan(&ids)
	if err := env.App.DB.Exec(`UPDATE employees SET status = ? WHERE id = ?`, people.StatusInactive, ids[0]).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Exec(`UPDATE employees SET first_name = 'Renamed' WHERE id = ?`, ids[1]).Error; err != nil {
		t.Fatal(err)
	}
	rep := pass(start.Add(2*time.Minute), scheduler.Options{})
	if rep.Evaluated != 1 || rep.Closed != 1 || rep.FullEvaluation {
		t.Fatalf("after one leaver: evaluated %d, closed %d, full %v; want 1, 1, false", rep.Evaluated, rep.Closed, rep.FullEvaluation)
	}
	var left int64
	env.App.DB.Raw(`SELECT COUNT(*) FROM compliance_status WHERE employee_id = ?`, ids[0]).Scan(&left)
	if left != 0 {
		t.Fatalf("the leaver still has %d report rows", left)
	}
	// A new hire through the people service.
	hire := env.CreateEmployee("new@hospital.test", "New", "Hire", people.RoleLearner, "")
	rep = pass(start.Add(3*time.Minute), scheduler.Options{})
	if rep.Evaluated != 1 || rep.Assigned != 1 {
		t.Fatalf("after a new hire: evaluated %d, assigned %d; want 1, 1", rep.Evaluated, rep.Assigned)
	}
	var hired int64
	env.App.DB.Raw(`SELECT COUNT(*) FROM assignments WHERE employee_id = ?`, hire.ID).Scan(&hired)
	if hired != 1 {
		t.Fatalf("the new hire has %d assignments, want 1", hired)
	}
	// --full evaluates everyone and changes nothing.
	rep = pass(start.Add(4*time.Minute), scheduler.Options{Full: true})
	if rep.Evaluated != 51 || !rep.FullEvaluation || rep.Assigned != 0 || rep.Closed != 0 {
		t.Fatalf("--full: evaluated %d, full %v, %s; want 51 evaluated, nothing changed", rep.Evaluated, rep.FullEvaluation, rep)
	}
	// A rule edit evaluates everyone once.
	if err := env.App.DB.Exec(`UPDATE assignment_rules SET due_days = due_days + 1`).Error; err != nil {
		t.Fatal(err)
	}
	if rep = pass(start.Add(5*time.Minute), scheduler.Options{}); rep.Evaluated != 51 || !rep.FullEvaluation {
		t.Fatalf("after a rule edit: evaluated %d, full %v; want everyone", rep.Evaluated, rep.FullEvaluation)
	}
	if rep = pass(start.Add(6*time.Minute), scheduler.Options{}); rep.Evaluated != 0 {
		t.Fatalf("after that: evaluated %d, want 0", rep.Evaluated)
	}
}

// TestLearnersWriteDuringAPass: a pass with work for thousands of people
// runs in many short transactions, and learners' writes made meanwhile
// through the learning service all succeed.
func TestLearnersWriteDuringAPass(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("thousands of people")
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env, learners := assignedThousands(t, start)
	ctx := context.Background()
	// Forty days on, every cycle is overdue and owes a reminder: work for
	// everyone, while the learners write.
	now := start.AddDate(0, 0, 40)
	env.Clock.Set(now)
	stop := learnersWrite(env, learners)
	rep, err := env.App.Scheduler.RunOnce(ctx, now)
	w := stop()
	if err != nil {
		t.Fatal(err)
	}
	if rep.MarkedOverdue < 3000 || rep.Batches < 5 {
		t.Fatalf("the pass: %s in %d batches; want 3,000 overdue in several batches", rep, rep.Batches)
	}
	w.check(t, "the pass")
	t.Logf("%d learner writes during a pass of %d batches, longest transaction %s; the slowest write %s", w.writes, rep.Batches, rep.MaxTx(), w.slowest)
}

// assignedThousands is an app with 3,000 people whose first pass at start
// assigned them the course, and 200 of them to write as learners.
func assignedThousands(t *testing.T, start time.Time) (*apptest.Env, []*people.Employee) {
	t.Helper()
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	insertPeople(t, env.App.DB, 3000, start)
	if _, err := env.App.Scheduler.RunOnce(context.Background(), start); err != nil {
		t.Fatal(err)
	}
	var learners []*people.Employee
	if err := env.App.DB.Order("id").Limit(200).Find(&learners).Error; err != nil {
		t.Fatal(err)
	}
	return env, learners
}

// learnerWrites is what learners writing beside a job saw.
type learnerWrites struct {
	writes, failures int64
	firstErr         any
	slowest          time.Duration
}

// check fails the test unless the learners wrote and every write succeeded.
func (w learnerWrites) check(t *testing.T, during string) {
	t.Helper()
	if w.writes == 0 {
		t.Fatalf("no learner wrote during %s", during)
	}
	if w.failures > 0 {
		t.Fatalf("%d of %d learner writes during %s failed; first: %v", w.failures, w.writes, during, w.firstErr)
	}
}

// learnersWrite has four writers open course steps as the learners, until
// the returned function is called; it says what they saw.
func learnersWrite(env *apptest.Env, learners []*people.Employee) (stop func() learnerWrites) {
	ctx := context.Background()
	var writes, failures, slowest atomic.Int64
	var firstErr atomic.Value
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i += 4 {
				select {
				case <-done:
					return
				default:
				}
				emp := learners[i%len(learners)]
				began := time.Now()
				j, err := env.App.Learning.Journey(ctx, emp, "basic")
				if err == nil {
					m := j.Path[0]
					err = env.App.Learning.OpenStep(ctx, j, m, m.Steps[(i/len(learners))%len(m.Steps)])
				}
				took := int64(time.Since(began))
				for cur := slowest.Load(); took > cur && !slowest.CompareAndSwap(cur, took); cur = slowest.Load() {
				}
				writes.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
				// Learners post 10 ms apart (as onramp-bench's do): four
				// writers with no pause at all keep SQLite's lock busy
				// without a gap, and a job that yields between its batches
				// would then wait for minutes.
				time.Sleep(10 * time.Millisecond)
			}
		}(w)
	}
	return func() learnerWrites {
		close(done)
		wg.Wait()
		return learnerWrites{writes: writes.Load(), failures: failures.Load(), firstErr: firstErr.Load(), slowest: time.Duration(slowest.Load())}
	}
}

// TestLearnersWriteDuringARuleChange: a rule that concerns everyone is
// applied a batch of people per transaction, so learners' writes go on
// meanwhile. In one transaction, as before, deactivating the course's rule
// for 30,000 people held SQLite's write lock 30 s, its preview 15 s, and
// writes waiting for it failed after the busy timeout.
func TestLearnersWriteDuringARuleChange(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("thousands of people")
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env, learners := assignedThousands(t, start)
	ctx := context.Background()
	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		what string
		run  func() (compliance.RulePreview, error)
		// everyone reads the figure that must count all 3,000 people.
		everyone func(compliance.RulePreview) int
	}{
		// The preview of deactivating it closes everyone's cycles, in
		// transactions it rolls back: the learners keep the course.
		{"the preview of deactivating the rule", func() (compliance.RulePreview, error) {
			r := *rule
			r.Active = false
			return env.App.Engine.PreviewRule(ctx, &r, start)
		}, func(p compliance.RulePreview) int { return p.Closed }},
		// A second rule for everyone for the course, due later: everyone
		// is evaluated twice and keeps the course. (A change of the
		// rule's own due days evaluates nobody: everyone keeps it.)
		{"a second rule for everyone", func() (compliance.RulePreview, error) {
			r := &compliance.Rule{Name: "Everyone again", CourseID: rule.CourseID, Everyone: true, DueDays: 60,
				DueFrom: compliance.DueFromHire, EveryMonths: 12, Base: compliance.BaseExpiry, Active: true}
			return env.App.Engine.ChangeRule(ctx, r, compliance.Actor{ID: "hr", Name: "HR"}, start)
		}, func(p compliance.RulePreview) int { return p.Unchanged }},
	} {
		stop := learnersWrite(env, learners)
		p, err := step.run()
		w := stop()
		if err != nil {
			t.Fatal(err)
		}
		if step.everyone(p) != 3000 || p.Transactions < 2 {
			t.Fatalf("%s: %d of 3,000 people in %d transactions; want all in several", step.what, step.everyone(p), p.Transactions)
		}
		w.check(t, step.what)
		t.Logf("%s: %d learner writes during %d transactions, the longest %s; the slowest write %s",
			step.what, w.writes, p.Transactions, p.LongestTx, w.slowest)
	}
}

// TestHeldBackNudgesTakeTurns: the nudges the cap holds back come back a
// cap's worth per later pass, not all of them every pass. Before, every
// held-back cycle was due again a minute later, so each pass of a month's
// first hours read and rewrote the whole backlog to send one cap's worth.
func TestHeldBackNudgesTakeTurns(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: start})
	env.App.Scheduler.Deliver = nil
	const capacity = 40
	env.App.Scheduler.Engine.Nudges = true
	env.App.Scheduler.Engine.NudgeBatch = capacity
	ctx := context.Background()
	insertPeople(t, env.App.DB, 150, start)
	if _, err := env.App.Scheduler.RunOnce(ctx, start); err != nil {
		t.Fatal(err)
	}
	// Everyone completed everything the next day: valid for a year, so
	// each latest cycle is due a nudge on the first of April.
	done := start.AddDate(0, 0, 1)
	if err := env.App.DB.Exec(`UPDATE cycles SET status = 'completed', completed_at = ?, expires_at = ?, next_event_at = ?`,
		done, done.AddDate(1, 0, 0), time.Unix(0, 0).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	var eligible int
	if err := env.App.DB.Raw(`SELECT COUNT(*) FROM cycles`).Scan(&eligible).Error; err != nil {
		t.Fatal(err)
	}
	if eligible <= 3*capacity {
		t.Fatalf("%d cycles; the fixture needs more than three caps' worth", eligible)
	}
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	rep, err := env.App.Scheduler.RunOnce(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Nudges != capacity || rep.NudgesHeld != eligible-capacity {
		t.Fatalf("first pass of April: %d nudges, %d held; want %d and %d", rep.Nudges, rep.NudgesHeld, capacity, eligible-capacity)
	}
	nudged := rep.Nudges
	for pass := 1; nudged < eligible; pass++ {
		if pass > eligible/capacity+2 {
			t.Fatalf("after %d passes a minute apart only %d of %d nudged", pass, nudged, eligible)
		}
		at = at.Add(time.Minute)
		rep, err := env.App.Scheduler.RunOnce(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		// A person's held nudges share a turn, so a turn can run over the
		// cap by one person's courses; never the whole backlog.
		if rep.Examined > 2*capacity {
			t.Fatalf("pass %d (%s) read %d due cycles with %d nudges still to send; want about the cap, %d",
				pass, at.Format(time.TimeOnly), rep.Examined, eligible-nudged, capacity)
		}
		if rep.Nudges == 0 {
			t.Fatalf("pass %d (%s) sent no nudge with %d still to send", pass, at.Format(time.TimeOnly), eligible-nudged)
		}
		nudged += rep.Nudges
	}
	if nudged != eligible {
		t.Fatalf("%d nudges for %d completions", nudged, eligible)
	}
	var logged int
	env.App.DB.Raw(`SELECT COUNT(*) FROM nudge_log WHERE month = '2026-04'`).Scan(&logged)
	if logged != eligible {
		t.Fatalf("nudge_log holds %d for April, want one per completion (%d)", logged, eligible)
	}
	rep, err = env.App.Scheduler.RunOnce(ctx, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Examined != 0 || rep.Nudges != 0 {
		t.Fatalf("an hour after the last turn: %d due cycles read, %d nudges; want none", rep.Examined, rep.Nudges)
	}
}
