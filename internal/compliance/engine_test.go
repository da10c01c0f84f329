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

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// recorder is a Notifier that remembers every event, as "kind/stage/employee".
type recorder struct{ events []string }

func (r *recorder) Notify(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	switch {
	case ev.Kind == compliance.EventEscalation:
		var who []string
		for _, c := range ev.Cycles {
			who = append(who, c.EmployeeID)
		}
		more := ""
		if ev.More > 0 {
			more = fmt.Sprintf("/more=%d", ev.More)
		}
		r.events = append(r.events, fmt.Sprintf("escalation/%s/%s%s", ev.ManagerID, strings.Join(who, "+"), more))
	case ev.Stage != "":
		r.events = append(r.events, fmt.Sprintf("%s/%s/%s", ev.Kind, ev.Stage, ev.Cycle.EmployeeID))
	default:
		r.events = append(r.events, fmt.Sprintf("%s/%s", ev.Kind, ev.Cycle.EmployeeID))
	}
	return nil
}

func (r *recorder) NotifyAll(tx *gorm.DB, evs []compliance.Event, now time.Time) error {
	for _, ev := range evs {
		if err := checkNewCycle(tx, ev, now); err != nil {
			return err
		}
		if err := checkClaimed(tx, ev, now); err != nil {
			return err
		}
		if err := r.Notify(tx, ev, now); err != nil {
			return err
		}
	}
	return nil
}

// checkNewCycle holds the engine to what Event.NewCycle promises the
// notifier, which then claims no key for the event: a course assigned or a
// refresher opened is always about a cycle the same transaction inserted,
// and an event so marked is; and the reminder stage its message announces
// (the event's Cycle.ReminderStage) is the one the inserted row records,
// which is what keeps a later pass from raising that reminder again.
func checkNewCycle(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	if (ev.Kind == compliance.EventAssigned || ev.Kind == compliance.EventWindowOpen) && !ev.NewCycle {
		return fmt.Errorf("%s event for cycle %s not marked NewCycle", ev.Kind, ev.Cycle.ID)
	}
	if !ev.NewCycle {
		return nil
	}
	var rows []struct {
		CreatedAt     time.Time
		ReminderStage string
	}
	if err := tx.Raw(`SELECT created_at, reminder_stage FROM cycles WHERE id = ?`, ev.Cycle.ID).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) != 1 || rows[0].CreatedAt.Sub(now).Abs() > time.Millisecond {
		return fmt.Errorf("%s event marked NewCycle, but cycle %s was not inserted at %s by this transaction (%+v)", ev.Kind, ev.Cycle.ID, now, rows)
	}
	if rows[0].ReminderStage != ev.Cycle.ReminderStage {
		return fmt.Errorf("%s event announces reminder stage %q, but cycle %s records %q", ev.Kind, ev.Cycle.ReminderStage, ev.Cycle.ID, rows[0].ReminderStage)
	}
	return nil
}

// checkClaimed holds the engine to what Event.Claimed promises: the
// transaction raising the event wrote the row that makes it happen once.
func checkClaimed(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	if !ev.Claimed {
		if ev.Kind == compliance.EventExpired || ev.Kind == compliance.EventNudge || ev.Kind == compliance.EventEscalation {
			return fmt.Errorf("%s event not marked Claimed", ev.Kind)
		}
		return nil
	}
	var n int64
	want := int64(1)
	var err error
	switch ev.Kind {
	case compliance.EventExpired:
		err = tx.Raw(`SELECT COUNT(*) FROM cycles WHERE id = ? AND status = ? AND updated_at = ?`, ev.Cycle.ID, compliance.StatusExpired, now.UTC()).Scan(&n).Error
	case compliance.EventNudge:
		err = tx.Raw(`SELECT COUNT(*) FROM nudge_log WHERE employee_id = ? AND course_id = ? AND month = ? AND created_at = ?`,
			ev.Cycle.EmployeeID, ev.Cycle.CourseID, ev.Stage, now.UTC()).Scan(&n).Error
	case compliance.EventEscalation:
		ids := make([]string, len(ev.Cycles))
		for i, c := range ev.Cycles {
			ids[i] = c.ID
		}
		want = int64(len(ids))
		err = tx.Raw(`SELECT COUNT(*) FROM escalations WHERE cycle_id IN ? AND manager_id = ? AND dedupe_key <> ''`, ids, ev.ManagerID).Scan(&n).Error
	default:
		return fmt.Errorf("%s event marked Claimed", ev.Kind)
	}
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%s event marked Claimed, but this transaction wrote %d of the %d rows that claim it", ev.Kind, n, want)
	}
	return nil
}

