package learning

import (
	"math"
	"time"
)

// The rules that keep video evidence honest. A beacon can only be credited
// for as much video as could have played since the previous one.
const (
	// MaxBeaconGap caps the wall-clock time one beacon may claim, so a beacon
	// after a long pause (or a forged one) cannot claim the whole video.
	MaxBeaconGap = 15 * time.Second
	// MaxPlaybackRate allows for people who watch at up to double speed.
	MaxPlaybackRate = 2.0
	// BeaconSlackSeconds absorbs timer jitter between player and server.
	BeaconSlackSeconds = 2.0
	// SkipToleranceSeconds is how far beyond the furthest point watched a
	// segment may start on the first viewing (the player's own seek
	// granularity and buffering).
	SkipToleranceSeconds = 3.0
	// CompletionFraction of the video's seconds must be watched.
	CompletionFraction = 0.9
)

// Beacon is what the player reports: it played from From to To seconds and
// is now at Position.
type Beacon struct {
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Position float64 `json:"position"`
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

// CreditBeacon applies a beacon to the state. elapsed is the server's time
// since the previous beacon for this video (or since the player page was
// opened). It returns the new state and what was credited; the input state
// is not modified.
func CreditBeacon(st VideoState, b Beacon, elapsed time.Duration) (VideoState, Credit) {
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
	elapsed = min(max(elapsed, 0), MaxBeaconGap)
	allowance := elapsed.Seconds()*MaxPlaybackRate + BeaconSlackSeconds
	to = math.Min(to, from+allowance)

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
