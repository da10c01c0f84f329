package people_test

import (
	"context"
	"testing"

	"github.com/onramp-lms/onramp/internal/people"
)

// TestManages: a manager manages the people below them, directly or
// through others, but not themself, their own manager or a stranger; a
// loop in the HR data ends the walk.
func TestManages(t *testing.T) {
	d := openStaffDB(t)
	boss := addByHand(t, d, "boss@example.org", people.RoleManager)
	mid := addByHand(t, d, "mid@example.org", people.RoleManager)
	nurse := addByHand(t, d, "nurse@example.org", people.RoleLearner)
	other := addByHand(t, d, "other@example.org", people.RoleLearner)
	setManager := func(e, m *people.Employee) {
		if err := d.Exec("UPDATE employees SET manager_id = ? WHERE id = ?", m.ID, e.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	setManager(mid, boss)
	setManager(nurse, mid)
	st := &people.Store{DB: d}
	for _, tc := range []struct {
		name             string
		manager, subject *people.Employee
		want             bool
	}{
		{"direct", mid, nurse, true},
		{"through others", boss, nurse, true},
		{"themself", mid, mid, false},
		{"their own manager", nurse, mid, false},
		{"a stranger", boss, other, false},
	} {
		got, err := st.Manages(context.Background(), tc.manager.ID, tc.subject.ID)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if got, err := st.Manages(context.Background(), boss.ID, "nobody"); err != nil || got {
		t.Errorf("nobody: %v, %v", got, err)
	}
	setManager(boss, nurse) // a loop: boss → mid → nurse → boss
	if got, err := st.Manages(context.Background(), other.ID, nurse.ID); err != nil || got {
		t.Errorf("a loop: %v, %v", got, err)
	}
}