func (r *recorder) take() []string { e := r.events; r.events = nil; return e }

type fixture struct {
	t   *testing.T
	db  *db.DB
	eng *compliance.Engine
	rec *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := d.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c1', 'Course', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	return &fixture{t: t, db: d, eng: &compliance.Engine{DB: d, Notifier: rec}, rec: rec}
}

func (f *fixture) employee(email, dept string, hired time.Time, manager *people.Employee) *people.Employee {
	f.t.Helper()
	e := &people.Employee{Email: email, FirstName: "F", LastName: email, Department: dept, HireDate: &hired}
	if manager != nil {
		e.ManagerID = &manager.ID
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, hired) }); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) rule(r *compliance.Rule) {
	f.t.Helper()
	r.ID, r.CourseID, r.Active, r.Source = "r-"+r.Name, "c1", true, "hr"
	r.CreatedAt, r.UpdatedAt = time.Now(), time.Now()
	if r.DueFrom == "" {
		r.DueFrom = compliance.DueFromHire
	}
	if r.Base == "" {
		r.Base = compliance.BaseExpiry
	}
	if err := r.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Create(r).Error; err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) cycles(empID string) []*compliance.Cycle {
	f.t.Helper()
	var cs []*compliance.Cycle
	if err := f.db.Where("employee_id = ?", empID).Order("number").Find(&cs).Error; err != nil {
		f.t.Fatal(err)
	}
	return cs
}

func (f *fixture) pass(now time.Time) compliance.PassResult {
	f.t.Helper()
	ctx := context.Background()
	ev, err := f.eng.Evaluate(ctx, now, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := f.eng.Advance(ctx, now)
	if err != nil {
		f.t.Fatal(err)
	}
	res.EvalResult = ev
	return res
}

func date(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

func TestEvaluateAssignsByHireDateOrFirstMatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30, EveryMonths: 12, WindowDays: 60})
	recent := f.employee("recent@x.test", "Nursing", date("2026-02-20"), nil)
	veteran := f.employee("veteran@x.test", "Nursing", date("2019-05-01"), nil)
	now := date("2026-03-01").Add(9 * time.Hour)

	res := f.pass(now)
	if res.Assigned != 2 {
		t.Fatalf("assigned %d, want 2", res.Assigned)
	}
	rc := f.cycles(recent.ID)
	if len(rc) != 1 || !rc[0].DueAt.Equal(date("2026-03-22")) || !strings.Contains(rc[0].Derivation, "30 days after your hire date, 20 February 2026") {
		t.Fatalf("recent hire's cycle: %+v", rc[0])
	}
	vc := f.cycles(veteran.ID)
	if !vc[0].DueAt.Equal(date("2026-03-31")) || !strings.Contains(vc[0].Derivation, "assigned to you on 1 March 2026") {
		t.Fatalf("veteran's cycle due %s (%s), want 2026-03-31 from the first match", vc[0].DueAt, vc[0].Derivation)
	}
	if got := f.rec.take(); len(got) != 2 || !slices.Contains(got, "assigned/"+recent.ID) {
		t.Fatalf("events %v", got)
	}
	// A second pass at the same instant changes nothing and says nothing.
	if res := f.pass(now); res.Assigned != 0 || res.Reminders != 0 || len(f.rec.take()) != 0 {
		t.Fatalf("second pass did something: %+v", res)
	}
}

