package compliance

import (
	"time"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// RecurrenceOf converts the recurrence a course file declares into the
// arithmetic's terms. A nil rule, or one without a period, never recurs.
func RecurrenceOf(rule *catalog.RuleSpec) Recurrence {
	if rule == nil {
		return Recurrence{}
	}
	r := Recurrence{
		EveryMonths: rule.EveryMonths,
		WindowDays:  rule.WindowDays,
		Base:        Base(rule.Base),
		FixedMonth:  time.Month(rule.FixedMonth),
		FixedDay:    rule.FixedDay,
	}
	switch r.Base {
	case BaseCompletion, BaseExpiry, BaseFixed:
	default:
		r.Base = BaseCompletion
	}
	if r.Base == BaseFixed && (r.FixedMonth < time.January || r.FixedMonth > time.December || r.FixedDay < 1) {
		r.Base = BaseCompletion
	}
	return r
}
