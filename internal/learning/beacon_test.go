package learning

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestCreditBeacon(t *testing.T) {
	t.Parallel()
	fresh := VideoState{DurationSeconds: 20, FirstViewing: true}
	tests := []struct {
		name         string
		state        VideoState
		beacon       Beacon
		budget       float64
		wantAccepted bool
		wantCredited float64
		wantFurthest float64
		wantPosition float64
	}{
		{"honest five seconds", fresh, b(0, 5, 5), 15, true, 5, 5, 5},
		{"double speed allowed", fresh, b(0, 10, 10), 15, true, 10, 10, 10},
		{"claim beyond the budget is cut to the budget", fresh, b(0, 20, 20), 5, true, 5, 5, 5},
		{"no budget, no credit", fresh, b(0, 20, 20), 0, true, 0, 0, 0},
		{"a budget that is not a number credits nothing", fresh, b(0, 20, 20), math.NaN(), true, 0, 0, 0},
		{"rewatched seconds cost no budget",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 10}}, FurthestSeconds: 10},
			b(5, 20, 20), 3, true, 3, 13, 13},
		{"budget spent only on the gaps between watched parts",
			VideoState{DurationSeconds: 20, Segments: []Segment{{0, 4}, {6, 10}}, FurthestSeconds: 10},
			b(0, 20, 20), 4, true, 4, 12, 20},
		{"claim beyond the end is clipped to the duration",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 15}}, FurthestSeconds: 15},
			b(15, 40, 40), 30, true, 5, 20, 20},
		{"skipping ahead on the first viewing is refused",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 5}}, FurthestSeconds: 5},
			b(10, 15, 15), 30, false, 0, 5, 0},
		{"small jump within tolerance is fine",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 5}}, FurthestSeconds: 5},
			b(7, 12, 12), 30, true, 5, 12, 12},
		{"after completion seeking anywhere is fine",
			VideoState{DurationSeconds: 20, Segments: []Segment{{0, 18}}, FurthestSeconds: 18},
			b(19, 20, 20), 30, true, 1, 20, 20},
		{"rewatching credits nothing new",
			VideoState{DurationSeconds: 20, FirstViewing: true, Segments: []Segment{{0, 10}}, FurthestSeconds: 10},
			b(0, 5, 5), 30, true, 0, 10, 5},
		{"position ahead of the furthest point is pulled back",
			fresh, b(0, 5, 19), 30, true, 5, 5, 5},
		{"backwards segment refused", fresh, b(5, 3, 3), 30, false, 0, 0, 0},
		{"negative start refused", fresh, b(-1, 3, 3), 30, false, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, c := CreditBeacon(tt.state, tt.beacon, tt.budget)
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

func b(from, to, position float64) Beacon { return Beacon{From: from, To: to, Position: position} }

// viewer plays one viewing against a server clock: each beacon arrives
// after the given time and is credited within the viewing's budget.
type viewer struct {
	t     *testing.T
	now   time.Time
	acct  Viewing
	state VideoState
}

func newViewer(t *testing.T, duration float64) *viewer {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return &viewer{t: t, now: start, acct: Viewing{StartedAt: start, AllowanceSeconds: ViewingAllowanceSeconds},
		state: VideoState{DurationSeconds: duration, FirstViewing: true}}
}

func (v *viewer) after(d time.Duration, bc Beacon) Credit {
	v.t.Helper()
	v.now = v.now.Add(d)
	next, c := CreditBeacon(v.state, bc, v.acct.Budget(v.now))
	v.state = next
	v.acct.CreditedSeconds += c.CreditedSeconds
	if bound := MaxPlaybackRate*v.now.Sub(v.acct.StartedAt).Seconds() + v.acct.AllowanceSeconds; v.acct.CreditedSeconds > bound+1e-9 {
		v.t.Fatalf("credited %v s after %v; real time allows %v", v.acct.CreditedSeconds, v.now.Sub(v.acct.StartedAt), bound)
	}
	return c
}

// TestForgedBeaconsCreditOnlyRealTime: the forgery of issue 11 (91
// beacons in 0.2 s completed the 201-second video) and its variants credit
// no more than real time allows.
func TestForgedBeaconsCreditOnlyRealTime(t *testing.T) {
	t.Parallel()
	const duration = 201.0
	v := newViewer(t, duration)
	for i := range 91 {
		from := float64(i) * 2.21
		v.after(2200*time.Microsecond, b(from, from+2.21, from+2.21))
	}
	if v.state.Complete() || v.state.WatchedSeconds() > MaxPlaybackRate*0.2002+ViewingAllowanceSeconds+1e-9 {
		t.Fatalf("91 beacons in 0.2 s: watched %v s of %v, complete=%v", v.state.WatchedSeconds(), duration, v.state.Complete())
	}

	// One beacon claiming the whole video at once.
	v = newViewer(t, duration)
	if c := v.after(0, b(0, duration, duration)); c.CreditedSeconds != ViewingAllowanceSeconds {
		t.Errorf("a whole-video claim at once was credited %v s, want the allowance %v", c.CreditedSeconds, ViewingAllowanceSeconds)
	}

	// Beacons at three times double speed for a minute: no more than double.
	v = newViewer(t, duration)
	for from := 0.0; from+15 <= duration; from += 15 {
		v.after(5*time.Second, b(from, from+15, from+15))
	}
	if w, max := v.state.WatchedSeconds(), MaxPlaybackRate*v.now.Sub(v.acct.StartedAt).Seconds()+ViewingAllowanceSeconds; w > max+1e-9 {
		t.Fatalf("triple-speed claims: watched %v, real time allows %v", w, max)
	}
}

// TestHonestViewingsComplete: honest playback at 1× and 2×, with pauses and
// a dropped beacon, completes the video.
func TestHonestViewingsComplete(t *testing.T) {
	t.Parallel()
	const duration = 201.0
	for _, rate := range []float64{1, 2} {
		t.Run(fmt.Sprintf("%gx", rate), func(t *testing.T) {
			v := newViewer(t, duration)
			v.now = v.now.Add(1500 * time.Millisecond) // the page loads before the player starts
			pos := 0.0
			for i := 0; pos < duration; i++ {
				step := math.Min(5*rate, duration-pos)
				wall := time.Duration(step / rate * float64(time.Second))
				switch {
				case i == 7: // dropped: the next beacon covers this stretch too
					v.now = v.now.Add(wall)
					pos += step
					continue
				case i == 12: // a ten-minute pause, then play on
					v.now = v.now.Add(10 * time.Minute)
				}
				from := pos
				if i == 8 {
					from = pos - 5*rate
				}
				c := v.after(wall, b(from, pos+step, pos+step))
				if !c.Accepted || c.Segment.To != pos+step {
					t.Fatalf("beacon %d [%v, %v] cut to %+v", i, from, pos+step, c)
				}
				pos += step
			}
			if !v.state.Complete() || v.state.WatchedFraction() != 1 {
				t.Fatalf("honest viewing at %gx: watched %v of %v", rate, v.state.WatchedSeconds(), duration)
			}
		})
	}
}

func TestViewingBudgetAndHandOver(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	v := Viewing{StartedAt: start, AllowanceSeconds: ViewingAllowanceSeconds}
	if got := v.Budget(start.Add(-time.Hour)); got != ViewingAllowanceSeconds {
		t.Errorf("budget before the start (clock moved back) = %v, want the allowance", got)
	}
	if got := v.Budget(start.Add(10 * time.Second)); got != 25 {
		t.Errorf("budget after 10 s = %v, want 25", got)
	}
	v.CreditedSeconds = 24
	if got := v.HandOver(start.Add(10 * time.Second)); got != 1 {
		t.Errorf("hand-over with 1 s left = %v, want 1", got)
	}
	v.CreditedSeconds = 30
	if got := v.Budget(start.Add(10 * time.Second)); got != 0 {
		t.Errorf("overspent budget = %v, want 0", got)
	}
	if got := v.HandOver(start.Add(time.Hour)); got != ViewingAllowanceSeconds {
		t.Errorf("hand-over of an old viewing = %v, want at most the allowance", got)
	}
}

func TestCompletionThreshold(t *testing.T) {
	t.Parallel()
	st := VideoState{DurationSeconds: 100, Segments: []Segment{{0, 89.9}}}
	if st.Complete() {
		t.Error("89.9% must not complete")
	}
	st.Segments = []Segment{{0, 50}, {55, 95}}
	if !st.Complete() {
		t.Error("90% in two pieces must complete")
	}
}