func TestEvaluateClosesAndReopens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "nursing", Departments: compliance.StringList{"Nursing"}, DueDays: 30})
	e := f.employee("n@x.test", "Nursing", date("2026-01-10"), nil)
	now := date("2026-01-15")
	f.pass(now)
	if cs := f.cycles(e.ID); len(cs) != 1 || cs[0].Status != compliance.StatusOpen {
		t.Fatalf("cycles %+v", cs)
	}
	// Moves to another department: no longer required, history kept.
	f.db.Model(&people.Employee{}).Where("id = ?", e.ID).Update("department", "Radiology")
	res := f.pass(now.AddDate(0, 0, 1))
	cs := f.cycles(e.ID)
	if res.Closed != 1 || cs[0].Status != compliance.StatusClosed || cs[0].ClosedReason != compliance.ClosedNoLongerRequired {
		t.Fatalf("after moving: %+v %+v", res, cs[0])
	}
	// Back to Nursing: a new cycle, the old one stays as history.
	f.db.Model(&people.Employee{}).Where("id = ?", e.ID).Update("department", "Nursing")
	f.pass(now.AddDate(0, 0, 2))
	cs = f.cycles(e.ID)
	if len(cs) != 2 || cs[1].Status != compliance.StatusOpen || cs[0].Status != compliance.StatusClosed {
		t.Fatalf("after moving back: %d cycles", len(cs))
	}
	// Leaves: open cycles closed as inactive, nothing deleted.
	f.db.Model(&people.Employee{}).Where("id = ?", e.ID).Update("status", "inactive")
	f.pass(now.AddDate(0, 0, 3))
	cs = f.cycles(e.ID)
	if len(cs) != 2 || cs[1].ClosedReason != compliance.ClosedInactive {
		t.Fatalf("after leaving: %+v", cs[1])
	}
}

