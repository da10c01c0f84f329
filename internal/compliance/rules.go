package compliance

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// StringList is a list of strings stored as a JSON array in a TEXT column.
type StringList []string

// Value writes the list as JSON.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		l = StringList{}
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan reads the list from JSON.
func (l *StringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("StringList: cannot scan %T", src)
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// DueFrom says what a rule's due date counts from.
type DueFrom string

// The two starting points for a first due date.
const (
	// DueFromHire counts from the hire date, or from the day the rule first
	// matched for people hired long before (whichever is later).
	DueFromHire DueFrom = "hire"
	// DueFromMatched counts from the day the rule first matched.
	DueFromMatched DueFrom = "matched"
)

// Rule is an assignment rule: who must take which course, by when, and how often.
type Rule struct {
	ID          string
	Name        string
	CourseID    string
	Everyone    bool
	Departments StringList
	JobTitles   StringList
	Locations   StringList
	DueDays     int
	DueFrom     DueFrom
	EveryMonths int
	WindowDays  int
	Base        Base
	FixedMonth  int
	FixedDay    int
	// ReminderPolicy is JSON; empty means the organisation's default policy.
	ReminderPolicy string
	// Source is "course" for a rule a course file declares, "hr" otherwise.
	Source    string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName tells GORM the table.
func (Rule) TableName() string { return "assignment_rules" }

// Person is what a rule looks at to decide whether it applies.
type Person struct {
	ID         string
	Department string
	JobTitle   string
	Location   string
	HireDate   *time.Time
	Active     bool
	ManagerID  *string
}

// Matches reports whether the rule applies to the person (active or not).
func (r *Rule) Matches(p Person) bool {
	if r.Everyone {
		return true
	}
	if len(r.Departments) == 0 && len(r.JobTitles) == 0 && len(r.Locations) == 0 {
		return false
	}
	in := func(list StringList, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
	}
	return in(r.Departments, p.Department) && in(r.JobTitles, p.JobTitle) && in(r.Locations, p.Location)
}

// Recurrence returns the rule's recurrence.
func (r *Rule) Recurrence() Recurrence {
	return Recurrence{EveryMonths: r.EveryMonths, WindowDays: r.WindowDays, Base: r.Base, FixedMonth: time.Month(r.FixedMonth), FixedDay: r.FixedDay}
}

// Validate checks the rule and says what to fix.
func (r *Rule) Validate() error {
	var problems []string
	if strings.TrimSpace(r.Name) == "" {
		problems = append(problems, "give the rule a name")
	}
	if r.CourseID == "" {
		problems = append(problems, "choose a course")
	}
	if !r.Everyone && len(r.Departments)+len(r.JobTitles)+len(r.Locations) == 0 {
		problems = append(problems, "choose everyone, or at least one department, job title or location")
	}
	if r.DueDays < 0 || r.DueDays > 3650 {
		problems = append(problems, "the due date must be between 0 and 3650 days")
	}
	if r.DueFrom != DueFromHire && r.DueFrom != DueFromMatched {
		problems = append(problems, `due dates count from "hire" or "matched"`)
	}
	switch r.Base {
	case BaseCompletion, BaseExpiry:
		if r.EveryMonths < 0 || r.EveryMonths > 120 {
			problems = append(problems, "the recurrence must be between 0 and 120 months")
		}
	case BaseFixed:
		if r.FixedMonth < 1 || r.FixedMonth > 12 || r.FixedDay < 1 || r.FixedDay > 28+monthExtra(r.FixedMonth) {
			problems = append(problems, "a fixed date needs a real month and day (e.g. 03-01)")
		}
	default:
		problems = append(problems, `the recurrence base must be "completion", "expiry" or "fixed"`)
	}
	if r.WindowDays < 0 || r.WindowDays > 365 {
		problems = append(problems, "the refresher window must be between 0 and 365 days")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func monthExtra(m int) int {
	switch time.Month(m) {
	case time.February:
		return 0
	case time.April, time.June, time.September, time.November:
		return 2
	}
	return 3
}

// FirstDue derives a person's first due date under the rule, given the day
// the rule first matched them, and says why in words.
func (r *Rule) FirstDue(hire *time.Time, matched time.Time) (time.Time, string) {
	matched = Day(matched)
	if r.DueFrom == DueFromHire && hire != nil && !Day(*hire).Before(matched.AddDate(0, 0, -r.DueDays)) {
		h := Day(*hire)
		due := h.AddDate(0, 0, r.DueDays)
		if due.Before(matched) {
			due = matched
		}
		return due, fmt.Sprintf("due %s: %d days after your hire date, %s", FormatDay(due), r.DueDays, FormatDay(h))
	}
	due := matched.AddDate(0, 0, r.DueDays)
	if r.DueFrom == DueFromHire && hire != nil {
		return due, fmt.Sprintf("due %s: %d days after this course was assigned to you on %s (you were hired before it applied)", FormatDay(due), r.DueDays, FormatDay(matched))
	}
	return due, fmt.Sprintf("due %s: %d days after this course was assigned to you on %s", FormatDay(due), r.DueDays, FormatDay(matched))
}

// RecurrenceForAssignment returns the recurrence of the rule behind an
// assignment, or fallback when the assignment has no rule (a manual
// assignment or one imported before rules existed).
func RecurrenceForAssignment(tx *gorm.DB, assignmentID string, fallback Recurrence) (Recurrence, error) {
	r, err := recurrenceFor(tx, map[string]*Rule{}, assignmentID)
	if err != nil {
		return Recurrence{}, err
	}
	if r == nil {
		return fallback, nil
	}
	return r.Recurrence(), nil
}
