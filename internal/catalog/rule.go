package catalog

import (
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	everyPattern  = regexp.MustCompile(`^(\d+)\s+(months?|years?)$`)
	windowPattern = regexp.MustCompile(`^(\d+)\s+days?$`)
	fixedPattern  = regexp.MustCompile(`^(\d\d)-(\d\d)$`)
)

// parseRule reads a course's default_rule.
func (cl *courseLoader) parseRule(n *yaml.Node, courseTitle string) *RuleSpec {
	const what = "default_rule"
	m := cl.mapping(cl.file, n, what, "name", "who", "departments", "job_titles", "locations", "due_days", "due_from", "recurrence")
	if m == nil {
		return nil
	}
	r := &RuleSpec{Name: m.str("name", what)}
	if r.Name == "" {
		r.Name = courseTitle
	}
	r.Departments, _ = m.strs("departments", what)
	r.JobTitles, _ = m.strs("job_titles", what)
	r.Locations, _ = m.strs("locations", what)
	lists := len(r.Departments) + len(r.JobTitles) + len(r.Locations)
	switch who := m.str("who", what); {
	case who == "everyone":
		r.Everyone = true
		if lists > 0 {
			cl.add(cl.file, m.line("who"), "default_rule: `who: everyone` cannot be combined with departments, job_titles or locations: remove one or the other")
		}
	case who != "":
		cl.add(cl.file, m.line("who"), "default_rule: `who` can only be `everyone`, not %q; to target people, list departments, job_titles or locations instead", who)
	case lists == 0:
		cl.add(cl.file, m.node.Line, "default_rule says nobody must take the course: add `who: everyone`, or departments, job_titles or locations")
	}
	r.DueDays = m.integer("due_days", what, 0)
	if r.DueDays < 0 {
		cl.add(cl.file, m.line("due_days"), "default_rule: due_days cannot be negative")
	}
	r.DueFrom = m.str("due_from", what)
	switch r.DueFrom {
	case "":
		r.DueFrom = "hire"
	case "hire", "matched":
	default:
		cl.add(cl.file, m.line("due_from"), "default_rule: due_from must be `hire` or `matched`, not %q", r.DueFrom)
	}
	if m.has("recurrence") {
		cl.parseRecurrence(m.values["recurrence"], r)
	}
	return r
}

func (cl *courseLoader) parseRecurrence(n *yaml.Node, r *RuleSpec) {
	const what = "default_rule.recurrence"
	m := cl.mapping(cl.file, n, what, "every", "window", "base", "fixed_date")
	if m == nil {
		return
	}
	every := m.str("every", what)
	if mm := everyPattern.FindStringSubmatch(every); mm != nil {
		count, _ := strconv.Atoi(mm[1])
		if mm[2][0] == 'y' {
			count *= 12
		}
		r.EveryMonths = count
		if count == 0 {
			cl.add(cl.file, m.line("every"), "recurrence: `every` must be at least 1 month; remove `recurrence` for a one-time course")
		}
	} else if every == "" {
		cl.add(cl.file, m.line("every"), "recurrence has no `every`: add e.g. `every: 12 months` (or remove `recurrence` for a one-time course)")
	} else {
		cl.add(cl.file, m.line("every"), "recurrence: `every` must be \"N months\" or \"N years\" (e.g. \"12 months\"), not %q", every)
	}
	window := m.str("window", what)
	if mm := windowPattern.FindStringSubmatch(window); mm != nil {
		r.WindowDays, _ = strconv.Atoi(mm[1])
		// A window as long as the period would open the next cycle the
		// moment the previous one is completed.
		if r.EveryMonths > 0 && r.WindowDays >= r.EveryMonths*28 {
			cl.add(cl.file, m.line("window"), "recurrence: the window (%d days) must be shorter than the period (%s)", r.WindowDays, every)
		}
	} else if window != "" {
		cl.add(cl.file, m.line("window"), "recurrence: `window` must be \"N days\" (e.g. \"60 days\"), not %q", window)
	}
	r.Base = m.str("base", what)
	switch r.Base {
	case "completion", "expiry", "fixed":
	case "":
		cl.add(cl.file, m.line("base"), "recurrence has no `base`: add `base:` (completion, expiry or fixed)")
	default:
		cl.add(cl.file, m.line("base"), "recurrence: base must be completion, expiry or fixed, not %q", r.Base)
	}
	fixed := m.str("fixed_date", what)
	switch {
	case fixed != "" && r.Base != "fixed":
		cl.add(cl.file, m.line("fixed_date"), "recurrence: fixed_date is only used with `base: fixed`: remove it or change the base")
	case fixed == "" && r.Base == "fixed":
		cl.add(cl.file, m.line("base"), "recurrence: `base: fixed` needs `fixed_date: \"MM-DD\"` (e.g. \"03-01\" for every 1 March)")
	case fixed != "":
		mm := fixedPattern.FindStringSubmatch(fixed)
		if mm == nil {
			cl.add(cl.file, m.line("fixed_date"), "recurrence: fixed_date must be MM-DD in quotes (e.g. \"03-01\"), not %q", fixed)
			return
		}
		month, _ := strconv.Atoi(mm[1])
		day, _ := strconv.Atoi(mm[2])
		// 2027 is not a leap year: 29 February is refused, as it does
		// not come every year.
		d := time.Date(2027, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if month < 1 || month > 12 || d.Day() != day {
			cl.add(cl.file, m.line("fixed_date"), "recurrence: fixed_date %q is not a date that comes every year", fixed)
			return
		}
		r.FixedMonth, r.FixedDay = month, day
	}
}
