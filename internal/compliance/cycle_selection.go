package compliance

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

// MaxSelection caps how many cycles one extension or exemption changes, so a
// single request stays a short transaction.
const MaxSelection = 500

// SelectedCycle is a cycle HR selected, with the names a page shows.
type SelectedCycle struct {
	Cycle
	EmployeeName string
	Department   string
	JobTitle     string
	CourseTitle  string
}

// LoadSelection returns the selected cycles in the order given, with the
// person's name and the course's title; IDs that match no cycle are
// returned in missing.
func LoadSelection(tx *gorm.DB, ids []string) (found []SelectedCycle, missing []string, err error) {
	ids = uniqueIDs(ids)
	byID := map[string]SelectedCycle{}
	for part := range slices.Chunk(ids, chunk) {
		var rows []SelectedCycle
		err := tx.Table("cycles c").
			Select("c.*, e.first_name || ' ' || e.last_name AS employee_name, e.department AS department, e.job_title AS job_title, COALESCE(k.title, c.course_id) AS course_title").
			Joins("JOIN employees e ON e.id = c.employee_id").
			Joins("LEFT JOIN courses k ON k.id = c.course_id").
			Where("c.id IN ?", part).Scan(&rows).Error
		if err != nil {
			return nil, nil, fmt.Errorf("load selected cycles: %w", err)
		}
		for _, r := range rows {
			byID[r.ID] = r
		}
	}
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			found = append(found, c)
		} else {
			missing = append(missing, id)
		}
	}
	return found, missing, nil
}

func uniqueIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// CycleProblem says why one selected cycle cannot be changed.
type CycleProblem struct {
	CycleID      string
	EmployeeName string
	CourseTitle  string
	Message      string
}

// SelectionError lists every selected cycle that cannot be changed, and
// what is wrong with the request as a whole; nothing was changed.
type SelectionError struct {
	// Field problems are about the form: the date or the reason.
	Field map[string]string
	// Cycles are the people whose cycle cannot be changed.
	Cycles []CycleProblem
}

func (e *SelectionError) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Field)) {
		parts = append(parts, e.Field[k])
	}
	for _, c := range e.Cycles {
		parts = append(parts, fmt.Sprintf("%s, %s: %s", c.EmployeeName, c.CourseTitle, c.Message))
	}
	return strings.Join(parts, "; ")
}

// notChangeable says why a cycle cannot be extended or exempted, or "".
func notChangeable(c *Cycle) string {
	switch c.Status {
	case StatusCompleted:
		if c.CompletedAt != nil {
			return "already completed on " + FormatDay(*c.CompletedAt)
		}
		return "already completed"
	case StatusExempt:
		return "already exempt"
	case StatusClosed:
		return "no longer required (closed)"
	case StatusExpired:
		return "this completion has expired; change the refresher cycle that follows it"
	}
	return ""
}

