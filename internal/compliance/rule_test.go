package compliance

import (
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/catalog"
)

func TestRecurrenceOf(t *testing.T) {
	t.Parallel()
	if RecurrenceOf(nil).Recurs() {
		t.Error("no rule must not recur")
	}
	r := RecurrenceOf(&catalog.RuleSpec{EveryMonths: 12, WindowDays: 60, Base: "expiry"})
	if r.EveryMonths != 12 || r.WindowDays != 60 || r.Base != BaseExpiry {
		t.Errorf("expiry rule = %+v", r)
	}
	exp, _, ok := r.Expiry(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC))
	if !ok || !exp.Equal(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expiry = %v %v", exp, ok)
	}
	if r := RecurrenceOf(&catalog.RuleSpec{EveryMonths: 12, Base: "fixed", FixedMonth: 3, FixedDay: 1}); r.Base != BaseFixed || r.FixedMonth != time.March {
		t.Errorf("fixed rule = %+v", r)
	}
	if r := RecurrenceOf(&catalog.RuleSpec{EveryMonths: 12, Base: "fixed"}); r.Base != BaseCompletion {
		t.Errorf("a fixed rule without a date falls back to completion: %+v", r)
	}
	if r := RecurrenceOf(&catalog.RuleSpec{EveryMonths: 6}); r.Base != BaseCompletion {
		t.Errorf("no base means completion: %+v", r)
	}
}
