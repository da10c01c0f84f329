package compliance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// importedFrom opens the derivation of every imported completion.
const importedFrom = "imported from the previous system"

// ClosedSupersededByImport is the reason given when an unfinished cycle with
// recorded progress is closed because an imported completion follows it.
// Its progress stays as history.
const ClosedSupersededByImport = "superseded by a completion imported from the previous system"

// CompletionsImportOptions say what ImportCompletions does.
type CompletionsImportOptions struct {
	// SourceFile is the file's name, kept with every imported completion.
	SourceFile string
	// Now is the time of the import: no completion may be later, and it
	// stamps what is written.
	Now time.Time
	// DryRun plans the import and writes nothing.
	DryRun bool
	// Engine, when set, runs its pass (Engine.AdvanceTx) after the
	// completions are recorded, in the same transaction, so a refresher
	// whose window is already open starts right away.
	Engine *Engine
}

// CompletionsResult is what ImportCompletions planned and, unless it was a
// dry run, recorded.
type CompletionsResult struct {
	Plan *CompletionsPlan
	// Applied is false for a dry run.
	Applied bool
	// Pass is what the engine's pass after recording did (zero in a dry
	// run or without an engine).
	Pass PassResult
}

// CompletionsPlan is what an import records, worked out against the database.
// The dry run shows it; the real run writes exactly it.
type CompletionsPlan struct {
	SourceFile string
	Now        time.Time
	// Completions are in the file's row order.
	Completions []PlannedCompletion
	// IgnoredColumns are the file's columns the import does not use.
	IgnoredColumns []string
}

// PlannedCompletion is one row of the file as it will be recorded: a
// completed cycle of the employee's assignment for the course.
type PlannedCompletion struct {
	// Row is the row's line in the file (the header is line 1).
	Row            int
	EmployeeNumber string
	EmployeeID     string
	EmployeeName   string
	CourseID       string
	CompletedAt    time.Time
	Score          *int
	Evidence       string

	// AssignmentID is the employee's assignment for the course, "" when
	// the import creates it.
	AssignmentID string
	// NewAssignment is set on the one row (per employee and course) whose
	// recording creates the assignment, with NewAssignmentStatus: active,
	// or closed for an inactive employee, so nobody who has left is asked
	// to take a refresher.
	NewAssignment       bool
	NewAssignmentStatus string
	// RuleID is the rule behind the assignment (for a new assignment, the
	// course's own rule when it has one).
	RuleID *string
	// RecurrenceRuleID is the rule whose recurrence gave the expiry: the
	// assignment's rule, or else the course's own rule; nil when neither
	// exists and the completion does not expire.
	RecurrenceRuleID *string

	// CycleID is the unfinished cycle this completion completes, or ""
	// when it is recorded as a new cycle.
	CycleID       string
	CycleNumber   int
	Path          Path
	WindowOpensAt time.Time
	DueAt         time.Time
	ExpiresAt     *time.Time
	Derivation    string

	// ClosesCycleID and ClosesCycleNumber name an unfinished cycle with
	// recorded progress that this completion supersedes: it is closed and
	// its progress kept as history.
	ClosesCycleID     string
	ClosesCycleNumber int

	// RefresherNumber, RefresherOpensAt and RefresherDueAt are set on an
	// assignment's last completion when the refresher window has already
	// opened: the engine's pass after the import starts that cycle at once.
	RefresherNumber  int
	RefresherOpensAt *time.Time
	RefresherDueAt   *time.Time
}

// CompletesOpenCycle reports whether the completion completes a cycle the
// employee already had rather than adding one.
func (c *PlannedCompletion) CompletesOpenCycle() bool { return c.CycleID != "" }

