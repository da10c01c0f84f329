package report_test

import (
	"context"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestReportsFollowTheSchedulerAndCompletions: the scheduler's pass fills
// the report tables and takes the day's snapshot; a learner's completion
// shows in them at once, before any pass.
func TestReportsFollowTheSchedulerAndCompletions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	// The fixture course's default rule assigns it to everyone.
	if _, err := env.App.Scheduler.RunOnce(ctx, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	st, err := report.StatusesOf(ctx, env.App.DB, ada.ID)
	if err != nil || len(st) != 1 || st[0].Status != report.StatusNotStarted || st[0].CourseTitle != "Basic Training" {
		t.Fatalf("after the pass: %+v (%v)", st, err)
	}
	var snapshots int64
	env.App.DB.Raw("SELECT COUNT(*) FROM compliance_history").Scan(&snapshots)
	if snapshots == 0 {
		t.Error("the pass took no snapshot")
	}
	if at, err := report.LastRefresh(ctx, env.App.DB); err != nil || at == nil || !at.Equal(env.Clock.Now()) {
		t.Errorf("last refresh %v (%v), want %v", at, err, env.Clock.Now())
	}
	if _, err := env.App.Learning.CompleteCourse(ctx, ada, "basic"); err != nil {
		t.Fatal(err)
	}
	st, _ = report.StatusesOf(ctx, env.App.DB, ada.ID)
	if len(st) != 1 || st[0].Status != report.StatusCompleted || st[0].ExpiresAt == nil {
		t.Fatalf("after completing, before any pass: %+v", st)
	}
}
