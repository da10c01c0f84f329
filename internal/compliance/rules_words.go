package compliance

import (
	"fmt"
	"strings"
	"time"
)

// WhoWords says in words whom the rule applies to.
func (r *Rule) WhoWords() string {
	if r.Everyone {
		return "Everyone"
	}
	var parts []string
	if len(r.Departments) > 0 {
		parts = append(parts, "in department "+orList(r.Departments))
	}
	if len(r.JobTitles) > 0 {
		parts = append(parts, "with job title "+orList(r.JobTitles))
	}
	if len(r.Locations) > 0 {
		parts = append(parts, "at location "+orList(r.Locations))
	}
	if len(parts) == 0 {
		return "Nobody (choose everyone, or some departments, job titles or locations)"
	}
	return "People " + strings.Join(parts, ", ")
}

func orList(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// DueWords says in words when a person's first cycle is due.
func (r *Rule) DueWords() string {
	if r.DueFrom == DueFromMatched {
		return days(r.DueDays) + " after the rule first applies to the person"
	}
	return days(r.DueDays) + " after the hire date (for people hired before the rule applied to them: " + days(r.DueDays) + " after it did)"
}

// Words says in words how often the course recurs and when the refresher
// window opens.
func (rec Recurrence) Words() string {
	if !rec.Recurs() {
		return "Once: no refresher"
	}
	window := "the refresher opens on the expiry date"
	if rec.WindowDays > 0 {
		window = "the refresher opens " + days(rec.WindowDays) + " before expiry"
	}
	switch rec.Base {
	case BaseFixed:
		if rec.WindowDays == 0 {
			return fmt.Sprintf("Every year on %d %s; %s", rec.FixedDay, rec.FixedMonth, window)
		}
		return fmt.Sprintf("Every year on %d %s (a completion within %s before that date counts for the year after); %s",
			rec.FixedDay, rec.FixedMonth, days(rec.WindowDays), window)
	case BaseExpiry:
		return "Every " + rec.period() + ", counted from the due date when completed on time (from the completion date when late); " + window
	default:
		return "Every " + rec.period() + ", counted from the completion date; " + window
	}
}

// TimelineStep is one date in an example timeline, with why it is what it is.
type TimelineStep struct {
	At time.Time
	// What happens on the date, in HR's words.
	What string
	// Why is the sentence Onramp keeps with the date (what the person reads),
	// or "" for an example date chosen for the timeline.
	Why string
}

// Timeline is an example of the dates a rule produces for one person.
type Timeline struct {
	// Hired is the example person's hire date.
	Hired time.Time
	// Steps follow the person completing on time: first due date, expiry,
	// refresher window, refresher due date and the expiry after it.
	Steps []TimelineStep
	// Late is what happens instead when the first cycle is completed late.
	Late []TimelineStep
	// Existing is the first due date of someone hired long before the rule
	// applied to them; nil when it is counted the same way.
	Existing *TimelineStep
}

// exampleEarly and exampleLate are how many days before (after) the due
// date the example completions fall.
const (
	exampleEarly = 10
	exampleLate  = 14
)

// Timeline works out, with the engine's own arithmetic (FirstDue, Expiry,
// NextWindow), the dates the rule would give a person hired on hired if the
// rule first applied to them on today.
func (r *Rule) Timeline(hired, today time.Time) Timeline {
	hired, today = Day(hired), Day(today)
	t := Timeline{Hired: hired}
	due, why := r.FirstDue(&hired, today)
	t.Steps = append(t.Steps, TimelineStep{At: hired, What: "Hired"})
	if r.DueFrom == DueFromMatched || hired.Before(today) {
		t.Steps = append(t.Steps, TimelineStep{At: today, What: "The rule applies to them (if saved today)"})
	}
	t.Steps = append(t.Steps, TimelineStep{At: due, What: "First due", Why: why})
	earliest := today
	if hired.After(today) {
		earliest = hired
	}
	done := exampleCompletion(due, earliest)
	t.Steps = append(t.Steps, TimelineStep{At: done, What: "If completed on time, for example on this day"})
	rec := r.Recurrence()
	exp, expWhy, ok := rec.Expiry(due, done)
	if !ok {
		t.Steps = append(t.Steps, TimelineStep{At: done, What: "Valid with no expiry", Why: "the course is taken once; no refresher follows"})
	} else {
		t.Steps = append(t.Steps, TimelineStep{At: exp, What: "Valid until", Why: expWhy})
		opens, due2, nextWhy := rec.NextWindow(exp)
		t.Steps = append(t.Steps,
			TimelineStep{At: opens, What: "Refresher opens"},
			TimelineStep{At: due2, What: "Refresher due", Why: nextWhy})
		done2 := exampleCompletion(due2, opens)
		exp2, exp2Why, _ := rec.Expiry(due2, done2)
		t.Steps = append(t.Steps,
			TimelineStep{At: done2, What: "If the refresher is completed on time, for example on this day"},
			TimelineStep{At: exp2, What: "Valid until", Why: exp2Why})
		late := due.AddDate(0, 0, exampleLate)
		expLate, lateWhy, _ := rec.Expiry(due, late)
		t.Late = []TimelineStep{
			{At: late, What: fmt.Sprintf("If the first cycle is completed %d days late instead", exampleLate)},
			{At: expLate, What: "Valid until", Why: lateWhy},
		}
	}
	if r.DueFrom == DueFromHire {
		longAgo := today.AddDate(-5, 0, 0)
		if !hired.Before(today.AddDate(0, 0, -r.DueDays)) {
			due2, why2 := r.FirstDue(&longAgo, today)
			t.Existing = &TimelineStep{At: due2, What: "First due for someone hired long before the rule applied", Why: why2}
		}
	}
	return t
}

// exampleCompletion is a plausible on-time completion: a few days before
// due, but not before the person could start.
func exampleCompletion(due, earliest time.Time) time.Time {
	done := due.AddDate(0, 0, -exampleEarly)
	if done.Before(earliest) {
		done = earliest
	}
	if done.After(due) {
		done = due
	}
	return done
}