// Line describes the completion in one line, e.g. "row 2: employee E1001
// (Ada Lovelace), course basic, completed 2025-06-01 → expires 2026-06-01
// (new cycle #1)".
func (c *PlannedCompletion) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d: employee %s (%s), course %s, completed %s → ", c.Row, c.EmployeeNumber, c.EmployeeName,
		c.CourseID, Day(c.CompletedAt).Format(time.DateOnly))
	if c.ExpiresAt != nil {
		fmt.Fprintf(&b, "expires %s", c.ExpiresAt.Format(time.DateOnly))
	} else {
		b.WriteString("does not expire")
	}
	if c.CompletesOpenCycle() {
		fmt.Fprintf(&b, " (completes open cycle #%d)", c.CycleNumber)
	} else {
		fmt.Fprintf(&b, " (new cycle #%d", c.CycleNumber)
		if c.ClosesCycleNumber > 0 {
			fmt.Fprintf(&b, "; closes unfinished cycle #%d, keeping its progress", c.ClosesCycleNumber)
		}
		b.WriteString(")")
	}
	return b.String()
}

// RefresherLine describes the refresher the pass after the import starts,
// or "" when none starts yet.
func (c *PlannedCompletion) RefresherLine() string {
	if c.RefresherDueAt == nil {
		return ""
	}
	return fmt.Sprintf("employee %s (%s), course %s: refresher cycle #%d starts now, due %s",
		c.EmployeeNumber, c.EmployeeName, c.CourseID, c.RefresherNumber, c.RefresherDueAt.Format(time.DateOnly))
}

// RefresherLines describes every refresher the import starts at once.
func (p *CompletionsPlan) RefresherLines() []string {
	var lines []string
	for i := range p.Completions {
		c := &p.Completions[i]
		if line := c.RefresherLine(); line != "" {
			if Day(*c.RefresherDueAt).Before(Day(p.Now)) {
				line += " (already overdue)"
			}
			lines = append(lines, line)
		}
	}
	return lines
}

// Summary says in one line what the plan records, e.g. "3 completions for
// 2 employees in 1 course: 1 completes an open cycle, 2 new cycles,
// 1 new assignment; 1 refresher starts at once".
func (p *CompletionsPlan) Summary() string {
	employees, courses := map[string]bool{}, map[string]bool{}
	var completes, added, assignments, refreshers int
	for _, c := range p.Completions {
		employees[c.EmployeeID], courses[c.CourseID] = true, true
		if c.CompletesOpenCycle() {
			completes++
		} else {
			added++
		}
		if c.NewAssignment {
			assignments++
		}
		if c.RefresherDueAt != nil {
			refreshers++
		}
	}
	s := fmt.Sprintf("%s for %s in %s: %d %s an open cycle, %s, %s",
		count(len(p.Completions), "completion", "completions"), count(len(employees), "employee", "employees"),
		count(len(courses), "course", "courses"), completes, pick(completes, "completes", "complete"),
		count(added, "new cycle", "new cycles"), count(assignments, "new assignment", "new assignments"))
	if refreshers > 0 {
		s += fmt.Sprintf("; %s at once", count(refreshers, "refresher starts", "refreshers start"))
	}
	return s
}