func TestTwoYearsOfCycles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30, EveryMonths: 12, WindowDays: 60})
	mgr := f.employee("m@x.test", "Nursing", date("2020-01-01"), nil)
	e := f.employee("e@x.test", "Nursing", date("2026-03-02"), mgr)
	day := date("2026-03-02").Add(9 * time.Hour)
	var log []string
	completeOn := date("2026-03-25").Add(9 * time.Hour)
	for i := 0; i < 2*366; i++ {
		now := day.AddDate(0, 0, i)
		f.pass(now)
		if now.Equal(completeOn) {
			cs := f.cycles(e.ID)
			rec := compliance.Recurrence{EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry}
			version := mustVersion(t, f)
			if err := f.db.Transaction(func(tx *gorm.DB) error {
				return compliance.Complete(tx, cs[0], now, rec, version)
			}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ev := range f.rec.take() {
			log = append(log, now.Format("2006-01-02")+" "+strings.ReplaceAll(strings.ReplaceAll(ev, e.ID, "E"), mgr.ID, "M"))
		}
	}
	// The manager, hired long before, is due 30 days after the rule first matched.
	for _, w := range []string{"2026-03-02 assigned/M", "2026-03-18 reminder/due_14/M", "2026-04-02 reminder/overdue_1/M"} {
		if !slices.Contains(log, w) {
			t.Errorf("missing event %q in %q", w, log)
		}
	}
	// The learner completed on 25 March, on time: expiry 1 April 2027 (due date + 12 months),
	// the refresher window opens 60 days before, then nothing is done.
	wantE := []string{
		"2026-03-02 assigned/E", "2026-03-18 reminder/due_14/E",
		"2027-01-31 window_open/E", "2027-03-18 reminder/due_14/E", "2027-03-29 reminder/due_3/E",
		"2027-04-01 reminder/due_today/E", "2027-04-02 expired/E", "2027-04-02 reminder/overdue_1/E",
		"2027-04-08 escalation/M/E", "2027-04-09 reminder/overdue_2/E", "2027-04-16 reminder/overdue_3/E",
		"2027-04-23 reminder/overdue_4/E",
	}
	var gotE []string
	for _, l := range log {
		if strings.Contains(l, "/E") {
			gotE = append(gotE, l)
		}
	}
	if !slices.Equal(gotE, wantE) {
		t.Errorf("the learner's two years:\n got %q\nwant %q", gotE, wantE)
	}
	cs := f.cycles(e.ID)
	if len(cs) != 2 || cs[0].Status != compliance.StatusExpired || !cs[0].ExpiresAt.Equal(date("2027-04-01")) ||
		cs[1].Path != compliance.PathRefresher || !cs[1].DueAt.Equal(date("2027-04-01")) || cs[1].Status != compliance.StatusOverdue {
		t.Fatalf("cycles at the end: %+v / %+v", cs[0], cs[1])
	}
}

func mustVersion(t *testing.T, f *fixture) string {
	t.Helper()
	var id string
	f.db.Raw("SELECT id FROM content_versions WHERE course_id = 'c1' LIMIT 1").Scan(&id)
	if id != "" {
		return id
	}
	id = "v1"
	if err := f.db.Exec("INSERT INTO content_versions (id, course_id, module_id, hash, title, source, created_at) VALUES ('v1', 'c1', '', 'h', 'Course', '', ?)", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func TestExtendAndExempt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 10})
	e := f.employee("x@x.test", "Nursing", date("2026-01-01"), nil)
	f.pass(date("2026-01-02"))
	f.pass(date("2026-01-20")) // overdue
	c := f.cycles(e.ID)[0]
	if c.Status != compliance.StatusOverdue {
		t.Fatalf("status %s", c.Status)
	}
	err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Extend(tx, c.ID, date("2026-01-05"), "sick leave", "hr", date("2026-01-20"))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "must be after") || apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an earlier date must be refused as invalid input, got %v", err)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Problems) != 1 || ae.Problems[0].Field != "due" {
		t.Fatalf("the refusal names no field: %#v", err)
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Extend(tx, c.ID, date("2026-02-15"), "sick leave", "hr", date("2026-01-20"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c = f.cycles(e.ID)[0]
	if c.Status != compliance.StatusOpen || !c.DueAt.Equal(date("2026-02-15")) || !strings.Contains(c.Derivation, "extended from 11 January 2026 (sick leave)") {
		t.Fatalf("after extension: %+v", c)
	}
	until := date("2026-06-01")
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Exempt(tx, c.ID, "long-term leave", &until, "hr", date("2026-01-21"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.pass(date("2026-05-31"))
	if cs := f.cycles(e.ID); len(cs) != 1 || cs[0].Status != compliance.StatusExempt {
		t.Fatalf("still exempt before the end: %+v", cs)
	}
	f.pass(date("2026-06-01"))
	cs := f.cycles(e.ID)
	if len(cs) != 2 || !cs[1].DueAt.Equal(date("2026-06-11")) || cs[1].Status != compliance.StatusOpen {
		t.Fatalf("after the exemption ended: %d cycles, last %+v", len(cs), cs[len(cs)-1])
	}
	var n int64
	f.db.Model(&compliance.CycleChange{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d cycle changes recorded, want 2", n)
	}
}

func TestManualAssignmentSurvivesRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.rule(&compliance.Rule{Name: "radiology", Departments: compliance.StringList{"Radiology"}, DueDays: 30})
	e := f.employee("manual@x.test", "Nursing", date("2026-01-10"), nil)
	now := date("2026-01-15")
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Assign(tx, e.ID, "c1", now, now.AddDate(0, 0, 14), "assigned by HR")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.pass(now.AddDate(0, 0, 1))
	if cs := f.cycles(e.ID); len(cs) != 1 || cs[0].Status != compliance.StatusOpen {
		t.Fatalf("a manual assignment was closed by a rule that never covered it: %+v", cs)
	}
	f.db.Model(&people.Employee{}).Where("id = ?", e.ID).Update("status", "inactive")
	f.pass(now.AddDate(0, 0, 2))
	if cs := f.cycles(e.ID); cs[0].Status != compliance.StatusClosed || cs[0].ClosedReason != compliance.ClosedInactive {
		t.Fatalf("a leaver's manual assignment stayed open: %+v", cs[0])
	}
}

func TestConfiguredDueSoonDays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.eng.Policy = compliance.ReminderPolicy{DueSoonDays: []int{7}, OverdueEveryDays: 7, OverdueMax: 4, EscalateAfterDays: 7}
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	e := f.employee("r@x.test", "Nursing", date("2026-03-02"), nil)
	var got []string
	for d := date("2026-03-02"); d.Before(date("2026-04-02")); d = d.AddDate(0, 0, 1) {
		f.pass(d)
		for _, ev := range f.rec.take() {
			got = append(got, d.Format("01-02")+" "+strings.ReplaceAll(ev, e.ID, "E"))
		}
	}
	want := []string{"03-02 assigned/E", "03-25 reminder/due_7/E", "04-01 reminder/due_today/E"}
	if !slices.Equal(got, want) {
		t.Fatalf("reminders with due-soon days [7]: %q, want %q", got, want)
	}
}

// TestDueSoonDaysChangedMidway: a reminder already sent stands for every
// stage of the new policy that comes before it. Sent 3 days before under
// [14 3], the 14-day reminder is not raised again once the policy is [14];
// under [14 7 3] after the 14-day one, the 7-day one comes next.
func TestDueSoonDaysChangedMidway(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		switchOn      string
		before, after []int
		want          []string
	}{
		{"a stage dropped", "03-29", []int{14, 3}, []int{14},
			[]string{"03-02 assigned/E", "03-17 reminder/due_14/E", "03-28 reminder/due_3/E", "03-31 reminder/due_today/E"}},
		{"a stage added", "03-20", []int{14, 3}, []int{14, 7, 3},
			[]string{"03-02 assigned/E", "03-17 reminder/due_14/E", "03-24 reminder/due_7/E", "03-28 reminder/due_3/E", "03-31 reminder/due_today/E"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			policy := func(days []int) compliance.ReminderPolicy {
				return compliance.ReminderPolicy{DueSoonDays: days, OverdueEveryDays: 7, OverdueMax: 4, EscalateAfterDays: 7}
			}
			f.eng.Policy = policy(c.before)
			f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 29})
			e := f.employee("r@x.test", "Nursing", date("2026-03-02"), nil)
			var got []string
			for d := date("2026-03-02"); d.Before(date("2026-04-01")); d = d.AddDate(0, 0, 1) {
				if d.Format("01-02") == c.switchOn {
					f.eng.Policy = policy(c.after)
				}
				f.pass(d)
				for _, ev := range f.rec.take() {
					got = append(got, d.Format("01-02")+" "+strings.ReplaceAll(ev, e.ID, "E"))
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("due-soon days %v, then %v from %s: %q, want %q", c.before, c.after, c.switchOn, got, c.want)
			}
		})
	}
}

