package compliance

import (
	"slices"
	"testing"
)

// TestFitDue: a batch takes people in order while their work fits (at
// least one person), and keeps the due cycles of those it takes only, also
// when someone it takes has no due cycle left (a learner's write moved it
// between the two reads).
func TestFitDue(t *testing.T) {
	due := []dueCycle{{"c1", "a1", "A"}, {"c2", "a2", "A"}, {"c3", "a3", "C"}, {"c4", "a4", "C"}, {"c5", "a5", "D"}}
	for _, c := range []struct {
		name     string
		ids      []string
		budget   int
		want     []string
		wantDue  []string
		wantWork int
	}{
		{"everyone fits", []string{"A", "B", "C", "D"}, 100, []string{"A", "B", "C", "D"}, []string{"c1", "c2", "c3", "c4", "c5"}, 9},
		// A (3), B and E (1 each) fit in 5; C's and D's cycles stay out
		// (as many people are taken as have due cycles).
		{"trimmed after people with nothing due", []string{"A", "B", "E", "C", "D"}, 5, []string{"A", "B", "E"}, []string{"c1", "c2"}, 5},
		{"the first person whatever the work", []string{"A", "B"}, 1, []string{"A"}, []string{"c1", "c2"}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids, got, work := fitDue(slices.Clone(c.ids), slices.Clone(due), 1, c.budget)
			var gotIDs []string
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
			}
			if !slices.Equal(ids, c.want) || !slices.Equal(gotIDs, c.wantDue) || work != c.wantWork {
				t.Errorf("fitDue = %v, %v, %d; want %v, %v, %d", ids, gotIDs, work, c.want, c.wantDue, c.wantWork)
			}
		})
	}
}
