package learning

import (
	"math"
	"time"
)

// The rules that keep video evidence honest. A viewing (one load of the
// player page, see Viewing) can only be credited for as much video as could
// have played since it began on the server's clock, however many beacons
// claim it and whatever they claim.
const (
	// MaxPlaybackRate allows for people who watch at up to double speed.
	MaxPlaybackRate = 2.0
	// ViewingAllowanceSeconds is the one fixed allowance of a viewing on top
	// of what real time allows: the player's timer granularity and the last
	// stretch it reports when the video ends. It is granted once per
	// viewing, never per beacon, and a viewing that replaces another inherits
	// at most what the other had left of it (Viewing.HandOver).
	ViewingAllowanceSeconds = 5.0
	// SkipToleranceSeconds is how far beyond the furthest point watched a
	// segment may start on the first viewing (the player's own seek
	// granularity and buffering).
	SkipToleranceSeconds = 3.0
	// CompletionFraction of the video's seconds must be watched.
	CompletionFraction = 0.9
)

// Beacon is what the player reports: during the viewing Viewing (the ID the
// server gave the page) it played from From to To seconds and is now at
// Position.
type Beacon struct {
	Viewing  string  `json:"viewing"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Position float64 `json:"position"`
}

// Viewing is the credit account of one viewing: one load of the player page
// on one device, from the moment the server rendered it. Only the latest
// viewing of a video takes beacons; opening the player again (a reload,
// another tab or device) ends the previous one.
type Viewing struct {
	// StartedAt is the server's clock when the viewing began.
	StartedAt time.Time
	// AllowanceSeconds is the fixed allowance the viewing started with: at
	// most ViewingAllowanceSeconds.
	AllowanceSeconds float64
	// CreditedSeconds is the newly watched time credited so far.
	CreditedSeconds float64
}

// Budget is how many more seconds the viewing may be credited at now:
// MaxPlaybackRate × the time since it began, plus its allowance, less what
// it was credited already. Never negative.
func (v Viewing) Budget(now time.Time) float64 {
	elapsed := max(now.Sub(v.StartedAt), 0).Seconds()
	b := v.AllowanceSeconds + MaxPlaybackRate*elapsed - v.CreditedSeconds
	if !(b > 0) {
		return 0
	}
	return b
}

// HandOver is the allowance of a viewing that replaces v at now: what v
// had left, up to ViewingAllowanceSeconds. So reloading the page over and
// over never adds up allowances: across a chain of viewings the credit stays
// within MaxPlaybackRate × the time since the first began, plus one
// allowance.
func (v Viewing) HandOver(now time.Time) float64 {
	return min(ViewingAllowanceSeconds, v.Budget(now))
}

// VideoState is what the server knows about one learner's viewing of one
// video in one cycle.
type VideoState struct {
	DurationSeconds float64
	// Segments are merged.
	Segments        []Segment
	FurthestSeconds float64
	PositionSeconds float64
	// FirstViewing is true until the step is completed; until then nobody
	// may skip ahead of what they have watched.
	FirstViewing bool
}

// WatchedSeconds is the total of the merged segments.
func (v VideoState) WatchedSeconds() float64 { return WatchedSeconds(v.Segments) }

// WatchedFraction is the share of the video watched, 0–1.
func (v VideoState) WatchedFraction() float64 {
	if v.DurationSeconds <= 0 {
		return 0
	}
	return math.Min(1, v.WatchedSeconds()/v.DurationSeconds)
}

// Complete reports whether enough of the video has been watched.
func (v VideoState) Complete() bool {
	return v.DurationSeconds > 0 && v.WatchedSeconds() >= CompletionFraction*v.DurationSeconds-1e-9
}

// Credit is the server's verdict on one beacon.
type Credit struct {
	// Accepted is false when the beacon was refused outright.
	Accepted bool
	// Refusal says why, in words for the learner.
	Refusal string
	// Segment is the part of the claim that was believed.
	Segment Segment
	// CreditedSeconds is how much newly watched time the beacon added.
	CreditedSeconds float64
}

// CreditBeacon applies a beacon to the state. budget is how many seconds
// of newly watched video the beacon's viewing may still be credited
// (Viewing.Budget); a claim beyond it is cut short, so the beacon is
// credited at most budget seconds. It returns the new state and what was
// credited; the input state is not modified.
func CreditBeacon(st VideoState, b Beacon, budget float64) (VideoState, Credit) {
	for _, x := range []float64{b.From, b.To, b.Position} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return st, Credit{Refusal: "The player sent a position that is not a number."}
		}
	}
	if b.To < b.From || b.From < 0 {
		return st, Credit{Refusal: "The player sent a segment that ends before it starts."}
	}
	dur := st.DurationSeconds
	from, to := math.Min(b.From, dur), math.Min(b.To, dur)
	if st.FirstViewing && from > st.FurthestSeconds+SkipToleranceSeconds {
		return st, Credit{Refusal: "On the first viewing the video can't be skipped ahead; carry on from where you got to."}
	}
	to = clipToBudget(st.Segments, from, to, budget)

	next := st
	before := WatchedSeconds(st.Segments)
	next.Segments = MergeSegments(append(append([]Segment(nil), st.Segments...), Segment{From: from, To: to}))
	credited := math.Max(0, WatchedSeconds(next.Segments)-before)
	next.FurthestSeconds = math.Max(st.FurthestSeconds, to)
	next.PositionSeconds = math.Min(math.Max(b.Position, 0), dur)
	if next.FirstViewing && next.PositionSeconds > next.FurthestSeconds {
		next.PositionSeconds = next.FurthestSeconds
	}
	return next, Credit{Accepted: true, Segment: Segment{From: from, To: to}, CreditedSeconds: credited}
}

// clipToBudget returns the furthest end x ≤ to such that [from, x] adds at
// most budget seconds not already covered by the merged segments.
func clipToBudget(merged []Segment, from, to, budget float64) float64 {
	if !(budget > 0) {
		budget = 0
	}
	pos := from
	for _, s := range merged {
		if s.To <= pos {
			continue
		}
		if s.From >= to {
			break
		}
		if gapEnd := math.Min(s.From, to); gapEnd > pos {
			if gapEnd-pos > budget {
				return pos + budget
			}
			budget -= gapEnd - pos
		}
		pos = math.Max(pos, s.To)
		if pos >= to {
			return to
		}
	}
	if to-pos > budget {
		return pos + budget
	}
	return to
}