// TestEscalationIsOneDigestPerManagerPerPass: a manager's people fall into
// different batches of a pass (here one person per batch), yet the manager
// hears about all of them in one digest, and nothing is escalated twice.
func TestEscalationIsOneDigestPerManagerPerPass(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	mgr := f.employee("mgr@x.test", "Nursing", date("2019-01-01"), nil)
	var team []string
	for i := range 5 {
		e := f.employee(fmt.Sprintf("p%d@x.test", i), "Nursing", date("2026-03-01"), mgr)
		team = append(team, e.ID)
	}
	pass := func(now time.Time) {
		t.Helper()
		if _, err := f.eng.Pass(ctx, now, compliance.PassOptions{BatchPeople: 1}); err != nil {
			t.Fatal(err)
		}
	}
	pass(date("2026-03-02"))
	f.rec.take()
	// Due 31 March; escalated seven days after.
	pass(date("2026-04-08"))
	var digests []string
	for _, ev := range f.rec.take() {
		if strings.HasPrefix(ev, "escalation/") {
			digests = append(digests, ev)
		}
	}
	if len(digests) != 1 {
		t.Fatalf("escalation messages in one pass: %q, want one digest for the manager", digests)
	}
	for _, id := range team {
		if !strings.Contains(digests[0], id) {
			t.Errorf("the digest %q does not name %s", digests[0], id)
		}
	}
	pass(date("2026-04-09"))
	for _, ev := range f.rec.take() {
		if strings.HasPrefix(ev, "escalation/") {
			t.Errorf("escalated again the next day: %q", ev)
		}
	}
	var pending int64
	if err := f.db.Table("escalations").Where("dedupe_key = ''").Count(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d escalations left pending after the pass", pending)
	}
}

