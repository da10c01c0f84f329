package compliance

import "time"

// EventNudge is the monthly refresher nudge: one guideline and one
// question, for someone whose completion is valid and whose refresher
// window has not opened yet. Stage is the month ("2026-05").
const EventNudge EventKind = "nudge"

// DefaultNudgeBatch caps the nudges one pass writes, so the first pass of a
// month at 100,000 people spreads over a few minutes instead of one huge
// transaction.
const DefaultNudgeBatch = 2000

// NudgeIndex picks which of n nudges goes out in month for a completion made
// in completed: the first month after completion gets the first nudge, and
// so on round the list.
func NudgeIndex(completed, month time.Time, n int) int {
	if n <= 0 {
		return 0
	}
	months := (month.Year()-completed.Year())*12 + int(month.Month()) - int(completed.Month()) - 1
	if months < 0 {
		months = 0
	}
	return months % n
}
