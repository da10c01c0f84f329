package clock

import (
	"sync"
	"time"
)

// Offset is a clock that runs at the wall clock's pace from a chosen start
// and can be moved like Fake. Browser tests use it: a video plays in real
// seconds, which the server must see pass to credit its beacons, yet the test
// still jumps a year ahead for the refresher.
type Offset struct {
	mu     sync.Mutex
	offset time.Duration
	// wall is the wall clock (time.Now); a test of Offset itself replaces it.
	wall func() time.Time
}

// NewOffset returns a clock that reads t now and then moves with the wall clock.
func NewOffset(t time.Time) *Offset {
	o := &Offset{wall: time.Now}
	o.Set(t)
	return o
}

// Now returns the wall clock's time shifted by the offset, in UTC.
func (o *Offset) Now() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wall().Add(o.offset).UTC()
}

// Set moves the clock so that it reads t now; it keeps running from there.
func (o *Offset) Set(t time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.offset = t.Sub(o.wall())
}

// Advance moves the clock forward by d.
func (o *Offset) Advance(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.offset += d
}
