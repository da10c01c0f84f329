package report_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/report"
)

func departments(t *testing.T, o report.Options) []string {
	t.Helper()
	var out []string
	for _, c := range o.Departments {
		out = append(out, c.Value)
	}
	return out
}

// TestTeamFilterOptionsAreKeptUntilTheReportsChange: a manager's filter
// choices are read once and kept (the team page asks for them on every
// request, and each reading walks the whole management chain), and read
// again as soon as the report generation moves on.
func TestTeamFilterOptionsAreKeptUntilTheReportsChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	mgr := f.person("Maria", "Manager", "Nursing", nil)
	f.person("Ana", "Tester", "Ward A", mgr)
	o, err := report.FilterOptions(ctx, f.db, mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := departments(t, o); !slices.Equal(got, []string{"Ward A"}) {
		t.Fatalf("departments of the team = %q, want [Ward A]", got)
	}
	// A change the report generation does not know about: the kept choices
	// stand.
	if err := f.db.Exec(`UPDATE employees SET department = 'Ward B' WHERE manager_id = ?`, mgr.ID).Error; err != nil {
		t.Fatal(err)
	}
	o, err = report.FilterOptions(ctx, f.db, mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := departments(t, o); !slices.Equal(got, []string{"Ward A"}) {
		t.Fatalf("departments read again without a change of generation: %q, want the kept [Ward A]", got)
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return report.Changed(tx) }); err != nil {
		t.Fatal(err)
	}
	o, err = report.FilterOptions(ctx, f.db, mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := departments(t, o); !slices.Equal(got, []string{"Ward B"}) {
		t.Fatalf("departments after the reports changed = %q, want [Ward B]", got)
	}
}