// TestOverlappingEscalationSendsSendOnce: two sends that composed the same
// digests (on PostgreSQL, a pass whose planning lock was lost, beside the
// next) write them one after the other: the second finds the escalations
// taken and raises nothing. The escalations rows are the digest's claim,
// not outbox_keys (Event.Claimed).
func TestOverlappingEscalationSendsSendOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	mgr := f.employee("mgr@x.test", "Nursing", date("2019-01-01"), nil)
	for i := range 3 {
		f.employee(fmt.Sprintf("p%d@x.test", i), "Nursing", date("2026-03-01"), mgr)
	}
	if _, err := f.eng.Pass(ctx, date("2026-03-02"), compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	// Due 31 March, escalated seven days after: recorded pending by the
	// batches, not yet sent.
	if _, err := f.eng.AdvanceOnly(ctx, date("2026-04-08")); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	first, second, err := f.eng.SendEscalationsComposedOnce(ctx, date("2026-04-08"))
	if err != nil {
		t.Fatal(err)
	}
	if first != 1 || second != 0 {
		t.Errorf("escalation digests raised by the two sends: %d and %d, want 1 and 0", first, second)
	}
	var pending int64
	if err := f.db.Table("escalations").Where("dedupe_key = ''").Count(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d escalations left pending", pending)
	}
}

// TestEscalationDigestListsTheLongestOverdueAndCountsTheRest: a manager with
// more overdue people than a digest lists gets one digest naming the first
// compliance.EscalationListed and counting the others; all of them are
// marked escalated, so the next pass sends nothing. (One digest of 8,670
// lines held SQLite's write lock for 2.6 s at 10,000 people.)
func TestEscalationDigestListsTheLongestOverdueAndCountsTheRest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	mgr := f.employee("mgr@x.test", "Nursing", date("2019-01-01"), nil)
	extra := 7
	for i := range compliance.EscalationListed + extra {
		f.employee(fmt.Sprintf("p%03d@x.test", i), "Nursing", date("2026-03-01"), mgr)
	}
	pass := func(now time.Time) []string {
		t.Helper()
		if _, err := f.eng.Pass(ctx, now, compliance.PassOptions{}); err != nil {
			t.Fatal(err)
		}
		var digests []string
		for _, ev := range f.rec.take() {
			if strings.HasPrefix(ev, "escalation/") {
				digests = append(digests, ev)
			}
		}
		return digests
	}
	pass(date("2026-03-02"))
	digests := pass(date("2026-04-08"))
	if len(digests) != 1 {
		t.Fatalf("%d escalation digests, want 1", len(digests))
	}
	listed := strings.Split(strings.Split(digests[0], "/")[2], "+")
	if len(listed) != compliance.EscalationListed {
		t.Errorf("the digest lists %d people, want %d", len(listed), compliance.EscalationListed)
	}
	if want := fmt.Sprintf("/more=%d", extra); !strings.HasSuffix(digests[0], want) {
		t.Errorf("the digest %q…%q does not count the %d others", digests[0][:40], digests[0][len(digests[0])-12:], extra)
	}
	var pending int64
	if err := f.db.Table("escalations").Where("dedupe_key = ''").Count(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d escalations left pending", pending)
	}
	if again := pass(date("2026-04-09")); len(again) != 0 {
		t.Errorf("escalated again the next day: %d digests", len(again))
	}
}
