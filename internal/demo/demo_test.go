package demo_test

import (
	"context"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/demo"
	"github.com/onramp-lms/onramp/internal/people"
)

// The refresher account's refresher is open the moment the demo starts: a
// newcomer sees that journey without time travel.
func TestDemoRefresherAccountHasAnOpenRefresher(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Demo: true})
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App); err != nil {
		t.Fatalf("seed: %v", err)
	}
	emp, err := env.App.People.ByEmail(ctx, "refresher@onramp.test")
	if err != nil {
		t.Fatalf("refresher account: %v", err)
	}
	if emp.Role != people.RoleLearner {
		t.Errorf("role %s", emp.Role)
	}
	cycles, err := env.App.Cycles.Current(ctx, emp.ID)
	if err != nil || len(cycles) == 0 {
		t.Fatalf("current cycles: %v, %v", cycles, err)
	}
	for _, c := range cycles {
		if c.Path != compliance.PathRefresher || c.Status != compliance.StatusOpen || c.WindowOpensAt.After(env.Clock.Now()) {
			t.Errorf("%s: path %s, status %s, window opens %s; want an open refresher", c.CourseID, c.Path, c.Status, c.WindowOpensAt)
		}
	}
	c := env.Client()
	c.Login("refresher@onramp.test", demo.Password)
}
