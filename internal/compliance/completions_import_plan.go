package compliance

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
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
	// Engine, when set, tells people about the refreshers the import
	// starts (its Notifier, once per batch, so a person gets one message
	// for all their courses). Expiries and reminders of the imported
	// history are left to the scheduler's next pass.
	Engine *Engine
	// BatchRows is about how many rows one write transaction records
	// (DefaultCompletionsBatch when 0); an employee's rows are never split
	// between two transactions.
	BatchRows int
	// AfterBatch, when set, runs in each write transaction with the IDs of
	// the employees it recorded completions for; by default the Engine's
	// Standings brings their report standings up to date there.
	AfterBatch func(tx *gorm.DB, now time.Time, employeeIDs []string) error
	// AfterAssignments, when set, runs instead of AfterBatch with those
	// employees and the assignments whose cycles the transaction wrote; by
	// default (when AfterBatch is not set either) the Engine's
	// AssignmentStandings brings those assignments' standings up to date,
	// and not the employees' other courses, which the history left as they
	// were (at 100,000 people a history touches about 14 of everyone's 20).
	AfterAssignments func(tx *gorm.DB, now time.Time, employeeIDs, assignmentIDs []string) error
	// OnTransaction, when set, is told how long each write transaction
	// took (benchmarks report the longest).
	OnTransaction func(time.Duration)
}

// DefaultCompletionsBatch is how many rows one write transaction of the
// completions import records by default: a fraction of a second of
// SQLite's write lock.
const DefaultCompletionsBatch = 1000

// MaxListedCompletions is how many completions CompletionsPlan.Completions
// lists (the first rows of the file); the plan counts all of them.
const MaxListedCompletions = 1000

// CompletionsResult is what ImportCompletions planned and, unless it was a
// dry run, recorded.
type CompletionsResult struct {
	Plan *CompletionsPlan
	// Applied is false for a dry run.
	Applied bool
	// Pass counts the refresher windows the import opened (zero in a dry
	// run).
	Pass PassResult
	// Batches is how many write transactions the import used.
	Batches int
	// Resumed is set when the import finished an earlier run of the same
	// file that had stopped part-way; Skipped counts the rows that run
	// had already recorded.
	Resumed bool
	Skipped int
}

// CompletionsPlan is what an import records, worked out against the database.
// The dry run shows it; the real run writes exactly it.
type CompletionsPlan struct {
	SourceFile string
	Now        time.Time
	// Completions are in the file's row order: the first
	// MaxListedCompletions of them (Total counts them all).
	Completions []PlannedCompletion
	// IgnoredColumns are the file's columns the import does not use.
	IgnoredColumns []string
	// Total counts every planned completion; the other counts are for
	// Summary.
	Total, Employees, Courses, CompletesOpen, NewAssignments, Refreshers int
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

// RefresherLines describes every refresher the import starts at once,
// among the listed completions.
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
	completes, added := p.CompletesOpen, p.Total-p.CompletesOpen
	s := fmt.Sprintf("%s for %s in %s: %d %s an open cycle, %s, %s",
		count(p.Total, "completion", "completions"), count(p.Employees, "employee", "employees"),
		count(p.Courses, "course", "courses"), completes, pick(completes, "completes", "complete"),
		count(added, "new cycle", "new cycles"), count(p.NewAssignments, "new assignment", "new assignments"))
	if p.Refreshers > 0 {
		s += fmt.Sprintf("; %s at once", count(p.Refreshers, "refresher starts", "refreshers start"))
	}
	return s
}

