package learning

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Segment is one stretch of a video that was watched, from From to To
// seconds. Stored as [from, to] pairs.
type Segment struct {
	From, To float64
}

// Length is how many seconds the segment covers.
func (s Segment) Length() float64 { return math.Max(0, s.To-s.From) }

// MergeSegments returns the segments sorted by start with every overlapping
// or touching pair joined, so the total is never counted twice. Empty and
// backwards segments are dropped. The input is not modified.
func MergeSegments(segs []Segment) []Segment {
	sorted := make([]Segment, 0, len(segs))
	for _, s := range segs {
		if s.To > s.From {
			sorted = append(sorted, s)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].From < sorted[j].From })
	var merged []Segment
	for _, s := range sorted {
		if n := len(merged); n > 0 && s.From <= merged[n-1].To {
			merged[n-1].To = math.Max(merged[n-1].To, s.To)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// WatchedSeconds is the total length of merged segments.
func WatchedSeconds(merged []Segment) float64 {
	total := 0.0
	for _, s := range merged {
		total += s.Length()
	}
	return total
}

func encodeSegments(segs []Segment) string {
	pairs := make([][2]float64, len(segs))
	for i, s := range segs {
		pairs[i] = [2]float64{roundMillis(s.From), roundMillis(s.To)}
	}
	b, _ := json.Marshal(pairs) // plain floats always marshal
	return string(b)
}

func decodeSegments(text string) ([]Segment, error) {
	if text == "" {
		return nil, nil
	}
	var pairs [][2]float64
	if err := json.Unmarshal([]byte(text), &pairs); err != nil {
		return nil, fmt.Errorf("decode watched segments: %w", err)
	}
	segs := make([]Segment, len(pairs))
	for i, p := range pairs {
		segs[i] = Segment{From: p[0], To: p[1]}
	}
	return segs, nil
}

func roundMillis(x float64) float64 {
	// Beyond 1e12 s there are no milliseconds to round, and x*1000 could
	// overflow to ±Inf: keep what was received as it was.
	if math.Abs(x) > 1e12 || math.IsNaN(x) {
		return x
	}
	return math.Round(x*1000) / 1000
}
