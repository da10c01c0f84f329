package compliance

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t, err = time.Parse("2006-01-02", s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func TestRecurrenceExpiry(t *testing.T) {
	t.Parallel()
	yearly := func(b Base) Recurrence { return Recurrence{EveryMonths: 12, WindowDays: 60, Base: b} }
	fixed := Recurrence{EveryMonths: 12, WindowDays: 60, Base: BaseFixed, FixedMonth: time.March, FixedDay: 1}
	cases := []struct {
		name      string
		rec       Recurrence
		due, done string
		want      string
		why       string
	}{
		{"completion base, early", yearly(BaseCompletion), "2026-04-01", "2026-02-15 10:00", "2027-02-15", "after it was completed on 15 February 2026"},
		{"completion base, on the due day", yearly(BaseCompletion), "2026-04-01", "2026-04-01 16:30", "2027-04-01", "completed on 1 April 2026"},
		{"completion base, late", yearly(BaseCompletion), "2026-04-01", "2026-05-10 08:00", "2027-05-10", "completed on 10 May 2026"},
		{"completion base, every two years", Recurrence{EveryMonths: 24, WindowDays: 60, Base: BaseCompletion}, "2026-04-01", "2026-03-20", "2028-03-20", "2 years after"},
		{"expiry base, early keeps the anniversary", yearly(BaseExpiry), "2026-04-01", "2026-02-15 10:00", "2027-04-01", "because it was completed on time"},
		{"expiry base, late on the due day is on time", yearly(BaseExpiry), "2026-04-01", "2026-04-01 23:59", "2027-04-01", "completed on time on 1 April 2026"},
		{"expiry base, late restarts from completion", yearly(BaseExpiry), "2026-04-01", "2026-04-20 09:00", "2027-04-20", "after its due date 1 April 2026"},
		{"expiry base, after expiry restarts from completion", yearly(BaseExpiry), "2026-04-01", "2027-06-01 09:00", "2028-06-01", "completed on 1 June 2027"},
		{"expiry base, leap day clamps to 28 February", yearly(BaseExpiry), "2028-02-29", "2028-02-01", "2029-02-28", "expires 28 February 2029"},
		{"completion base, 31 January plus a month clamps", Recurrence{EveryMonths: 1, Base: BaseCompletion}, "2026-02-01", "2026-01-31", "2026-02-28", "1 month after"},
		{"fixed, completed mid-year", fixed, "2026-07-01", "2026-06-10", "2027-03-01", "the next fixed date"},
		{"fixed, next date falls within the window", fixed, "2026-03-01", "2026-01-15", "2027-03-01", "fell within 60 days"},
		{"fixed, just outside the window", fixed, "2027-03-01", "2026-12-20", "2027-03-01", "the next fixed date"},
		{"fixed, completed on the fixed date", fixed, "2026-03-01", "2026-03-01 12:00", "2027-03-01", "the next fixed date"},
		{"fixed, completed the day before the fixed date", fixed, "2026-03-01", "2026-02-28", "2027-03-01", "fell within 60 days"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, why, ok := tc.rec.Expiry(day(tc.due), day(tc.done))
			if !ok {
				t.Fatal("Expiry reported a non-recurring course")
			}
			if !got.Equal(day(tc.want)) {
				t.Errorf("expires %s, want %s (why: %s)", got.Format("2006-01-02"), tc.want, why)
			}
			if !strings.Contains(why, tc.why) {
				t.Errorf("why = %q, want it to contain %q", why, tc.why)
			}
		})
	}
}

func TestRecurrenceOneTime(t *testing.T) {
	t.Parallel()
	if _, _, ok := (Recurrence{}).Expiry(day("2026-04-01"), day("2026-03-01")); ok {
		t.Fatal("a course without recurrence must not expire")
	}
}

func TestNextWindow(t *testing.T) {
	t.Parallel()
	r := Recurrence{EveryMonths: 12, WindowDays: 60, Base: BaseExpiry}
	opens, due, why := r.NextWindow(day("2027-04-01"))
	if !opens.Equal(day("2027-01-31")) || !due.Equal(day("2027-04-01")) {
		t.Fatalf("window opens %s, due %s; want 2027-01-31 and 2027-04-01", opens, due)
	}
	if !strings.Contains(why, "due 1 April 2027") || !strings.Contains(why, "31 January 2027") {
		t.Fatalf("why = %q", why)
	}
}

func TestCycleOverdue(t *testing.T) {
	t.Parallel()
	c := &Cycle{Status: StatusOpen, DueAt: day("2026-04-01")}
	if c.Overdue(day("2026-04-01 23:59")) {
		t.Error("a cycle is not overdue on its due day")
	}
	if !c.Overdue(day("2026-04-02 00:00")) {
		t.Error("a cycle is overdue the day after its due day")
	}
	if got := c.DisplayStatus(day("2026-04-03")); got != StatusOverdue {
		t.Errorf("DisplayStatus = %s, want overdue", got)
	}
	c.Status = StatusCompleted
	if c.Overdue(day("2027-01-01")) {
		t.Error("a completed cycle is never overdue")
	}
}