// ExtendSelection moves the due date of every selected cycle to newDue, with
// the reason, in tx: all of them or, when any one cannot be extended, none
// (a *SelectionError names each). Each extension gets an audit entry.
func ExtendSelection(tx *gorm.DB, ids []string, newDue time.Time, reason string, by Actor, now time.Time) ([]*Cycle, error) {
	reason = strings.TrimSpace(reason)
	newDue = Day(newDue)
	sel := &SelectionError{Field: map[string]string{}}
	if reason == "" {
		sel.Field["reason"] = "Give a reason for the extension; it is kept with the change."
	}
	if newDue.Before(Day(now)) {
		sel.Field["due"] = "The new due date must be today or later."
	}
	cycles, err := checkSelection(tx, ids, sel, func(c *SelectedCycle) string {
		if msg := notChangeable(&c.Cycle); msg != "" {
			return msg
		}
		if !newDue.After(Day(c.DueAt)) {
			return "already due " + FormatDay(c.DueAt) + "; the new due date must be after it"
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	var out []*Cycle
	for _, c := range cycles {
		changed, err := Extend(tx, c.ID, newDue, reason, by.changedBy(), now)
		if err != nil {
			return nil, fmt.Errorf("extend cycle %s: %w", c.ID, err)
		}
		if err := recordCycleChange(tx, &c.Cycle, changed, c.EmployeeName, c.CourseTitle, reason, by, now); err != nil {
			return nil, err
		}
		out = append(out, changed)
	}
	return out, nil
}

// ExemptSelection exempts every selected cycle, until a day or for good,
// with the reason, in tx: all of them or none, as ExtendSelection.
func ExemptSelection(tx *gorm.DB, ids []string, reason string, until *time.Time, by Actor, now time.Time) ([]*Cycle, error) {
	reason = strings.TrimSpace(reason)
	sel := &SelectionError{Field: map[string]string{}}
	if reason == "" {
		sel.Field["reason"] = "Give a reason for the exemption; it is kept with the change."
	}
	if until != nil && !Day(*until).After(Day(now)) {
		sel.Field["until"] = "The end date must be after today, or left empty for an exemption that does not end."
	}
	cycles, err := checkSelection(tx, ids, sel, func(c *SelectedCycle) string { return notChangeable(&c.Cycle) })
	if err != nil {
		return nil, err
	}
	var out []*Cycle
	for _, c := range cycles {
		changed, err := Exempt(tx, c.ID, reason, until, by.changedBy(), now)
		if err != nil {
			return nil, fmt.Errorf("exempt cycle %s: %w", c.ID, err)
		}
		if err := recordCycleChange(tx, &c.Cycle, changed, c.EmployeeName, c.CourseTitle, reason, by, now); err != nil {
			return nil, err
		}
		out = append(out, changed)
	}
	return out, nil
}

// checkSelection loads the selection and collects every problem before
// anything is written, so a refusal names them all.
func checkSelection(tx *gorm.DB, ids []string, sel *SelectionError, check func(*SelectedCycle) string) ([]SelectedCycle, error) {
	ids = uniqueIDs(ids)
	switch {
	case len(ids) == 0:
		sel.Field["cycles"] = "Select at least one person."
	case len(ids) > MaxSelection:
		sel.Field["cycles"] = fmt.Sprintf("Select at most %d people at a time; %d are selected.", MaxSelection, len(ids))
	}
	if sel.Field["cycles"] != "" {
		return nil, sel
	}
	cycles, missing, err := LoadSelection(tx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range missing {
		sel.Cycles = append(sel.Cycles, CycleProblem{CycleID: id, EmployeeName: "Unknown", CourseTitle: "-", Message: "this cycle does not exist (any more)"})
	}
	for i := range cycles {
		if msg := check(&cycles[i]); msg != "" {
			c := cycles[i]
			sel.Cycles = append(sel.Cycles, CycleProblem{CycleID: c.ID, EmployeeName: c.EmployeeName, CourseTitle: c.CourseTitle, Message: msg})
		}
	}
	if len(sel.Field) > 0 || len(sel.Cycles) > 0 {
		return nil, sel
	}
	return cycles, nil
}

// RecordCycleChange writes the audit entry of an extension or exemption:
// before is the cycle as it was, after as Extend or Exempt returned it.
func RecordCycleChange(tx *gorm.DB, before, after *Cycle, reason string, by Actor, now time.Time) error {
	var names struct{ EmployeeName, CourseTitle string }
	err := tx.Table("employees e").
		Select("e.first_name || ' ' || e.last_name AS employee_name, COALESCE((SELECT title FROM courses WHERE id = ?), ?) AS course_title", before.CourseID, before.CourseID).
		Where("e.id = ?", before.EmployeeID).Take(&names).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("look up names for the audit entry: %w", err)
	}
	return recordCycleChange(tx, before, after, names.EmployeeName, names.CourseTitle, reason, by, now)
}

func recordCycleChange(tx *gorm.DB, before, after *Cycle, employee, course, reason string, by Actor, now time.Time) error {
	details := map[string]any{
		"employee_id": before.EmployeeID, "course_id": before.CourseID, "cycle_number": before.Number,
		"old_status": before.Status, "new_status": after.Status, "reason": reason,
	}
	var ev audit.Event
	if after.Status == StatusExempt {
		ev.Action = audit.ActionExempt
		ev.Summary = fmt.Sprintf("Exempted %s from %s (cycle #%d) for good: %s", employee, course, before.Number, reason)
		if after.ExemptUntil != nil {
			ev.Summary = fmt.Sprintf("Exempted %s from %s (cycle #%d) until %s: %s", employee, course, before.Number, FormatDay(*after.ExemptUntil), reason)
			details["until"] = Day(*after.ExemptUntil).Format(time.DateOnly)
		}
	} else {
		ev.Action = audit.ActionExtend
		ev.Summary = fmt.Sprintf("Extended %s's %s (cycle #%d) from %s to %s: %s", employee, course, before.Number, FormatDay(before.DueAt), FormatDay(after.DueAt), reason)
		details["old_due"] = Day(before.DueAt).Format(time.DateOnly)
		details["new_due"] = Day(after.DueAt).Format(time.DateOnly)
	}
	ev.At, ev.ActorID, ev.ActorName = now, by.ID, by.Name
	ev.EntityType, ev.EntityID, ev.Details = "cycle", before.ID, details
	return audit.Record(tx, ev)
}

// OpenCycleFilter narrows the list of open cycles.
type OpenCycleFilter struct {
	CourseID   string
	Department string
	// RuleID keeps the people whose assignment the rule controls.
	RuleID string
	// Status is "open" (not yet past due), "overdue", or "" for both.
	Status string
}

// OpenCyclesCounted is the most open cycles ListOpenCycles counts: above
// it, the total says "more than" (counting every open cycle of a hospital
// system, 1.3 million at 100,000 people, took most of a minute).
const OpenCyclesCounted = 10000

// openCyclesCounted is OpenCyclesCounted, changed only by tests.
var openCyclesCounted = OpenCyclesCounted

// openCyclesSmallDepartment is the most people a department filter may
// match for the list to be read through employees_department_idx and sorted
// (SQLite); a larger department is read along cycles_open_due_idx, in the
// list's order, stopping after the page.
const openCyclesSmallDepartment = 200

// ListOpenCycles returns one page of the cycles people still owe (upcoming,
// open, in progress or overdue) of active people's active assignments,
// earliest due first (then by cycle ID), and how many there are in all,
// counted up to OpenCyclesCounted (total is OpenCyclesCounted+1 when there
// are more: the count stops there).
//
// The page is read along cycles_open_due_idx (due_at, id, partial on
// cycles that are neither completed nor closed: migrations 00038 and
// 00048) from its position and the read stops after it, so a page costs
// its size, not the organisation nor how deep in the list it is (an
// Offset costs the rows it skips too): the index's condition is in the
// query word for word, so that both databases use the partial index, and
// the open statuses beside it skip the exempt cycles the index also
// holds. A filter on a small department is read through the department's
// people instead (see openCyclesSmallDepartment). more says whether
// further cycles follow the page in the direction it was read (later
// ones, or with Before earlier ones).
func ListOpenCycles(tx *gorm.DB, f OpenCycleFilter, now time.Time, p OpenCyclesPage) (rows []SelectedCycle, more bool, total int64, err error) {
	today := Day(now)
	department := "e.department = ?"
	// CROSS JOIN keeps SQLite's planner from reordering the tables: cycles
	// first, along the order's index. With its statistics it would rather
	// read every assignment and sort (2.7 s a page at 100,000 people).
	// PostgreSQL plans a CROSS JOIN like any other join.
	from := "cycles c CROSS JOIN assignments a CROSS JOIN employees e"
	if f.Department != "" && tx.Dialector.Name() != "postgres" {
		var n int64
		err := tx.Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM employees WHERE department = ? AND status = 'active' LIMIT ?) t`,
			f.Department, openCyclesSmallDepartment+1).Row().Scan(&n)
		if err != nil {
			return nil, false, 0, fmt.Errorf("count open cycles: %w", err)
		}
		if n > openCyclesSmallDepartment {
			// e.department || '' is the same value, and no index has it.
			department = "e.department || '' = ?"
		} else {
			from = "cycles c JOIN assignments a ON a.id = c.assignment_id JOIN employees e ON e.id = c.employee_id"
		}
	}
	q := func() *gorm.DB {
		q := tx.Table(from).
			Where("a.id = c.assignment_id AND a.status = 'active' AND e.id = c.employee_id AND e.status = 'active'").
			Where("c.completed_at IS NULL AND c.closed_at IS NULL AND c.status IN ('upcoming', 'open', 'in_progress', 'overdue')")
		if f.CourseID != "" {
			q = q.Where("c.course_id = ?", f.CourseID)
		}
		if f.Department != "" {
			q = q.Where(department, f.Department)
		}
		if f.RuleID != "" {
			q = q.Where("a.rule_id = ?", f.RuleID)
		}
		switch f.Status {
		case "overdue":
			q = q.Where("(c.status = ? OR c.due_at < ?)", StatusOverdue, today)
		case "open":
			q = q.Where("c.status <> ? AND c.due_at >= ?", StatusOverdue, today)
		}
		return q
	}
	if err := tx.Raw(`SELECT COUNT(*) FROM (?) t`, q().Select("1").Limit(openCyclesCounted+1)).Row().Scan(&total); err != nil {
		return nil, false, 0, fmt.Errorf("count open cycles: %w", err)
	}
	page := q().Select("c.*, e.first_name || ' ' || e.last_name AS employee_name, e.department AS department, e.job_title AS job_title, COALESCE(k.title, c.course_id) AS course_title").
		Joins("LEFT JOIN courses k ON k.id = c.course_id")
	switch {
	case p.After != nil:
		page = page.Where("(c.due_at, c.id) > (?, ?)", p.After.At, p.After.ID).Order("c.due_at, c.id")
	case p.Before != nil:
		page = page.Where("(c.due_at, c.id) < (?, ?)", p.Before.At, p.Before.ID).Order("c.due_at DESC, c.id DESC")
	default:
		page = page.Order("c.due_at, c.id").Offset(p.Offset)
	}
	if err := page.Limit(p.Limit + 1).Scan(&rows).Error; err != nil {
		return nil, false, 0, fmt.Errorf("list open cycles: %w", err)
	}
	if more = len(rows) > p.Limit; more {
		rows = rows[:p.Limit]
	}
	if p.After == nil && p.Before != nil {
		slices.Reverse(rows)
	}
	return rows, more, total, nil
}

// OpenCyclesPage says which page ListOpenCycles reads: Limit cycles after
// the one at After, or just before the one at Before (a cycle's Position),
// or else after skipping Offset.
type OpenCyclesPage struct {
	Limit         int
	Offset        int
	After, Before *Position
}

// Position is a cycle's place in the list of open cycles (its due date,
// then its ID), as the list's page links carry it.
type Position = db.Position

// Position is the cycle's place in the list of open cycles.
func (c SelectedCycle) Position() Position { return Position{At: c.DueAt.UTC(), ID: c.ID} }

// ParsePosition reads a page link's position, or says the link is not
// right (a Malformed apperr.Error).
func ParsePosition(s string) (Position, error) {
	p, err := db.ParsePosition(s)
	if err != nil {
		return Position{}, apperr.New(apperr.Malformed, "That page link is not right: start again from the first page.")
	}
	return p, nil
}