// count adds one employee's planned completions to the plan's counts and,
// for rows up to listUpTo, to its list.
func (p *CompletionsPlan) count(planned []PlannedCompletion, listUpTo int32) {
	if len(planned) == 0 {
		return
	}
	p.Employees++
	for i := range planned {
		c := &planned[i]
		p.Total++
		if c.CompletesOpenCycle() {
			p.CompletesOpen++
		}
		if c.NewAssignment {
			p.NewAssignments++
		}
		if c.RefresherDueAt != nil {
			p.Refreshers++
		}
		if int32(c.Row) <= listUpTo {
			p.Completions = append(p.Completions, *c)
		}
	}
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
// database, and records every row as a completed cycle. It is all or
// nothing: any problem (a bad cell, an unknown employee or course, a
// repeated row, a completion older than one already recorded) stops the
// whole import and comes back in a *CompletionsImportError, with nothing
// written. A dry run plans and writes nothing.
//
// It works in bounded memory and holds SQLite's write lock only briefly:
// the file is read once into a compact form; every row is then checked,
// employee by employee, against their history without writing; only when
// the whole file is sound are the completions recorded, in batches of about
// BatchRows rows (never splitting an employee), each in its own short
// transaction with multi-row statements. A refresher whose window is
// already open starts in the same transaction, and the batch's e-mails go
// to the Notifier at once, so a person hears once about all their courses.
//
// Because the batches commit one by one, an import that stops part-way (a
// crash, a lost connection) can simply be run again with the same file: it
// recognises the file (by its SHA-256), skips the employees the interrupted
// run already recorded, and records the rest. A file whose import finished
// is refused as before: every row repeats a recorded completion.
//
// Each employee's rows for a course are recorded oldest first. A row
// completes the employee's latest cycle when it is unfinished and has no
// recorded progress (e.g. assigned by a rule but not started); otherwise it
// adds a cycle numbered after the last. Expiry follows the recurrence of
// the assignment's rule, or else the course's own rule, counted from each
// completion's own date, so refreshers fall due as the history says, not
// all on the day of the import.
//
// A row older than (or on the day of) a completion the employee already has
// for the course is refused: recorded after it, it would become the latest
// completion and move the refresher dates backwards.
func ImportCompletions(ctx context.Context, d *db.DB, r io.Reader, opts CompletionsImportOptions) (*CompletionsResult, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("import completions: no time given")
	}
	opts.Now = opts.Now.UTC()
	if opts.AfterBatch == nil && opts.AfterAssignments == nil && opts.Engine != nil {
		// The people whose history a batch records get their report
		// standings brought up to date in the batch's transaction.
		opts.AfterBatch = opts.Engine.Standings
		opts.AfterAssignments = opts.Engine.AssignmentStandings
	}
	var problems importProblems
	f, err := parseCompletions(r, opts.Now, &problems)
	if err != nil {
		return nil, err
	}
	if len(f.rows) == 0 && len(f.refs) == 0 {
		// An empty file, or a header that cannot be read: nothing to look up.
		if err := problems.Err(completionsSubject); err != nil {
			return nil, err
		}
	}
	q := d.WithContext(ctx)
	im, err := newCompletionsImporter(q, f, opts, &problems)
	if err != nil {
		return nil, err
	}
	res := &CompletionsResult{Resumed: im.resumeID != "", Skipped: im.skipped}
	// Check everything before writing anything.
	plan := &CompletionsPlan{SourceFile: opts.SourceFile, Now: opts.Now, IgnoredColumns: f.ignored}
	for batch := range im.batches() {
		planned, err := im.plan(q, batch, &problems)
		if err != nil {
			return nil, err
		}
		for _, one := range planned {
			plan.count(one, im.listUpTo)
		}
	}
	if err := problems.Err(completionsSubject); err != nil {
		return nil, err
	}
	plan.Courses = im.courseCount()
	slices.SortFunc(plan.Completions, func(a, b PlannedCompletion) int { return cmp.Compare(a.Row, b.Row) })
	res.Plan = plan
	if opts.DryRun {
		return res, nil
	}
	if err := im.write(ctx, d, res); err != nil {
		return nil, err
	}
	res.Applied = true
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

// completionsImporter holds what the checking and the writing share: the
// file, its employees, the courses and rules, and the interrupted run it
// resumes.
type completionsImporter struct {
	f         *completionsFile
	opts      CompletionsImportOptions
	employees []*importEmployee // by number index; nil when unknown
	known     []bool            // by course index
	rules     map[string]*Rule
	// listUpTo is the last row the plan lists.
	listUpTo int32
	// resumeID is the interrupted import this run finishes, "" for none;
	// done marks the employees (by number index) it already recorded.
	resumeID string
	done     []bool
	skipped  int
}

func newCompletionsImporter(q *gorm.DB, f *completionsFile, opts CompletionsImportOptions, problems *importProblems) (*completionsImporter, error) {
	im := &completionsImporter{f: f, opts: opts, listUpTo: math.MaxInt32}
	byNumber, err := loadImportEmployees(q, f.numbers)
	if err != nil {
		return nil, err
	}
	im.employees = make([]*importEmployee, len(f.numbers))
	for i, n := range f.numbers {
		im.employees[i] = byNumber[n]
	}
	courses, err := loadCourseIDs(q)
	if err != nil {
		return nil, err
	}
	exists := make(map[string]bool, len(courses))
	for _, c := range courses {
		exists[c] = true
	}
	im.known = make([]bool, len(f.courses))
	for i, c := range f.courses {
		im.known[i] = exists[c]
	}
	// Every row that names an unknown employee or course, in file order.
	refs := make([]compactRef, 0, len(f.refs)+len(f.rows))
	refs = append(refs, f.refs...)
	for i := range f.rows {
		r := &f.rows[i]
		if im.employees[r.number] == nil || !im.known[r.course] {
			refs = append(refs, compactRef{row: r.row, number: r.number, course: r.course})
		}
	}
	slices.SortFunc(refs, func(a, b compactRef) int { return cmp.Compare(a.row, b.row) })
	for _, ref := range refs {
		if ref.number >= 0 && im.employees[ref.number] == nil {
			n := f.numbers[ref.number]
			problems.Add(int(ref.row), CompletionColumnEmployeeID, n, fmt.Sprintf(
				"no employee has the employee_id %q; correct it, or add the employee with `onramp employees import` first", n))
		}
		if ref.course >= 0 && !im.known[ref.course] {
			c := f.courses[ref.course]
			problems.Add(int(ref.row), CompletionColumnCourse, c, unknownCourse(c, courses))
		}
	}
	var rules []*Rule
	if err := q.Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	im.rules = map[string]*Rule{}
	for _, r := range rules {
		im.rules[r.ID] = r
	}
	if len(f.rows) > MaxListedCompletions {
		rows := make([]int32, len(f.rows))
		for i := range f.rows {
			rows[i] = f.rows[i].row
		}
		slices.Sort(rows)
		im.listUpTo = rows[MaxListedCompletions-1]
	}
	return im, im.findInterrupted(q)
}

// findInterrupted looks for an earlier import of the same file that stopped
// part-way, and marks the employees it recorded.
func (im *completionsImporter) findInterrupted(q *gorm.DB) error {
	var ids []string
	err := q.Table("completion_imports").Where("file_sha256 = ? AND finished_at IS NULL", im.f.sha256).
		Order("started_at DESC").Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return fmt.Errorf("look for an interrupted import: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	im.resumeID = ids[0]
	var recorded []string
	if err := q.Table("imported_completions").Where("import_id = ?", im.resumeID).Distinct("employee_id").Pluck("employee_id", &recorded).Error; err != nil {
		return fmt.Errorf("look for an interrupted import: %w", err)
	}
	byID := make(map[string]bool, len(recorded))
	for _, id := range recorded {
		byID[id] = true
	}
	im.done = make([]bool, len(im.employees))
	for i, e := range im.employees {
		im.done[i] = e != nil && byID[e.ID]
	}
	for i := range im.f.rows {
		if im.done[im.f.rows[i].number] {
			im.skipped++
		}
	}
	return nil
}

func (im *completionsImporter) courseCount() int {
	seen := make([]bool, len(im.f.courses))
	n := 0
	for i := range im.f.rows {
		r := &im.f.rows[i]
		if !seen[r.course] && im.employees[r.number] != nil && im.known[r.course] && (im.done == nil || !im.done[r.number]) {
			seen[r.course] = true
			n++
		}
	}
	return n
}

// batches yields the sound rows of known employees and courses in groups of
// whole employees, about BatchRows rows each; rows of employees an
// interrupted run recorded are left out.
func (im *completionsImporter) batches() func(yield func([]compactRow) bool) {
	return im.batchesOf(func() int {
		if im.opts.BatchRows > 0 {
			return im.opts.BatchRows
		}
		return DefaultCompletionsBatch
	})
}

// batchesOf is batches with the size of each batch asked for as it is
// made (the write phase sizes them by time).
func (im *completionsImporter) batchesOf(sizeOf func() int) func(yield func([]compactRow) bool) {
	return func(yield func([]compactRow) bool) {
		size := sizeOf()
		rows := im.f.rows
		var batch []compactRow
		for start := 0; start < len(rows); {
			end := start + 1
			for end < len(rows) && rows[end].number == rows[start].number {
				end++
			}
			if len(batch) > 0 && len(batch)+(end-start) > size {
				if !yield(batch) {
					return
				}
				batch = nil
				size = sizeOf()
			}
			if im.employees[rows[start].number] != nil && (im.done == nil || !im.done[rows[start].number]) {
				for _, r := range rows[start:end] {
					if im.known[r.course] {
						batch = append(batch, r)
					}
				}
			}
			start = end
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}

// plan works out one batch's completions, one list per employee and course,
// against the history q shows. Problems go to problems.
func (im *completionsImporter) plan(q *gorm.DB, batch []compactRow, problems *importProblems) ([][]PlannedCompletion, error) {
	ids := make([]string, 0, len(batch))
	for i := range batch {
		if i == 0 || batch[i].number != batch[i-1].number {
			ids = append(ids, im.employees[batch[i].number].ID)
		}
	}
	history, err := loadPairHistory(q, ids)
	if err != nil {
		return nil, err
	}
	progress, err := cyclesWithProgress(q, history)
	if err != nil {
		return nil, err
	}
	var out [][]PlannedCompletion
	var planned []PlannedCompletion
	for start := 0; start < len(batch); {
		end := start + 1
		for end < len(batch) && batch[end].number == batch[start].number && batch[end].course == batch[start].course {
			end++
		}
		emp, course := im.employees[batch[start].number], im.f.courses[batch[start].course]
		rows := make([]CompletionRow, 0, end-start)
		for i := start; i < end; i++ {
			rows = append(rows, im.f.full(&batch[i]))
		}
		pcs := planPair(emp, course, rows, history[pairKey{emp.ID, course}], progress, im.rules, im.opts.Now, problems)
		planned = append(planned, pcs...)
		if end == len(batch) || batch[end].number != batch[start].number {
			out = append(out, planned)
			planned = nil
		}
		start = end
	}
	return out, nil
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
			problems.Add(row.Row, CompletionColumnCompletedAt, row.CompletedAt.Format(time.DateOnly), fmt.Sprintf(
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

// loadImportEmployees finds the employees the file names by their
// employee_id (inactive ones too: their history matters).
func loadImportEmployees(q *gorm.DB, numbers []string) (map[string]*importEmployee, error) {
	out := make(map[string]*importEmployee, len(numbers))
	for part := range slices.Chunk(numbers, importBatch) {
		var es []*importEmployee
		if err := q.Table("employees").Select("id, employee_number, first_name, last_name, status, department, job_title, location").
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

// loadPairHistory loads the assignments and cycles of the given employees,
// only the columns the import reads, scanned without reflection: an import
// reads the history of every employee it records.
func loadPairHistory(tx *gorm.DB, employeeIDs []string) (map[pairKey]*pairHistory, error) {
	slices.Sort(employeeIDs)
	employeeIDs = slices.Compact(employeeIDs)
	out := map[pairKey]*pairHistory{}
	byAssignment := map[string]*pairHistory{}
	var assignmentIDs []string
	for part := range slices.Chunk(employeeIDs, importBatch) {
		rows, err := tx.Raw("SELECT id, employee_id, course_id, rule_id, status FROM assignments WHERE employee_id IN ?", part).Rows()
		if err != nil {
			return nil, fmt.Errorf("load assignments: %w", err)
		}
		for rows.Next() {
			a := &Assignment{}
			var rule sql.NullString
			if err := rows.Scan(&a.ID, &a.EmployeeID, &a.CourseID, &rule, &a.Status); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load assignments: %w", err)
			}
			if rule.Valid {
				a.RuleID = &rule.String
			}
			h := &pairHistory{assignment: a}
			out[pairKey{a.EmployeeID, a.CourseID}] = h
			byAssignment[a.ID] = h
			assignmentIDs = append(assignmentIDs, a.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load assignments: %w", err)
		}
	}
	for part := range slices.Chunk(assignmentIDs, importBatch) {
		rows, err := tx.Raw(`SELECT id, assignment_id, employee_id, course_id, number, path, status, window_opens_at, due_at,
			completed_at, expires_at, derivation FROM cycles WHERE assignment_id IN ? ORDER BY assignment_id, number`, part).Rows()
		if err != nil {
			return nil, fmt.Errorf("load cycles: %w", err)
		}
		for rows.Next() {
			c := &Cycle{}
			var completed, expires sql.NullTime
			if err := rows.Scan(&c.ID, &c.AssignmentID, &c.EmployeeID, &c.CourseID, &c.Number, &c.Path, &c.Status,
				&c.WindowOpensAt, &c.DueAt, &completed, &expires, &c.Derivation); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load cycles: %w", err)
			}
			if completed.Valid {
				c.CompletedAt = &completed.Time
			}
			if expires.Valid {
				c.ExpiresAt = &expires.Time
			}
			h := byAssignment[c.AssignmentID]
			h.cycles = append(h.cycles, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load cycles: %w", err)
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

// ErrImportConflict is returned when a cycle the plan completes or closes
// changed while the import ran.
var ErrImportConflict = apperr.New(apperr.Conflict, "a cycle changed while the import ran; run the import again")
