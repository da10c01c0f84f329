package compliance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// Actor is who makes an administrative change: an HR admin (ID is their
// employee ID) or the system (no ID; Name says which part, e.g. "cli").
type Actor struct {
	ID   string
	Name string
}

// changedBy is what a cycle change records as its author.
func (a Actor) changedBy() string {
	if a.ID != "" {
		return a.ID
	}
	return a.Name
}

// ErrRuleNotFound is returned when a rule to show or replace does not exist.
var ErrRuleNotFound = apperr.New(apperr.NotFound, "There is no such rule. It may have been made from a course that is no longer loaded.")

// The fields of a rule a RuleProblem can point at; they are the rule form's
// field names.
const (
	FieldName        = "name"
	FieldCourse      = "course"
	FieldWho         = "who"
	FieldDueDays     = "due_days"
	FieldDueFrom     = "due_from"
	FieldEveryMonths = "every_months"
	FieldWindowDays  = "window_days"
	FieldBase        = "base"
	FieldFixedDate   = "fixed_month"
)

// RuleProblem is one thing to fix in a rule, tied to a field where it can be.
type RuleProblem struct {
	// Field is one of the Field constants, or "" for the rule as a whole.
	Field   string
	Message string
}

// RuleError says everything wrong with a rule that cannot be saved.
type RuleError struct {
	Problems []RuleProblem
}

func (e *RuleError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// validateFields maps the sentences of Rule.Validate to the field they are
// about; TestRuleProblemsPointAtFields keeps the two in step.
var validateFields = []struct{ prefix, field string }{
	{"give the rule a name", FieldName},
	{"choose a course", FieldCourse},
	{"choose everyone", FieldWho},
	{"the due date must be", FieldDueDays},
	{"due dates count from", FieldDueFrom},
	{"the recurrence must be", FieldEveryMonths},
	{"a fixed date needs", FieldFixedDate},
	{"the recurrence base must be", FieldBase},
	{"the refresher window", FieldWindowDays},
}

// Problems returns what Validate finds wrong, each tied to its field.
func (r *Rule) Problems() []RuleProblem {
	err := r.Validate()
	if err == nil {
		return nil
	}
	var out []RuleProblem
	for _, msg := range strings.Split(err.Error(), "; ") {
		field := ""
		for _, f := range validateFields {
			if strings.HasPrefix(msg, f.prefix) {
				field = f.field
				break
			}
		}
		out = append(out, RuleProblem{Field: field, Message: upperFirst(msg) + "."})
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Normalize tidies a rule the way it is stored: trimmed name, clean group
// lists (none for everyone), no fixed date unless the base is fixed (which
// recurs yearly), and no refresher window for a course taken once.
func (r *Rule) Normalize() {
	r.Name = strings.TrimSpace(r.Name)
	r.CourseID = strings.TrimSpace(r.CourseID)
	clean := func(l StringList) StringList {
		var out StringList
		for _, v := range l {
			v = strings.TrimSpace(v)
			if v != "" && !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, v) }) {
				out = append(out, v)
			}
		}
		return out
	}
	r.Departments, r.JobTitles, r.Locations = clean(r.Departments), clean(r.JobTitles), clean(r.Locations)
	if r.Everyone {
		r.Departments, r.JobTitles, r.Locations = nil, nil, nil
	}
	if r.Base == BaseFixed {
		r.EveryMonths = 12
	} else {
		r.FixedMonth, r.FixedDay = 0, 0
	}
	if !r.Recurrence().Recurs() {
		r.WindowDays = 0
	}
}

// loadRule returns the stored rule with the ID, or ErrRuleNotFound.
func loadRule(tx *gorm.DB, id string) (*Rule, error) {
	var r Rule
	err := tx.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrRuleNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load rule %s: %w", id, err)
	}
	return &r, nil
}

