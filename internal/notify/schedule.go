package notify

import "time"

// Retry schedule. A failed try is retried after Backoff(attempts): one
// minute, doubling, capped at four hours, but never later than DeadAfter
// after the first failed try. The try due then is the last: if it fails
// too, the message is dead and HR sees it. Quiet hours count towards the
// DeadAfter like any other hours. MaxAttempts only bounds a message whose
// every try was interrupted (its sender killed mid-try).
const (
	DeadAfter    = 24 * time.Hour
	MaxAttempts  = 14
	firstBackoff = time.Minute
	maxBackoff   = 4 * time.Hour
)

// Backoff is how long to wait after the attempts-th failed try (1-based)
// before the next one.
func Backoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := firstBackoff
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// Quiet hours, in the recipient's local time: nothing is sent from
// QuietStartHour until QuietEndHour the next morning.
const (
	QuietStartHour = 20
	QuietEndHour   = 7
)

// QuietUntil reports whether t falls in the quiet hours of loc and, if so,
// when they end (the next QuietEndHour:00 local).
func QuietUntil(t time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	h := local.Hour()
	if h >= QuietEndHour && h < QuietStartHour {
		return time.Time{}, false
	}
	day := local
	if h >= QuietStartHour {
		day = local.AddDate(0, 0, 1)
	}
	y, m, d := day.Date()
	// time.Date normalises a wall time a DST change skips, so this is a real
	// instant on every day of the year.
	return time.Date(y, m, d, QuietEndHour, 0, 0, 0, loc).UTC(), true
}
