package learning

import (
	"testing"
	"time"
)

func TestCreditBeacon(t *testing.T) {
	fresh := VideoState{DurationSeconds: 20, FirstViewing: true}
	tests := []struct {
		name         string
		state        VideoState
		beacon       Beacon
		elapsed      time.Duration
		wantAccepted bool
		wantCredited float64
		wantFurthest float64
		wantPosition float64
	}{
		{"honest five seconds", fresh, Beacon{0, 5, 5}, 5 * time.Second, true, 5, 5, 5},
		{"double speed allowed", fresh, Beacon{0, 10, 10}, 5 * time.Second, true, 10, 10, 10},
		{"forged whole video right away gets only slack", fresh, Beacon{0, 20, 20}, 0, true, 2, 2, 2},
		{"long pause is capped", fresh, Beacon{0, 20, 20}, time.Hour, true, 20, 20, 20},
		{"claim beyond the end is clipped to the duration",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 15}}, FurthestSeconds: 15},
			Beacon{15, 40, 40}, 15 * time.Second, true, 5, 20, 20},
		{"skipping ahead on the first viewing is refused",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 5}}, FurthestSeconds: 5},
			Beacon{10, 15, 15}, 5 * time.Second, false, 0, 5, 0},
		{"small jump within tolerance is fine",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 5}}, FurthestSeconds: 5},
			Beacon{7, 12, 12}, 5 * time.Second, true, 5, 12, 12},
		{"after completion seeking anywhere is fine",
			VideoState{DurationSeconds: 20, Segments: []Segment{{0, 18}}, FurthestSeconds: 18},
			Beacon{19, 20, 20}, 5 * time.Second, true, 1, 20, 20},
		{"rewatching credits nothing new",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 10}}, FurthestSeconds: 10},
			Beacon{0, 5, 5}, 5 * time.Second, true, 0, 10, 5},
		{"position ahead of the furthest point is pulled back",
			fresh, Beacon{0, 5, 19}, 5 * time.Second, true, 5, 5, 5},
		{"backwards segment refused", fresh, Beacon{5, 3, 3}, 5 * time.Second, false, 0, 0, 0},
		{"negative start refused", fresh, Beacon{-1, 3, 3}, 5 * time.Second, false, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, c := CreditBeacon(tt.state, tt.beacon, tt.elapsed)
			if c.Accepted != tt.wantAccepted {
				t.Fatalf("accepted = %v (%s), want %v", c.Accepted, c.Refusal, tt.wantAccepted)
			}
			if !c.Accepted && c.Refusal == "" {
				t.Error("a refusal must say why")
			}
			if c.CreditedSeconds != tt.wantCredited {
				t.Errorf("credited = %v, want %v", c.CreditedSeconds, tt.wantCredited)
			}
			if next.FurthestSeconds != tt.wantFurthest {
				t.Errorf("furthest = %v, want %v", next.FurthestSeconds, tt.wantFurthest)
			}
			if next.PositionSeconds != tt.wantPosition {
				t.Errorf("position = %v, want %v", next.PositionSeconds, tt.wantPosition)
			}
		})
	}
}

func TestHonestViewingCompletesAndForgeryDoesNot(t *testing.T) {
	st := VideoState{DurationSeconds: 20, FirstViewing: true}
	forged, _ := CreditBeacon(st, Beacon{0, 20, 20}, 0)
	if forged.Complete() {
		t.Fatalf("one forged beacon completed the video: watched %v", forged.WatchedSeconds())
	}
	for from := 0.0; from < 20; from += 5 {
		st, _ = CreditBeacon(st, Beacon{from, from + 5, from + 5}, 5*time.Second)
		if from+5 < 18 && st.Complete() {
			t.Fatalf("complete after only %v s", from+5)
		}
	}
	if !st.Complete() || st.WatchedFraction() != 1 {
		t.Fatalf("honest viewing: complete=%v fraction=%v", st.Complete(), st.WatchedFraction())
	}
}

func TestCompletionThreshold(t *testing.T) {
	st := VideoState{DurationSeconds: 100, Segments: []Segment{{0, 89.9}}}
	if st.Complete() {
		t.Error("89.9% must not complete")
	}
	st.Segments = []Segment{{0, 50}, {55, 95}}
	if !st.Complete() {
		t.Error("90% in two pieces must complete")
	}
}
