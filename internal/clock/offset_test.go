package clock

import (
	"testing"
	"time"
)

// An Offset clock keeps the wall clock's pace from wherever it is set.
func TestOffset(t *testing.T) {
	t.Parallel()
	wall := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	o := &Offset{wall: func() time.Time { return wall }}
	o.Set(start)
	if got := o.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v, want %v", got, start)
	}
	wall = wall.Add(1500 * time.Millisecond)
	if got, want := o.Now(), start.Add(1500*time.Millisecond); !got.Equal(want) {
		t.Fatalf("1.5 s of wall time later: %v, want %v", got, want)
	}
	o.Advance(24 * time.Hour)
	if got, want := o.Now(), start.Add(24*time.Hour+1500*time.Millisecond); !got.Equal(want) {
		t.Fatalf("after Advance: %v, want %v", got, want)
	}
	if o.Now().Location() != time.UTC {
		t.Error("Now is not in UTC")
	}
	var _ Clock = NewOffset(start)
}
