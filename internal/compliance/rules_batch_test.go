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
