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

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
)

// previewFigures is what a preview says, in a form two previews compare by.
func previewFigures(p compliance.RulePreview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "matched %d, assigned %d (%d new cycles, due %s to %s), closed %d, unchanged %d\n",
		p.Matched, p.Assigned, p.NewCycles, p.FirstDue.Format(time.DateOnly), p.LastDue.Format(time.DateOnly), p.Closed, p.Unchanged)
	for _, list := range [][]compliance.PreviewPerson{p.AssignedSample, p.ClosedSample} {
		for _, person := range list {
			due := "-"
			if person.DueAt != nil {
				due = person.DueAt.Format(time.DateOnly)
			}
			fmt.Fprintf(&b, "  %s %s: %s\n", person.Name, due, person.Why)
		}
	}
	return b.String()
}

// TestRuleChangeInBatchesIsTheSameChange: a rule change concerning more
// people than one transaction takes (at hospital scale, everyone) is
// previewed and applied a batch of people per transaction, and says and
// does exactly what one transaction for everyone does: the same counts,
// the same due dates, the same people named, in the same order; the
// preview writes nothing, and the change is audited when it is made and
// again when everyone has it.
func TestRuleChangeInBatchesIsTheSameChange(t *testing.T) {
	// Not parallel: SetRuleBatch changes a package variable.
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	hr := env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, "")
	by := compliance.Actor{ID: hr.ID, Name: "Hana Resources"}
	staff := people.Actor{ID: hr.ID, Name: "Hana Resources"}
	if err := env.App.DB.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c1', 'Course One', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	// More people than a preview names (PreviewSampleSize), hired on
	// different days of the last month, so that a rule due 30 days after
	// hire gives them due dates in no order of theirs.
	var ids []string
	for i, daysAgo := range []int{10, 400, 25, 3, 17, 900, 1, 21, 12, 28, 6, 14} {
		e, err := env.App.Staff.Create(ctx, staff, people.Details{
			EmployeeNumber: fmt.Sprintf("E%d", i), Email: fmt.Sprintf("p%d@example.org", i), FirstName: fmt.Sprintf("Person%02d", 20-i),
			LastName: "Batch", Department: "Nursing", JobTitle: "Nurse", HireDate: now.AddDate(0, 0, -daysAgo).Format(time.DateOnly),
			Role: people.RoleLearner,
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	defer compliance.SetRuleBatch(2)()

	ruleEntries := func() int64 {
		var n int64
		if err := env.App.DB.Model(&audit.Entry{}).Where("entity_type = 'rule'").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	basic, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	basic.Active = false
	for _, step := range []struct {
		what      string
		rule      *compliance.Rule
		concerned int
		assigns   bool
	}{
		// Everyone (HR's own account too) is no longer required to take
		// the course.
		{"deactivated", basic, len(ids) + 1, false},
		// The nurses (HR's account is in Nursing too) get a course they
		// never had.
		{"created", &compliance.Rule{Name: "Nurses", CourseID: "c1", Departments: compliance.StringList{"Nursing"},
			DueDays: 30, DueFrom: compliance.DueFromHire, EveryMonths: 12, Base: compliance.BaseExpiry, Active: true}, len(ids) + 1, true},
	} {
		rule := step.rule
		transactions := (step.concerned + 1) / 2
		later := env.Clock.Now().Add(time.Hour)
		env.Clock.Set(later)

		single, err := env.App.Engine.Preview(env.App.DB.DB, later, rule)
		if err != nil {
			t.Fatal(err)
		}
		batched, err := env.App.Engine.PreviewRule(ctx, rule, later)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := previewFigures(batched), previewFigures(single); got != want {
			t.Fatalf("%s: the preview a batch at a time says\n%s\none transaction says\n%s", step.what, got, want)
		}
		if batched.Transactions != transactions {
			t.Errorf("%s: the preview took %d transactions, want %d (2 people each)", step.what, batched.Transactions, transactions)
		}
		if batched.Closed+batched.Assigned != step.concerned {
			t.Fatalf("%s: the preview changes %d people, want all %d: %s", step.what, batched.Closed+batched.Assigned, step.concerned, previewFigures(batched))
		}
		sample := batched.ClosedSample
		if step.assigns {
			sample = batched.AssignedSample
			if batched.NewCycles != step.concerned || batched.FirstDue.IsZero() || !batched.FirstDue.Before(batched.LastDue) {
				t.Fatalf("%s: %s", step.what, previewFigures(batched))
			}
		}
		if len(sample) != compliance.PreviewSampleSize {
			t.Fatalf("%s: the preview names %d people, want %d", step.what, len(sample), compliance.PreviewSampleSize)
		}
		if !slices.IsSortedFunc(sample, func(a, b compliance.PreviewPerson) int {
			if step.assigns {
				return a.DueAt.Compare(*b.DueAt)
			}
			return strings.Compare(a.Name, b.Name)
		}) {
			t.Fatalf("%s: the people named are out of order: %s", step.what, previewFigures(batched))
		}
		before := ruleEntries()
		saved, err := env.App.Engine.ChangeRule(ctx, rule, by, later)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := previewFigures(saved), previewFigures(batched); got != want {
			t.Fatalf("%s: saving did\n%s\nthe preview said\n%s", step.what, got, want)
		}
		if saved.Transactions != transactions {
			t.Errorf("%s: saving took %d transactions, want %d", step.what, saved.Transactions, transactions)
		}
		var entries []audit.Entry
		if err := env.App.DB.Where("entity_type = 'rule'").Order("seq").Offset(int(before)).Find(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || !strings.Contains(entries[0].Summary, fmt.Sprintf("%s; being applied to the %d people", step.what, step.concerned)) ||
			!strings.Contains(entries[1].Summary, "applied to everyone it concerns") {
			t.Fatalf("%s: audit entries %+v", step.what, entries)
		}
		var active int64
		if err := env.App.DB.Model(&compliance.Assignment{}).Where("course_id = ? AND status = 'active' AND employee_id IN ?", rule.CourseID, ids).
			Count(&active).Error; err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int64{false: 0, true: int64(len(ids))}[step.assigns]; active != want {
			t.Fatalf("%s: %d active assignments, want %d", step.what, active, want)
		}
	}
}

// TestRuleChangeWaitsForThePlanningLock: a rule change takes the lock a
// scheduler pass plans under, so a pass never evaluates people while a
// change has reached only some of them; held too long, the change is
// refused with a message saying to try again, and nothing is saved.
func TestRuleChangeWaitsForThePlanningLock(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	env.App.Engine.PlanningWait = 300 * time.Millisecond
	release, ok, err := env.App.DB.TryAdvisoryLock(ctx, compliance.PlanningLock)
	if err != nil || !ok {
		t.Fatalf("take the planning lock: %v %v", ok, err)
	}
	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.DueDays = 45
	_, err = env.App.Engine.ChangeRule(ctx, rule, compliance.Actor{ID: "x", Name: "X"}, now)
	if !errors.Is(err, compliance.ErrPlanningBusy) {
		t.Fatalf("with the planning lock held: %v, want ErrPlanningBusy", err)
	}
	if stored, _ := env.App.Cycles.Rule(ctx, rule.ID); stored.DueDays == 45 {
		t.Fatal("the refused change was saved")
	}
	release()
	if _, err := env.App.Engine.ChangeRule(ctx, rule, compliance.Actor{ID: "x", Name: "X"}, now); err != nil {
		t.Fatal(err)
	}
	if stored, _ := env.App.Cycles.Rule(ctx, rule.ID); stored.DueDays != 45 {
		t.Fatalf("due days %d after the change, want 45", stored.DueDays)
	}
}

// TestRuleChangeOutlivesItsRequest: once the first batch has saved the rule,
// the change goes on to everyone it concerns even when the request that
// asked for it is cancelled (HR closed the page), and records that it did.
func TestRuleChangeOutlivesItsRequest(t *testing.T) {
	// Not parallel: SetRuleBatch changes a package variable.
	env := apptest.New(t, apptest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	now := env.Clock.Now()
	for i := range 5 {
		env.CreateEmployee(fmt.Sprintf("p%d@example.org", i), "Person", fmt.Sprint(i), people.RoleLearner, "")
	}
	defer compliance.SetRuleBatch(2)()
	standings, calls := env.App.Engine.Standings, 0
	env.App.Engine.Standings = func(tx *gorm.DB, now time.Time, ids []string) error {
		if calls++; calls == 2 {
			cancel() // the first batch has committed: the request goes away
		}
		return standings(tx, now, ids)
	}
	rule, err := env.App.Cycles.Rule(context.Background(), compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.Active = false
	p, err := env.App.Engine.ChangeRule(ctx, rule, compliance.Actor{ID: "hr", Name: "HR"}, now)
	if err != nil {
		t.Fatalf("a change whose request went away after its first batch: %v", err)
	}
	if p.Closed != 5 || p.Transactions != 3 {
		t.Fatalf("%d closed in %d transactions, want 5 in 3", p.Closed, p.Transactions)
	}
	var active, applied int64
	env.App.DB.Model(&compliance.Assignment{}).Where("course_id = 'basic' AND status = 'active'").Count(&active)
	env.App.DB.Model(&audit.Entry{}).Where("entity_type = 'rule' AND summary LIKE ?", "%applied to everyone it concerns%").Count(&applied)
	if active != 0 || applied != 1 {
		t.Fatalf("%d assignments still active, %d audit entries of the change applied; want 0 and 1", active, applied)
	}
}

// TestRuleChangeLeavesOutWhoKeepsTheCourse: a rule change evaluates only
// the people whose course it can change. Those both versions match, with no
// other rule for the course matching them, keep it and are only counted:
// changing the due date of a rule for everyone evaluates nobody. A preview
// also leaves out the people another rule for the course matches: the
// preview of a second rule for everyone evaluates nobody. Each change below
// is previewed and saved twice, on two identical organisations, once
// leaving those people out and once evaluating everyone either version
// matches: the figures, the people named and the assignments (with the
// rule controlling each) come out the same, and the shortcut evaluates
// fewer people where there are people to leave out.
func TestRuleChangeLeavesOutWhoKeepsTheCourse(t *testing.T) {
	// Not parallel: SetRuleBatch and SetRuleShortcut change package variables.
	defer compliance.SetRuleBatch(2)()
	// organisation has the course "basic" by a rule for everyone (due 30
	// days after hire) and a rule for the nurses (60 days, so the rule for
	// everyone controls the course for them), and everyone evaluated.
	organisation := func() (*apptest.Env, compliance.Actor) {
		env := apptest.New(t, apptest.Options{})
		ctx, now := context.Background(), env.Clock.Now()
		hr := env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, "")
		by := compliance.Actor{ID: hr.ID, Name: "Hana Resources"}
		staff := people.Actor{ID: hr.ID, Name: "Hana Resources"}
		for i, p := range []struct {
			dept    string
			daysAgo int
		}{{"Nursing", 3}, {"Nursing", 40}, {"Nursing", 12}, {"Nursing", 7}, {"Nursing", 400}, {"Pharmacy", 5},
			{"Pharmacy", 20}, {"Pharmacy", 2}, {"Pharmacy", 90}, {"Portering", 9}, {"Portering", 1}, {"Portering", 30}} {
			e, err := env.App.Staff.Create(ctx, staff, people.Details{
				EmployeeNumber: fmt.Sprintf("E%02d", i), Email: fmt.Sprintf("p%d@example.org", i), FirstName: fmt.Sprintf("Person%02d", i),
				LastName: "Kept", Department: p.dept, JobTitle: "Staff", HireDate: now.AddDate(0, 0, -p.daysAgo).Format(time.DateOnly),
				Role: people.RoleLearner,
			}, now)
			if err != nil {
				t.Fatal(err)
			}
			if i == 4 || i == 8 { // a nurse and a pharmacist who left
				if err := env.App.DB.Exec("UPDATE employees SET status = 'inactive' WHERE id = ?", e.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		nurses := &compliance.Rule{Name: "Nurses", CourseID: "basic", Departments: compliance.StringList{"Nursing"},
			DueDays: 60, DueFrom: compliance.DueFromHire, EveryMonths: 12, Base: compliance.BaseExpiry, Active: true}
		if _, err := env.App.Engine.ChangeRule(ctx, nurses, by, now); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Engine.Evaluate(ctx, now, nil); err != nil {
			t.Fatal(err)
		}
		// A porter who left, written where the engine has not seen it
		// yet (queued for evaluation): their course is due to close.
		if err := env.App.DB.Exec("UPDATE employees SET status = 'inactive' WHERE email = 'p10@example.org'").Error; err != nil {
			t.Fatal(err)
		}
		env.Clock.Set(now.Add(time.Hour))
		return env, by
	}
	rule := func(env *apptest.Env, name string) *compliance.Rule {
		var r compliance.Rule
		if err := env.App.DB.Where("name = ? AND course_id = 'basic'", name).First(&r).Error; err != nil {
			t.Fatalf("rule %q: %v", name, err)
		}
		return &r
	}
	// assignments lists who has which course, by which rule, how.
	assignments := func(env *apptest.Env) string {
		var rows []struct{ Email, Course, Rule, Status string }
		if err := env.App.DB.Raw(`SELECT e.email, a.course_id AS course, COALESCE(r.name, '-') AS rule, a.status
			FROM assignments a JOIN employees e ON e.id = a.employee_id LEFT JOIN assignment_rules r ON r.id = a.rule_id
			ORDER BY e.email, a.course_id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintf(&b, "%s %s %s %s\n", r.Email, r.Course, r.Rule, r.Status)
		}
		return b.String()
	}
	// newRule is the name of a rule the change creates.
	const newRule = "(new)"
	for _, c := range []struct {
		what   string
		rule   string
		change func(*compliance.Rule)
		// fewer says whether the shortcut has people to leave out of
		// saving; previewing leaves out people in every case below.
		fewer bool
	}{
		{"the rule for everyone due later", "", func(r *compliance.Rule) { r.DueDays = 45 }, true},
		{"the nurses' rule due sooner than the rule for everyone", "Nurses", func(r *compliance.Rule) { r.DueDays = 7 }, false},
		{"the rule for everyone narrowed to two departments", "", func(r *compliance.Rule) {
			r.Everyone, r.Departments = false, compliance.StringList{"Pharmacy", "Portering"}
		}, true},
		{"the nurses' rule widened to the pharmacists", "Nurses", func(r *compliance.Rule) {
			r.Departments = compliance.StringList{"Nursing", "Pharmacy"}
		}, false},
		{"the rule for everyone deactivated", "", func(r *compliance.Rule) { r.Active = false }, false},
		{"a second rule for everyone, due sooner", newRule, func(r *compliance.Rule) {
			r.Name, r.Everyone, r.DueDays = "Everyone again", true, 14
		}, false},
		{"a new rule for the pharmacists, due later", newRule, func(r *compliance.Rule) {
			r.Name, r.Departments, r.DueDays = "Pharmacists", compliance.StringList{"Pharmacy"}, 90
		}, false},
	} {
		var figures, states [2]string
		var transactions, previewed [2]int
		for i, shortcut := range []bool{false, true} {
			env, by := organisation()
			ctx, now := context.Background(), env.Clock.Now()
			var r *compliance.Rule
			switch c.rule {
			case "":
				var err error
				if r, err = env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic")); err != nil {
					t.Fatal(err)
				}
			case newRule:
				r = &compliance.Rule{CourseID: "basic", DueFrom: compliance.DueFromHire, EveryMonths: 12,
					Base: compliance.BaseExpiry, Active: true}
			default:
				r = rule(env, c.rule)
			}
			c.change(r)
			restore := compliance.SetRuleShortcut(shortcut)
			preview, err := env.App.Engine.PreviewRule(ctx, r, now)
			if err != nil {
				restore()
				t.Fatalf("%s: preview: %v", c.what, err)
			}
			saved, err := env.App.Engine.ChangeRule(ctx, r, by, now)
			restore()
			if err != nil {
				t.Fatalf("%s: save: %v", c.what, err)
			}
			if got, want := previewFigures(saved), previewFigures(preview); got != want {
				t.Fatalf("%s (shortcut %v): saving did\n%s\nthe preview said\n%s", c.what, shortcut, got, want)
			}
			figures[i], states[i], transactions[i] = previewFigures(saved), assignments(env), saved.Transactions
			previewed[i] = preview.Transactions
		}
		if figures[1] != figures[0] {
			t.Errorf("%s: leaving out who keeps the course says\n%s\nevaluating them says\n%s", c.what, figures[1], figures[0])
		}
		if states[1] != states[0] {
			t.Errorf("%s: leaving out who keeps the course leaves\n%s\nevaluating them leaves\n%s", c.what, states[1], states[0])
		}
		if c.fewer != (transactions[1] < transactions[0]) {
			t.Errorf("%s: %d transactions leaving them out, %d evaluating them", c.what, transactions[1], transactions[0])
		}
		if previewed[1] >= previewed[0] {
			t.Errorf("%s: the preview took %d transactions leaving them out, %d evaluating them", c.what, previewed[1], previewed[0])
		}
	}
}

// failLastRuleBatch makes the last batch of a rule change applied in
// several fail as it records the change's second audit entry (a disk that
// filled up, say): SQLite and PostgreSQL alike refuse it.
func failLastRuleBatch(t *testing.T, env *apptest.Env) {
	t.Helper()
	failing := map[bool][]string{
		false: {`CREATE TRIGGER fail_applied BEFORE INSERT ON audit_log WHEN NEW.summary LIKE '%applied to everyone%'
			BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`},
		true: {`CREATE FUNCTION fail_applied() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.summary LIKE '%applied to everyone%' THEN RAISE EXCEPTION 'the disk is full'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER fail_applied BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_applied()`},
	}[env.App.DB.Dialect == db.Postgres]
	for _, stmt := range failing {
		if err := env.App.DB.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestRuleChangeThatFailsLateSaysWhatItDid: when a later batch of a rule
// change fails, the batches before it stand, and what ChangeRule returns
// counts only them, with an error saying how many people they reached.
func TestRuleChangeThatFailsLateSaysWhatItDid(t *testing.T) {
	// Not parallel: SetRuleBatch changes a package variable.
	env := apptest.New(t, apptest.Options{})
	now := env.Clock.Now()
	for i := range 5 {
		env.CreateEmployee(fmt.Sprintf("p%d@example.org", i), "Person", fmt.Sprint(i), people.RoleLearner, "")
	}
	if _, err := env.App.Engine.Evaluate(context.Background(), now, nil); err != nil {
		t.Fatal(err)
	}
	defer compliance.SetRuleBatch(2)()
	failLastRuleBatch(t, env)
	rule, err := env.App.Cycles.Rule(context.Background(), compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.Active = false
	p, err := env.App.Engine.ChangeRule(context.Background(), rule, compliance.Actor{ID: "hr", Name: "HR"}, now)
	if err == nil || !strings.Contains(err.Error(), "applied to 4 of the 5 people") {
		t.Fatalf("a change whose last batch failed: %v", err)
	}
	var active int64
	env.App.DB.Model(&compliance.Assignment{}).Where("course_id = 'basic' AND status = 'active'").Count(&active)
	if p.Closed != 4 || len(p.ClosedSample) != 4 || active != 1 {
		t.Fatalf("says %d closed (%d named), %d assignments still active; want 4, 4 and 1", p.Closed, len(p.ClosedSample), active)
	}
	// The next pass evaluates everyone, which applies the rule to the
	// person the failed batch left out.
	res, err := env.App.Engine.Pass(context.Background(), now.Add(time.Hour), compliance.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env.App.DB.Model(&compliance.Assignment{}).Where("course_id = 'basic' AND status = 'active'").Count(&active)
	if !res.FullEvaluation || active != 0 {
		t.Fatalf("the pass after: everyone evaluated %v, %d assignments still active; want true and 0", res.FullEvaluation, active)
	}
}

// TestPassAfterARuleChangeEvaluatesNobody: a rule change applied to everyone
// it concerns leaves everyone evaluated against the new rules, so the next
// scheduler pass evaluates only the people queued for it, not the whole
// organisation again (at 100,000 people, every person's assignments and
// rule matches read for nothing). It still evaluates everyone when the rules
// had changed some other way before (the stored fingerprint was behind).
func TestPassAfterARuleChangeEvaluatesNobody(t *testing.T) {
	// Not parallel: SetRuleBatch changes a package variable.
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	for i := range 5 {
		env.CreateEmployee(fmt.Sprintf("p%d@example.org", i), "Person", fmt.Sprint(i), people.RoleLearner, "")
	}
	pass := func(what string, full bool) {
		t.Helper()
		now = now.Add(time.Hour)
		res, err := env.App.Engine.Pass(ctx, now, compliance.PassOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FullEvaluation != full || (!full && res.Evaluated != 0) || (full && res.Evaluated < 5) {
			t.Fatalf("%s: the pass evaluated %d people (everyone: %v), want everyone: %v", what, res.Evaluated, res.FullEvaluation, full)
		}
	}
	// The first pass evaluates the people just added (queued for it).
	if _, err := env.App.Engine.Pass(ctx, now, compliance.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	pass("a pass with nothing to do", false)
	defer compliance.SetRuleBatch(2)()
	by := compliance.Actor{ID: "hr", Name: "HR"}
	for _, change := range []struct {
		what string
		edit func(*compliance.Rule)
	}{
		{"a due date moved (nobody evaluated)", func(r *compliance.Rule) { r.DueDays += 15 }},
		{"the rule deactivated (everyone evaluated, in batches)", func(r *compliance.Rule) { r.Active = false }},
		{"the rule reactivated", func(r *compliance.Rule) { r.Active = true }},
	} {
		rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
		if err != nil {
			t.Fatal(err)
		}
		change.edit(rule)
		if _, err := env.App.Engine.ChangeRule(ctx, rule, by, now); err != nil {
			t.Fatal(err)
		}
		pass("after "+change.what, false)
	}
	// Another rule changes while a change is applied in batches (here
	// between two of its batches, written without the engine): the next
	// pass evaluates everyone.
	if err := env.App.DB.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c1', 'Course One', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	nurses := &compliance.Rule{Name: "Nurses", CourseID: "c1", Departments: compliance.StringList{"Nursing"},
		DueDays: 60, DueFrom: compliance.DueFromHire, EveryMonths: 12, Base: compliance.BaseExpiry, Active: true}
	if _, err := env.App.Engine.ChangeRule(ctx, nurses, by, now); err != nil {
		t.Fatal(err)
	}
	pass("after a rule for another course", false)
	standings, calls := env.App.Engine.Standings, 0
	env.App.Engine.Standings = func(tx *gorm.DB, now time.Time, ids []string) error {
		if calls++; calls == 2 {
			if err := tx.Exec(`UPDATE assignment_rules SET due_days = due_days + 1 WHERE id = ?`, nurses.ID).Error; err != nil {
				return err
			}
		}
		return standings(tx, now, ids)
	}
	basic, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	basic.Active = false
	if p, err := env.App.Engine.ChangeRule(ctx, basic, by, now); err != nil || p.Transactions < 2 || calls < 2 {
		t.Fatalf("%v, in %d transactions (%d with changes), want several", err, p.Transactions, calls)
	}
	env.App.Engine.Standings = standings
	pass("after a change while another rule changed", true)

	// The rules changed behind the engine's back (the stored fingerprint is
	// behind): a change then leaves the next pass to evaluate everyone.
	if err := env.App.DB.Exec(`UPDATE engine_state SET value = 'behind' WHERE name = 'rules'`).Error; err != nil {
		t.Fatal(err)
	}
	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.DueDays += 15
	if _, err := env.App.Engine.ChangeRule(ctx, rule, by, now); err != nil {
		t.Fatal(err)
	}
	pass("after a change made while the rules were behind", true)
}

// TestRuleChangeInTheBackground: StartRuleChange records the change, and
// each batch adds what it did to the record in its own transaction, so the
// record ends with the figures ChangeRule returns; a change whose later
// batch fails ends with the batches that committed and a message for HR
// (not the database's error); one refused before its first batch ends with
// the problem and no batch, and nothing saved.
func TestRuleChangeInTheBackground(t *testing.T) {
	// Not parallel: SetRuleBatch changes a package variable.
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	for i := range 5 {
		env.CreateEmployee(fmt.Sprintf("p%d@example.org", i), "Person", fmt.Sprint(i), people.RoleLearner, "")
	}
	if _, err := env.App.Engine.Evaluate(ctx, now, nil); err != nil {
		t.Fatal(err)
	}
	defer compliance.SetRuleBatch(2)()
	by := compliance.Actor{ID: "hr", Name: "Hana Resources"}
	// a is the job's row, with its figures.
	type record struct {
		jobs.Job
		compliance.RuleFigures
	}
	run := func(r *compliance.Rule) (*compliance.RuleRun, record) {
		t.Helper()
		started, err := env.App.Engine.StartRuleChange(ctx, r, by, now)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-started.Done():
		case <-time.After(30 * time.Second):
			t.Fatal("the change did not finish in 30 s")
		}
		j, err := (&jobs.Store{DB: env.App.DB}).Get(ctx, jobs.KindRuleChange, started.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := record{Job: j}
		if err := j.FiguresInto(&a.RuleFigures); err != nil {
			t.Fatal(err)
		}
		return started, a
	}
	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.Active = false
	done, a := run(rule)
	if done.Err != nil {
		t.Fatal(done.Err)
	}
	if a.FinishedAt == nil || a.Error != "" || !a.Begun() || a.Batches != done.Result.Transactions || a.Batches != 3 ||
		a.Total != 5 || a.Done != 5 || a.Closed != 5 || a.Closed != done.Result.Closed || a.Assigned != 0 ||
		a.Subject != rule.ID || a.ActorName != by.Name || a.Title != rule.Name || a.Kind != jobs.KindRuleChange {
		t.Fatalf("the finished change's record: %+v (ChangeRule: %d closed in %d transactions)", a, done.Result.Closed, done.Result.Transactions)
	}

	failLastRuleBatch(t, env)
	rule.Active = true
	failed, a := run(rule)
	if failed.Err == nil || a.FinishedAt == nil || !a.Begun() || a.Batches != 2 || a.Total != 5 || a.Done != 4 || a.Assigned != 4 ||
		strings.Contains(a.Error, "disk") || a.Error == "" {
		t.Fatalf("the change whose last batch failed: %+v (%v)", a, failed.Err)
	}

	// Refused before anything is saved: the course does not exist.
	missing := &compliance.Rule{Name: "Ghost course", CourseID: "no-such-course", Everyone: true,
		DueDays: 30, DueFrom: compliance.DueFromHire, EveryMonths: 12, Base: compliance.BaseExpiry, Active: true}
	refused, a := run(missing)
	var rules int64
	env.App.DB.Model(&compliance.Rule{}).Where("name = ?", "Ghost course").Count(&rules)
	if refused.Err == nil || a.FinishedAt == nil || a.Begun() || a.Batches != 0 || a.Subject != "" ||
		!strings.Contains(a.Error, "no-such-course") || rules != 0 {
		t.Fatalf("the refused change: %+v (%v), %d rules saved", a, refused.Err, rules)
	}
}

// panickyNotifier fails as a bug would: with a panic.
type panickyNotifier struct{}

func (panickyNotifier) Notify(*gorm.DB, compliance.Event, time.Time) error { panic("a bug") }
func (panickyNotifier) NotifyAll(*gorm.DB, []compliance.Event, time.Time) error {
	panic("a bug")
}

// TestRuleChangeInTheBackgroundThatPanics: a panic in a change applied in
// the background ends that change, not the server (no request's recovery
// is around it), and its record says something went wrong, without the
// panic's text.
func TestRuleChangeInTheBackgroundThatPanics(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	env.CreateEmployee("p@example.org", "Person", "One", people.RoleLearner, "")
	if _, err := env.App.Engine.Evaluate(ctx, now, nil); err != nil {
		t.Fatal(err)
	}
	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.Active = false
	if _, err := env.App.Engine.ChangeRule(ctx, rule, compliance.Actor{ID: "hr", Name: "HR"}, now); err != nil {
		t.Fatal(err)
	}
	// Reactivating assigns the course again, which sends an e-mail.
	e := &compliance.Engine{DB: env.App.DB, Notifier: panickyNotifier{}, Standings: env.App.Engine.Standings}
	rule.Active = true
	run, err := e.StartRuleChange(ctx, rule, compliance.Actor{ID: "hr", Name: "HR"}, now)
	if err != nil {
		t.Fatal(err)
	}
	<-run.Done()
	a, err := (&jobs.Store{DB: env.App.DB}).Get(ctx, jobs.KindRuleChange, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Err == nil || !strings.Contains(run.Err.Error(), "a bug") || a.FinishedAt == nil || a.Begun() ||
		a.Error != "Something went wrong on the server; the error is in its log." {
		t.Fatalf("after a panic: %v, record %+v", run.Err, a)
	}
}
