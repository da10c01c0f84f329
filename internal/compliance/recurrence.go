package compliance

import (
	"fmt"
	"time"
)

// Base says what a recurrence counts its period from.
type Base string

// The recurrence bases PRODUCT.md defines.
const (
	// BaseCompletion: expiry = completion date + period.
	BaseCompletion Base = "completion"
	// BaseExpiry: expiry = due date + period when completed on time, so the
	// anniversary never drifts earlier; completion date + period when late.
	BaseExpiry Base = "expiry"
	// BaseFixed: one date for everyone (e.g. every 1 March).
	BaseFixed Base = "fixed"
)

// Recurrence is how often a course must be taken again.
type Recurrence struct {
	EveryMonths int
	WindowDays  int
	Base        Base
	FixedMonth  time.Month
	FixedDay    int
}

// Recurs reports whether the course must be taken again at all.
func (r Recurrence) Recurs() bool { return r.EveryMonths > 0 || r.Base == BaseFixed }

// Day truncates t to its UTC calendar day. Cycle dates are days: a cycle due
// on a day is on time when completed any time that day.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddMonths adds n calendar months, clamping to the end of a shorter month
// (31 January + 1 month = 28 or 29 February, never 3 March).
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// FormatDay writes a date the way the pages and e-mails do: "1 March 2027".
func FormatDay(t time.Time) string { return t.UTC().Format("2 January 2006") }

func (r Recurrence) period() string {
	if r.EveryMonths%12 == 0 {
		if r.EveryMonths == 12 {
			return "12 months"
		}
		return fmt.Sprintf("%d years", r.EveryMonths/12)
	}
	if r.EveryMonths == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", r.EveryMonths)
}

// Expiry derives when a completion expires and says why, for a cycle due on
// due and completed at completed. ok is false for a course that does not recur.
func (r Recurrence) Expiry(due, completed time.Time) (expires time.Time, why string, ok bool) {
	if !r.Recurs() {
		return time.Time{}, "", false
	}
	due, done := Day(due), Day(completed)
	switch r.Base {
	case BaseExpiry:
		if !done.After(due) {
			exp := AddMonths(due, r.EveryMonths)
			return exp, fmt.Sprintf("expires %s: %s after the due date %s, because it was completed on time on %s",
				FormatDay(exp), r.period(), FormatDay(due), FormatDay(done)), true
		}
		exp := AddMonths(done, r.EveryMonths)
		return exp, fmt.Sprintf("expires %s: %s after it was completed on %s, after its due date %s",
			FormatDay(exp), r.period(), FormatDay(done), FormatDay(due)), true
	case BaseFixed:
		next := time.Date(done.Year(), r.FixedMonth, r.FixedDay, 0, 0, 0, 0, time.UTC)
		if !next.After(done) {
			next = next.AddDate(1, 0, 0)
		}
		if next.Sub(done) < time.Duration(r.WindowDays)*24*time.Hour {
			skipped := next
			next = next.AddDate(1, 0, 0)
			return next, fmt.Sprintf("expires %s: the fixed date after %s, which fell within %d days of completion on %s",
				FormatDay(next), FormatDay(skipped), r.WindowDays, FormatDay(done)), true
		}
		return next, fmt.Sprintf("expires %s: the next fixed date after completion on %s", FormatDay(next), FormatDay(done)), true
	default: // BaseCompletion
		exp := AddMonths(done, r.EveryMonths)
		return exp, fmt.Sprintf("expires %s: %s after it was completed on %s", FormatDay(exp), r.period(), FormatDay(done)), true
	}
}

// NextWindow gives the refresher cycle that follows a completion expiring at
// expires: its window opens WindowDays before, and it is due on expires.
func (r Recurrence) NextWindow(expires time.Time) (opens, due time.Time, why string) {
	opens = Day(expires).AddDate(0, 0, -r.WindowDays)
	due = Day(expires)
	why = fmt.Sprintf("due %s, when the previous completion expires; the window opened %d days before, on %s",
		FormatDay(due), r.WindowDays, FormatDay(opens))
	return opens, due, why
}