func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, pick(n, one, many)) }

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportCompletions reads a completions CSV from r, checks it against the
// database, and records every row as a completed cycle, all in one
// transaction: any problem (a bad cell, an unknown employee or course, a
// repeated row, a completion older than one already recorded) stops the
// whole import and comes back in a *CompletionsImportError, with nothing
// written. A dry run plans and writes nothing.
//
// Each employee's rows for a course are recorded oldest first. A row
// completes the employee's latest cycle when it is unfinished and has no
// recorded progress (e.g. assigned by a rule but not started); otherwise it
// adds a cycle numbered after the last. Expiry follows the recurrence of
// the assignment's rule, or else the course's own rule.
//
// A row older than (or on the day of) a completion the employee already has
// for the course is refused: recorded after it, it would become the latest
// completion and move the refresher dates backwards.
func ImportCompletions(ctx context.Context, d *db.DB, r io.Reader, opts CompletionsImportOptions) (*CompletionsResult, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("import completions: no time given")
	}
	opts.Now = opts.Now.UTC()
	var problems importProblems
	f, err := parseCompletions(r, opts.Now, &problems)
	if err != nil {
		return nil, err
	}
	if len(f.refs) == 0 {
		// An empty file, or a header that cannot be read: nothing to look up.
		if err := problems.err(); err != nil {
			return nil, err
		}
	}
	res := &CompletionsResult{}
	err = d.Tx(ctx, func(tx *gorm.DB) error {
		plan, err := planCompletions(tx, f, opts, &problems)
		if err != nil {
			return err
		}
		if err := problems.err(); err != nil {
			return err
		}
		res.Plan = plan
		if opts.DryRun {
			return errDryRun
		}
		res.Pass, err = plan.apply(tx, opts.Engine)
		res.Applied = err == nil
		return err
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importEmployee is what the import needs to know of an employee.
type importEmployee struct {
	ID, EmployeeNumber, FirstName, LastName, Status string
	Department, JobTitle, Location                  string
}

// pairHistory is what an employee already has for a course.
type pairHistory struct {
	assignment *Assignment
	cycles     []*Cycle // by number
}

// planCompletions checks the file's references against the database and
// works out what each sound row records. Problems go to problems (the plan
// is only good when there are none); the returned error is a failure to
// read the database.
func planCompletions(tx *gorm.DB, f *completionsFile, opts CompletionsImportOptions, problems *importProblems) (*CompletionsPlan, error) {
	employees, err := loadImportEmployees(tx, f.refs)
	if err != nil {
		return nil, err
	}
	courses, err := loadCourseIDs(tx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, id := range courses {
		known[id] = true
	}
	for _, ref := range f.refs {
		if ref.EmployeeNumber != "" && employees[ref.EmployeeNumber] == nil {
			problems.add(ref.Row, CompletionColumnEmployeeID, ref.EmployeeNumber, fmt.Sprintf(
				"no employee has the employee_id %q; correct it, or add the employee with `onramp employees import` first", ref.EmployeeNumber))
		}
		if ref.CourseID != "" && !known[ref.CourseID] {
			problems.add(ref.Row, CompletionColumnCourse, ref.CourseID, unknownCourse(ref.CourseID, courses))
		}
	}

	// Rows naming an unknown employee or course are already refused; the
	// others are still planned, so every problem is reported at once.
	plan := &CompletionsPlan{SourceFile: opts.SourceFile, Now: opts.Now, IgnoredColumns: f.ignored}
	byPair := map[pairKey][]CompletionRow{}
	var pairs []pairKey
	var ids []string
	for _, row := range f.rows {
		e := employees[row.EmployeeNumber]
		if e == nil || !known[row.CourseID] {
			continue
		}
		k := pairKey{e.ID, row.CourseID}
		if _, seen := byPair[k]; !seen {
			pairs = append(pairs, k)
		}
		byPair[k] = append(byPair[k], row)
		ids = append(ids, e.ID)
	}
	history, err := loadPairHistory(tx, ids)
	if err != nil {
		return nil, err
	}
	progress, err := cyclesWithProgress(tx, history)
	if err != nil {
		return nil, err
	}
	var rules []*Rule
	if err := tx.Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	ruleByID := map[string]*Rule{}
	for _, r := range rules {
		ruleByID[r.ID] = r
	}
	byID := map[string]*importEmployee{}
	for _, e := range employees {
		byID[e.ID] = e
	}
	for _, k := range pairs {
		planned := planPair(byID[k.employee], k.course, byPair[k], history[k], progress, ruleByID, opts.Now, problems)
		plan.Completions = append(plan.Completions, planned...)
	}
	slices.SortFunc(plan.Completions, func(a, b PlannedCompletion) int { return cmp.Compare(a.Row, b.Row) })
	return plan, nil
}

// planPair works out one employee's completions of one course, oldest first.
func planPair(emp *importEmployee, courseID string, rows []CompletionRow, h *pairHistory, progress map[string]bool,
	rules map[string]*Rule, now time.Time, problems *importProblems) []PlannedCompletion {
	slices.SortFunc(rows, func(a, b CompletionRow) int { return a.CompletedAt.Compare(b.CompletedAt) })
	name := strings.TrimSpace(emp.FirstName + " " + emp.LastName)

	// The rule behind the assignment decides the refresher window, as the
	// engine's pass does; for the expiry the course's own rule stands in
	// when the assignment has none.
	var assignmentRule *Rule
	assignmentID, newStatus := "", ""
	var ruleID *string
	active := true
	if h != nil && h.assignment != nil {
		assignmentID = h.assignment.ID
		ruleID = h.assignment.RuleID
		if ruleID != nil {
			assignmentRule = rules[*ruleID]
		}
		active = h.assignment.Status == "active"
	} else {
		if r := newAssignmentRule(emp, courseID, rules); r != nil {
			assignmentRule, ruleID = r, &r.ID
		}
		newStatus = "active"
		if emp.Status != "active" {
			newStatus, active = "closed", false
		}
	}
	recRule := assignmentRule
	if recRule == nil {
		recRule = rules[CourseRuleID(courseID)]
	}
	var rec Recurrence
	var recRuleID *string
	if recRule != nil {
		rec, recRuleID = recRule.Recurrence(), &recRule.ID
	}
	window := Recurrence{}
	if assignmentRule != nil {
		window.WindowDays = assignmentRule.WindowDays
	}

	// What the employee has so far: the latest cycle, the number to give
	// a new one, and the latest completion with its expiry.
	var latest *Cycle
	number := 0
	var prevExpiry, lastDone *time.Time
	if h != nil {
		for _, c := range h.cycles {
			number = max(number, c.Number)
			latest = c
			if c.CompletedAt != nil {
				prevExpiry = c.ExpiresAt
				if d := Day(*c.CompletedAt); lastDone == nil || d.After(*lastDone) {
					lastDone = &d
				}
			}
		}
	}
	hasCompletion := lastDone != nil
	// unfinished is the latest cycle when the learner still owes it; the
	// first imported row either completes it or closes it.
	var unfinished *Cycle
	if latest != nil && slices.Contains(openStatuses, latest.Status) {
		unfinished = latest
	}

	var out []PlannedCompletion
	for _, row := range rows {
		done := Day(row.CompletedAt)
		if lastDone != nil && !done.After(*lastDone) {
			when := "newer than this one"
			if done.Equal(*lastDone) {
				when = "the same day as this one (was this file imported before?)"
			}
			problems.add(row.Row, CompletionColumnCompletedAt, row.CompletedAt.Format(time.DateOnly), fmt.Sprintf(
				"employee %s already has a completion for %s on %s, %s; remove the row",
				row.EmployeeNumber, courseID, FormatDay(*lastDone), when))
			continue
		}
		pc := PlannedCompletion{
			Row: row.Row, EmployeeNumber: row.EmployeeNumber, EmployeeID: emp.ID, EmployeeName: name,
			CourseID: courseID, CompletedAt: row.CompletedAt, Score: row.Score, Evidence: row.Evidence,
			AssignmentID: assignmentID, RuleID: ruleID, RecurrenceRuleID: recRuleID,
		}
		if assignmentID == "" && newStatus != "" {
			pc.NewAssignment, pc.NewAssignmentStatus = true, newStatus
			newStatus = ""
		}
		what := fmt.Sprintf("%s: completed %s", importedFrom, FormatDay(done))
		var anchor time.Time
		countsFromCompletion := false
		var prefix string
		if unfinished != nil && !progress[unfinished.ID] {
			// Complete the cycle the employee owes with the imported date.
			c := unfinished
			pc.CycleID, pc.CycleNumber, pc.Path = c.ID, c.Number, c.Path
			pc.WindowOpensAt, pc.DueAt = c.WindowOpensAt, c.DueAt
			anchor = c.DueAt
			if done.Before(Day(c.WindowOpensAt)) {
				// Done before Onramp asked for it (e.g. the first cycle a rule
				// assigned on the day of the migration): the due date has no
				// say, the period counts from the completion.
				anchor, countsFromCompletion = done, true
				what += fmt.Sprintf(", before this cycle opened on %s", FormatDay(c.WindowOpensAt))
			}
			prefix = c.Derivation
		} else {
			if unfinished != nil {
				pc.ClosesCycleID, pc.ClosesCycleNumber = unfinished.ID, unfinished.Number
			}
			number++
			pc.CycleNumber, pc.Path = number, PathFull
			if hasCompletion {
				pc.Path = PathRefresher
			}
			pc.WindowOpensAt, pc.DueAt, anchor, countsFromCompletion = done, done, done, true
			if prevExpiry != nil {
				// Within the refresher window of the previous completion, it
				// is that refresher, due when the previous one expired, just
				// as if Onramp had opened it.
				opens, due, why := window.NextWindow(*prevExpiry)
				if !done.Before(opens) {
					pc.WindowOpensAt, pc.DueAt, anchor, countsFromCompletion = opens, due, due, false
					prefix = why
				}
			}
		}
		unfinished = nil
		expRec := rec
		if countsFromCompletion && expRec.Base == BaseExpiry {
			// The same date; the words say what it really counts from.
			expRec.Base = BaseCompletion
		}
		if exp, why, ok := expRec.Expiry(anchor, row.CompletedAt); ok {
			pc.ExpiresAt = &exp
			what += "; " + why
		} else {
			what += "; the course does not recur, so it does not expire"
		}
		if prefix != "" {
			pc.Derivation = prefix + "; " + what
		} else {
			pc.Derivation = what
		}
		hasCompletion = true
		prevExpiry = pc.ExpiresAt
		out = append(out, pc)
	}
	if len(out) > 0 && active {
		last := &out[len(out)-1]
		if last.ExpiresAt != nil {
			opens, due, _ := window.NextWindow(*last.ExpiresAt)
			if !now.Before(opens) {
				last.RefresherNumber, last.RefresherOpensAt, last.RefresherDueAt = last.CycleNumber+1, &opens, &due
			}
		}
	}
	return out
}

// newAssignmentRule chooses the rule of an assignment the import creates:
// the course's own rule when it applies to the employee, else the first
// active rule for the course that does (in the order the engine reads them,
// which re-chooses when it next evaluates the employee), else the course's
// own rule even though it does not apply, so the completion still expires
// as the course says. nil when the course has no rule at all.
func newAssignmentRule(emp *importEmployee, courseID string, rules map[string]*Rule) *Rule {
	p := Person{ID: emp.ID, Department: emp.Department, JobTitle: emp.JobTitle, Location: emp.Location, Active: emp.Status == "active"}
	own := rules[CourseRuleID(courseID)]
	if own != nil && own.Active && own.Matches(p) {
		return own
	}
	var first *Rule
	for _, r := range rules {
		if r.CourseID != courseID || !r.Active || !r.Matches(p) {
			continue
		}
		if first == nil || r.CreatedAt.Before(first.CreatedAt) || (r.CreatedAt.Equal(first.CreatedAt) && r.ID < first.ID) {
			first = r
		}
	}
	if first != nil {
		return first
	}
	return own
}

// unknownCourse says that a course ID is unknown and suggests the fix.
func unknownCourse(id string, courses []string) string {
	msg := fmt.Sprintf("no course has the ID %q; use a course ID that `onramp courses` lists", id)
	for _, c := range courses {
		if strings.EqualFold(c, id) {
			return msg + fmt.Sprintf(" (IDs are case-sensitive: did you mean %q?)", c)
		}
	}
	switch {
	case len(courses) == 0:
		return msg + " (there are no courses yet)"
	case len(courses) <= 10:
		return msg + " (the courses are " + strings.Join(courses, ", ") + ")"
	}
	return msg
}

// importBatch is how many IDs go in one "WHERE … IN (…)".
const importBatch = 500

// loadImportEmployees finds the employees the rows name by their employee_id
// (inactive ones too: their history matters).
func loadImportEmployees(tx *gorm.DB, refs []CompletionRow) (map[string]*importEmployee, error) {
	seen := map[string]bool{}
	var numbers []string
	for _, r := range refs {
		if r.EmployeeNumber != "" && !seen[r.EmployeeNumber] {
			seen[r.EmployeeNumber] = true
			numbers = append(numbers, r.EmployeeNumber)
		}
	}
	out := map[string]*importEmployee{}
	for part := range slices.Chunk(numbers, importBatch) {
		var es []*importEmployee
		if err := tx.Table("employees").Select("id, employee_number, first_name, last_name, status, department, job_title, location").
			Where("employee_number IN ?", part).Find(&es).Error; err != nil {
			return nil, fmt.Errorf("load employees: %w", err)
		}
		for _, e := range es {
			out[e.EmployeeNumber] = e
		}
	}
	return out, nil
}

func loadCourseIDs(tx *gorm.DB) ([]string, error) {
	var ids []string
	if err := tx.Table("courses").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("load courses: %w", err)
	}
	return ids, nil
}

// loadPairHistory loads the assignments and cycles of the given employees.
func loadPairHistory(tx *gorm.DB, employeeIDs []string) (map[pairKey]*pairHistory, error) {
	slices.Sort(employeeIDs)
	employeeIDs = slices.Compact(employeeIDs)
	out := map[pairKey]*pairHistory{}
	byAssignment := map[string]*pairHistory{}
	var assignmentIDs []string
	for part := range slices.Chunk(employeeIDs, importBatch) {
		var as []*Assignment
		if err := tx.Where("employee_id IN ?", part).Find(&as).Error; err != nil {
			return nil, fmt.Errorf("load assignments: %w", err)
		}
		for _, a := range as {
			h := &pairHistory{assignment: a}
			out[pairKey{a.EmployeeID, a.CourseID}] = h
			byAssignment[a.ID] = h
			assignmentIDs = append(assignmentIDs, a.ID)
		}
	}
	for part := range slices.Chunk(assignmentIDs, importBatch) {
		var cs []*Cycle
		if err := tx.Where("assignment_id IN ?", part).Order("number").Find(&cs).Error; err != nil {
			return nil, fmt.Errorf("load cycles: %w", err)
		}
		for _, c := range cs {
			h := byAssignment[c.AssignmentID]
			h.cycles = append(h.cycles, c)
		}
	}
	return out, nil
}

// cyclesWithProgress returns which unfinished latest cycles have recorded
// progress: steps, video, quiz attempts or attestations. Such a cycle is
// the learner's own work and is never completed by an import.
func cyclesWithProgress(tx *gorm.DB, history map[pairKey]*pairHistory) (map[string]bool, error) {
	var ids []string
	for _, h := range history {
		if n := len(h.cycles); n > 0 && slices.Contains(openStatuses, h.cycles[n-1].Status) {
			ids = append(ids, h.cycles[n-1].ID)
		}
	}
	slices.Sort(ids)
	out := map[string]bool{}
	for part := range slices.Chunk(ids, importBatch) {
		var with []string
		err := tx.Raw(`SELECT cycle_id FROM step_progress WHERE cycle_id IN ?
			UNION SELECT cycle_id FROM video_progress WHERE cycle_id IN ?
			UNION SELECT cycle_id FROM quiz_attempts WHERE cycle_id IN ?
			UNION SELECT cycle_id FROM attestations WHERE cycle_id IN ?`, part, part, part, part).Scan(&with).Error
		if err != nil {
			return nil, fmt.Errorf("look for progress: %w", err)
		}
		for _, id := range with {
			out[id] = true
		}
	}
	return out, nil
}

// importedCompletion keeps what the previous system said about a
// completion (score, evidence) and where it came from.
type importedCompletion struct {
	ID          string
	CycleID     string
	EmployeeID  string
	CourseID    string
	CompletedAt time.Time
	Score       *int
	Evidence    string
	SourceFile  string
	SourceRow   int
	ImportedAt  time.Time
}

func (importedCompletion) TableName() string { return "imported_completions" }

// ErrImportConflict is returned when a cycle the plan completes or closes
// changed while the import ran.
var ErrImportConflict = errors.New("a cycle changed while the import ran; run the import again")

// apply writes exactly the plan inside tx, then runs the engine's pass.
func (p *CompletionsPlan) apply(tx *gorm.DB, engine *Engine) (PassResult, error) {
	now := p.Now
	assignmentOf := map[pairKey]string{}
	for _, c := range p.Completions {
		if !c.NewAssignment {
			continue
		}
		a := &Assignment{ID: db.NewID(), EmployeeID: c.EmployeeID, CourseID: c.CourseID, RuleID: c.RuleID,
			Status: c.NewAssignmentStatus, CreatedAt: now}
		if a.Status == "closed" {
			a.ClosedAt, a.ClosedReason = &now, ClosedInactive
		}
		if err := tx.Create(a).Error; err != nil {
			return PassResult{}, fmt.Errorf("import row %d: create assignment: %w", c.Row, err)
		}
		assignmentOf[pairKey{c.EmployeeID, c.CourseID}] = a.ID
	}
	var newCycles []*Cycle
	var records []*importedCompletion
	for _, c := range p.Completions {
		if c.ClosesCycleID != "" {
			r := tx.Model(&Cycle{}).Where("id = ? AND status IN ?", c.ClosesCycleID, openStatuses).Updates(map[string]any{
				"status": StatusClosed, "closed_at": now, "closed_reason": ClosedSupersededByImport, "updated_at": now,
			})
			if r.Error != nil {
				return PassResult{}, fmt.Errorf("import row %d: close cycle: %w", c.Row, r.Error)
			}
			if r.RowsAffected != 1 {
				return PassResult{}, fmt.Errorf("import row %d: %w", c.Row, ErrImportConflict)
			}
		}
		cycleID := c.CycleID
		if cycleID != "" {
			r := tx.Model(&Cycle{}).Where("id = ? AND status IN ?", cycleID, openStatuses).Updates(map[string]any{
				"status": StatusCompleted, "completed_at": c.CompletedAt, "expires_at": c.ExpiresAt,
				"derivation": c.Derivation, "updated_at": now,
			})
			if r.Error != nil {
				return PassResult{}, fmt.Errorf("import row %d: complete cycle: %w", c.Row, r.Error)
			}
			if r.RowsAffected != 1 {
				return PassResult{}, fmt.Errorf("import row %d: %w", c.Row, ErrImportConflict)
			}
		} else {
			assignmentID := c.AssignmentID
			if assignmentID == "" {
				assignmentID = assignmentOf[pairKey{c.EmployeeID, c.CourseID}]
			}
			completedAt := c.CompletedAt
			cy := &Cycle{
				ID: db.NewID(), AssignmentID: assignmentID, EmployeeID: c.EmployeeID, CourseID: c.CourseID,
				Number: c.CycleNumber, Path: c.Path, Status: StatusCompleted,
				WindowOpensAt: c.WindowOpensAt, DueAt: c.DueAt, CompletedAt: &completedAt, ExpiresAt: c.ExpiresAt,
				Derivation: c.Derivation, CreatedAt: now, UpdatedAt: now,
			}
			newCycles = append(newCycles, cy)
			cycleID = cy.ID
		}
		records = append(records, &importedCompletion{
			ID: db.NewID(), CycleID: cycleID, EmployeeID: c.EmployeeID, CourseID: c.CourseID,
			CompletedAt: c.CompletedAt, Score: c.Score, Evidence: c.Evidence,
			SourceFile: p.SourceFile, SourceRow: c.Row, ImportedAt: now,
		})
	}
	if len(newCycles) > 0 {
		if err := tx.CreateInBatches(newCycles, 200).Error; err != nil {
			return PassResult{}, fmt.Errorf("record imported cycles: %w", err)
		}
	}
	if len(records) > 0 {
		if err := tx.CreateInBatches(records, 200).Error; err != nil {
			return PassResult{}, fmt.Errorf("record imported completions: %w", err)
		}
	}
	if engine == nil {
		return PassResult{}, nil
	}
	res, err := engine.AdvanceTx(tx, now)
	if err != nil {
		return res, fmt.Errorf("after the completions import: %w", err)
	}
	return res, nil
}
