package compliance

import (
	"testing"
	"time"
)

// TestHoldNudgeTurns: held-back nudges come back a cap's worth per
// NudgeSpacing, one person's all in one turn, and a cycle's other event
// that comes before its turn is kept.
func TestHoldNudgeTurns(t *testing.T) {
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	var res PassResult
	slots := map[string]int{}
	turn := func(person string, other *time.Time) time.Duration {
		return holdNudge(now, 2, &res, slots, person, other).Sub(now)
	}
	got := []time.Duration{turn("a", nil), turn("b", nil), turn("b", nil), turn("c", nil), turn("d", nil), turn("a", nil)}
	want := []time.Duration{time.Minute, time.Minute, time.Minute, 2 * time.Minute, 3 * time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("turns %v, want %v", got, want)
		}
	}
	if res.NudgesHeld != 6 {
		t.Fatalf("NudgesHeld %d, want 6", res.NudgesHeld)
	}
	soon := now.Add(90 * time.Second)
	if d := turn("e", &soon); d != 90*time.Second {
		t.Fatalf("an expiry 90 s away behind a turn 4 min away: held %s, want 90s", d)
	}
	late := now.AddDate(0, 1, 0)
	if d := turn("f", &late); d != 4*time.Minute {
		t.Fatalf("a later event must not delay the turn: held %s, want 4m", d)
	}
	past := now.Add(-time.Hour)
	if d := turn("g", &past); d != 5*time.Minute {
		t.Fatalf("an event already past is not a next event: held %s, want 5m", d)
	}
}