// checkRule normalises r, checks it can be saved, and fills in what the
// form does not carry (ID, source, reminder policy, timestamps). It returns
// the stored rule r replaces, or nil for a new rule.
func checkRule(tx *gorm.DB, r *Rule, now time.Time) (*Rule, error) {
	var old *Rule
	if r.ID != "" {
		var err error
		if old, err = loadRule(tx, r.ID); err != nil {
			return nil, err
		}
	}
	r.Normalize()
	problems := r.Problems()
	if r.CourseID != "" {
		var n int64
		if err := tx.Table("courses").Where("id = ?", r.CourseID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("look up course %s: %w", r.CourseID, err)
		}
		if n == 0 {
			problems = append(problems, RuleProblem{FieldCourse, "Choose a course from the list; there is no course " + r.CourseID + "."})
		}
	}
	// A rule's first-matched dates belong to its course: moving them to
	// another course would give people due dates counted from the wrong day.
	if old != nil && r.CourseID != old.CourseID {
		problems = append(problems, RuleProblem{FieldCourse, "A rule's course cannot change. Create a new rule for the other course and deactivate this one."})
	}
	if len(problems) > 0 {
		return nil, &RuleError{Problems: problems}
	}
	if old == nil {
		r.ID = db.NewID()
		r.Source = "hr"
		r.ReminderPolicy = "{}"
		r.CreatedAt = now
	} else {
		// A course file's rule belongs to HR after it is first loaded (see
		// SyncCourseRules), so it may be edited; it keeps its origin.
		r.Source, r.ReminderPolicy, r.CreatedAt = old.Source, old.ReminderPolicy, old.CreatedAt
	}
	if r.ReminderPolicy == "" {
		r.ReminderPolicy = "{}"
	}
	r.UpdatedAt = now
	return old, nil
}

// storeRule inserts r, or overwrites every field of the row of its ID when
// that row exists.
func storeRule(tx *gorm.DB, r *Rule, exists bool) error {
	if !exists {
		if err := tx.Create(r).Error; err != nil {
			return fmt.Errorf("create rule: %w", err)
		}
		return nil
	}
	// Not the ID: SQLite checks every row referring to a key an UPDATE
	// sets, even to the same value (a scan of assignments and rule_matches).
	if err := tx.Model(&Rule{}).Where("id = ?", r.ID).Select("*").Omit("id").Updates(r).Error; err != nil {
		return fmt.Errorf("update rule: %w", err)
	}
	return nil
}

// SaveRule validates the rule, inserts it (no ID) or replaces the stored
// rule of its ID, re-evaluates the rules for everyone it concerns, and
// records an audit entry with the rule before and after, all inside tx. It
// returns what changed: exactly what Preview showed for the same rule in the
// same state. A rule is never deleted: set Active to false to stop it, which
// closes the open cycles of people no other rule requires the course of.
func (e *Engine) SaveRule(tx *gorm.DB, r *Rule, by Actor, now time.Time) (RulePreview, error) {
	p, err := e.applyRule(tx, now, r, false)
	if err != nil {
		return p, err
	}
	return p, e.auditRule(tx, &p, by, now, "")
}

func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// ruleRecord is a rule as its audit entry keeps it.
type ruleRecord struct {
	Name        string   `json:"name"`
	CourseID    string   `json:"course_id"`
	Everyone    bool     `json:"everyone"`
	Departments []string `json:"departments"`
	JobTitles   []string `json:"job_titles"`
	Locations   []string `json:"locations"`
	DueDays     int      `json:"due_days"`
	DueFrom     DueFrom  `json:"due_from"`
	EveryMonths int      `json:"every_months"`
	WindowDays  int      `json:"window_days"`
	Base        Base     `json:"base"`
	FixedMonth  int      `json:"fixed_month,omitempty"`
	FixedDay    int      `json:"fixed_day,omitempty"`
	Source      string   `json:"source"`
	Active      bool     `json:"active"`
}

func ruleRecordOf(r *Rule) ruleRecord {
	list := func(l StringList) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return ruleRecord{
		Name: r.Name, CourseID: r.CourseID, Everyone: r.Everyone,
		Departments: list(r.Departments), JobTitles: list(r.JobTitles), Locations: list(r.Locations),
		DueDays: r.DueDays, DueFrom: r.DueFrom, EveryMonths: r.EveryMonths, WindowDays: r.WindowDays,
		Base: r.Base, FixedMonth: r.FixedMonth, FixedDay: r.FixedDay, Source: r.Source, Active: r.Active,
	}
}
