package compliance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// useCaseStanding is one person's report row for the fixture course.
type useCaseStanding struct {
	Status string
	DueAt  *time.Time
}

func standingOf(t *testing.T, env *apptest.Env, employeeID string) (useCaseStanding, int) {
	t.Helper()
	var rows []useCaseStanding
	if err := env.App.DB.Raw("SELECT status, due_at FROM compliance_status WHERE employee_id = ? AND course_id = 'basic'", employeeID).
		Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return useCaseStanding{}, 0
	}
	return rows[0], len(rows)
}

// TestUseCasesBringReportStandingsUpToDate: extending, exempting and
// changing a rule are each one call that also refreshes the report rows of
// the people changed, in the same transaction, so HR's lists show the
// change at once rather than after the scheduler's next pass.
func TestUseCasesBringReportStandingsUpToDate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx, now := context.Background(), env.Clock.Now()
	hr := env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, "")
	by := compliance.Actor{ID: hr.ID, Name: "Hana Resources"}
	ana, err := env.App.Staff.Create(ctx, people.Actor{ID: hr.ID, Name: "Hana Resources"}, people.Details{
		EmployeeNumber: "E1", Email: "ana@example.org", FirstName: "Ana", LastName: "Silva", Department: "Nursing",
		JobTitle: "Registered Nurse", HireDate: "2024-01-31", Role: people.RoleLearner,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	st, n := standingOf(t, env, ana.ID)
	if n != 1 || st.DueAt == nil {
		t.Fatalf("after people.Service.Create: %d report rows, %+v", n, st)
	}
	var cycleID string
	if err := env.App.DB.Raw("SELECT id FROM cycles WHERE employee_id = ?", ana.ID).Scan(&cycleID).Error; err != nil || cycleID == "" {
		t.Fatalf("no cycle: %v", err)
	}

	newDue := compliance.Day(st.DueAt.AddDate(0, 0, 14))
	noStandings := &compliance.Engine{DB: env.App.DB}
	if _, err := noStandings.ExtendCycles(ctx, []string{cycleID}, newDue, "on leave", by, now); err == nil || !strings.Contains(err.Error(), "Standings") {
		t.Errorf("a use case without the report refresh wired: %v", err)
	}
	if _, err := env.App.Engine.ExtendCycles(ctx, []string{cycleID}, newDue, "on leave", by, now); err != nil {
		t.Fatal(err)
	}
	if st, _ := standingOf(t, env, ana.ID); st.DueAt == nil || !st.DueAt.Equal(newDue) {
		t.Errorf("after ExtendCycles the report says due %v, want %v", st.DueAt, newDue)
	}

	if _, err := env.App.Engine.ExemptCycles(ctx, []string{cycleID}, "trained elsewhere", nil, by, now); err != nil {
		t.Fatal(err)
	}
	if st, _ := standingOf(t, env, ana.ID); st.Status != "exempt" {
		t.Errorf("after ExemptCycles the report says %q, want exempt", st.Status)
	}

	rule, err := env.App.Cycles.Rule(ctx, compliance.CourseRuleID("basic"))
	if err != nil {
		t.Fatal(err)
	}
	rule.Active = false
	p, err := env.App.Engine.ChangeRule(ctx, rule, by, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Closed == 0 {
		t.Fatalf("deactivating the rule closed nothing: %+v", p)
	}
	if _, n := standingOf(t, env, ana.ID); n != 0 {
		t.Errorf("after the rule stopped, the report still has %d rows for the course", n)
	}
}
