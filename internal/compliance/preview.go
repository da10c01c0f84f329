package compliance

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// PreviewSampleSize is how many people a rule preview names on each side of
// its diff; the counts always cover everyone.
const PreviewSampleSize = 10

// RulePreview is what saving a rule does to who must take its course: the
// people it would newly assign (with their first due dates), the people who
// would no longer be required, and the people who keep the course. Preview
// returns it without writing; SaveRule returns the same figures for what it
// wrote.
type RulePreview struct {
	// Rule is the rule as it would be saved (normalised; ID set).
	Rule *Rule
	// Before is the stored rule being replaced; nil for a new rule.
	Before *Rule
	// Matched is how many active people the rule matches.
	Matched int
	// Assigned is how many people would be newly assigned the course (or
	// assigned it again after it was closed for them).
	Assigned int
	// NewCycles is how many of them get a cycle to complete now; the others
	// were assigned before and their completion is still valid.
	NewCycles int
	// FirstDue and LastDue bound the due dates of the new cycles (zero when
	// there are none).
	FirstDue, LastDue time.Time
	// AssignedSample names some of the people assigned, earliest due first.
	AssignedSample []PreviewPerson
	// Closed is how many people would no longer be required to take the
	// course: their open cycles close, their history stays.
	Closed int
	// ClosedSample names some of them.
	ClosedSample []PreviewPerson
	// Unchanged is how many people the rule concerns who keep the course as
	// it is (assigned by this rule or another).
	Unchanged int
	// Transactions is how many transactions ChangeRule or PreviewRule took
	// (a batch of people each), and LongestTx the longest of them, from
	// BEGIN to COMMIT or ROLLBACK; zero for Preview and SaveRule, which run
	// in the caller's.
	Transactions int
	LongestTx    time.Duration
	// changed are the people whose assignments saving changed, for their
	// report standings.
	changed []string
}

// Changes reports whether saving would change who must take the course.
func (p RulePreview) Changes() bool { return p.Assigned > 0 || p.Closed > 0 }

// PreviewPerson is one person named in a preview, with the date that
// concerns them and the sentence saying why.
type PreviewPerson struct {
	EmployeeID string
	Name       string
	Department string
	JobTitle   string
	// DueAt is the first due date of a newly assigned person's cycle, or the
	// due date of the open cycle a closed assignment leaves; nil otherwise.
	DueAt *time.Time
	// Why is the cycle's own derivation for someone assigned, or what
	// closing the assignment means for someone no longer required.
	Why string
	// The samples' order across batches (RulePreview.finish): for someone
	// assigned, whether their completion is still valid and their cycle's
	// due date; for someone no longer required, their assignment.
	done         bool
	cycleDue     time.Time
	assignmentID string
}

var errPreviewRollback = errors.New("preview: roll back")

// Preview computes what saving candidate would do, without writing: it runs
// the very steps SaveRule runs (the same validation, the same evaluation of
// the rules) inside a transaction (a savepoint when tx already is one) and
// rolls it back, so the preview is what saving does, by construction. The
// evaluation runs without a Notifier, so not even a rolled-back message is
// written to the outbox. A candidate with an ID replaces the stored rule of
// that ID; without one it is a new rule. A rule that cannot be saved returns
// a *RuleError saying what to fix.
func (e *Engine) Preview(tx *gorm.DB, now time.Time, candidate *Rule) (RulePreview, error) {
	quiet := &Engine{DB: e.DB, Log: e.Log}
	r := *candidate
	var p RulePreview
	err := tx.Transaction(func(sp *gorm.DB) error {
		var err error
		if p, err = quiet.applyRule(sp, now, &r, true); err != nil {
			return err
		}
		return errPreviewRollback
	})
	if errors.Is(err, errPreviewRollback) {
		err = nil
	}
	return p, err
}

// applyRule validates r, saves it and re-evaluates the rules for everyone it
// (or the version it replaces) concerns, and says what changed for its
// course, all in tx. Only those people can be affected: for anyone else the
// set of active rules that match them is the same before and after.
// preview says the transaction will be rolled back: only the figures count
// (concernedBy).
func (e *Engine) applyRule(tx *gorm.DB, now time.Time, r *Rule, preview bool) (RulePreview, error) {
	var p RulePreview
	old, err := checkRule(tx, r, now)
	if err != nil {
		return p, err
	}
	concerned, upToDate, err := p.concern(tx, r, old, preview)
	if err != nil {
		return p, err
	}
	part, err := e.applyRuleTo(tx, now, r, old, concerned, true, upToDate)
	if err != nil {
		return p, err
	}
	p.add(part)
	p.finish()
	return p, nil
}

// concern sets p's rule, replaced rule, matched count and the people who
// keep the course without being evaluated, and returns the people to
// evaluate (concernedBy; preview: for a preview's figures only) and whether
// everyone was evaluated against the rules before the change
// (rulesEvaluated.before).
func (p *RulePreview) concern(tx *gorm.DB, r, old *Rule, preview bool) ([]string, bool, error) {
	var evaluated rulesEvaluated
	if err := evaluated.before(tx); err != nil {
		return nil, false, err
	}
	persons, err := loadPersons(tx, nil)
	if err != nil {
		return nil, false, err
	}
	others, err := otherRulesFor(tx, r)
	if err != nil {
		return nil, false, err
	}
	queued, err := queuedSet(tx)
	if err != nil {
		return nil, false, err
	}
	concerned, matched, kept := concernedBy(persons, r, old, others, evaluated.upToDate, queued, preview)
	p.Rule, p.Before, p.Matched, p.Unchanged = r, old, matched, kept
	return concerned, evaluated.upToDate, nil
}

// concernedBy returns the people whose course the change of old into r
// can change, who are evaluated; how many active people r matches; and how
// many active people keep the course without being evaluated.
//
// Those are the people both versions match, both active, when no other
// active rule for the course matches them, when everyone was evaluated
// against the rules as they were (upToDate) and they are not queued for
// evaluation (a change of theirs the scheduler has not applied yet): at
// hospital scale, nearly everyone, when HR changes a rule's due date or
// recurrence. For them evaluating changes nothing. As they stand they are
// up to date: an active person has every course an active rule matching
// them names. With r, the same rules match and r still controls the course
// (an assignment's controlling rule can only move between rules that
// match), and a rule's dates apply to the cycles it creates, never to an
// existing assignment's.
//
// A preview (preview: its figures are all that count) also leaves out,
// under the same conditions, the people another active rule for the course
// matches whom either version matches: they have the course before the
// change and after it, whatever r says. Saving still evaluates them: r's
// match is recorded for them, and the rule controlling their course can
// move to r or away from old. At hospital scale that is the preview of a
// second rule for everyone (a course everyone has by a rule already), which
// evaluated the whole organisation to say nobody's course changes.
//
// Anyone else the rule or the version it replaces matches, active or not,
// is evaluated (their assignments are the ones that can change).
func concernedBy(persons []Person, r, old *Rule, others []*Rule, upToDate bool, queued map[string]bool, preview bool) (evaluate []string, matched, kept int) {
	skip := ruleShortcuts && upToDate && old != nil && old.CourseID == r.CourseID
	covered := ruleShortcuts && upToDate && preview && (old == nil || old.CourseID == r.CourseID)
	for _, person := range persons {
		inNew := r.Active && r.Matches(person)
		inOld := old != nil && old.Active && old.Matches(person)
		if inNew && person.Active {
			matched++
		}
		if !inNew && !inOld {
			continue
		}
		keeps := false
		if (skip || covered) && !queued[person.ID] {
			other := slices.ContainsFunc(others, func(o *Rule) bool { return o.Matches(person) })
			keeps = (skip && inNew && inOld && !other) || (covered && other)
		}
		if keeps {
			if person.Active {
				kept++
			}
			continue
		}
		evaluate = append(evaluate, person.ID)
	}
	return evaluate, matched, kept
}

// ruleShortcuts says whether rule changes leave out what cannot change: the
// people who keep the course (concernedBy), and the evaluation as they
// stand of people with nothing due (applyRuleTo). Tests compare with doing
// it all.
var ruleShortcuts = true

// queuedSet returns everyone queued for evaluation (eval_queue: the people
// changed since the last pass).
func queuedSet(tx *gorm.DB) (map[string]bool, error) {
	queued := map[string]bool{}
	err := scanRows(tx.Raw(`SELECT employee_id FROM eval_queue`), func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		queued[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find people queued for evaluation: %w", err)
	}
	return queued, nil
}

// queuedOf returns the people of ids queued for evaluation (eval_queue).
func queuedOf(tx *gorm.DB, ids []string) ([]string, error) {
	var queued []string
	for part := range slices.Chunk(ids, chunk) {
		var got []string
		if err := tx.Raw(`SELECT employee_id FROM eval_queue WHERE employee_id IN ?`, part).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("find people queued for evaluation: %w", err)
		}
		queued = append(queued, got...)
	}
	return queued, nil
}

// otherRulesFor returns the active rules for r's course other than r.
func otherRulesFor(tx *gorm.DB, r *Rule) ([]*Rule, error) {
	var rules []*Rule
	q := tx.Where("active = ? AND course_id = ?", true, r.CourseID)
	if r.ID != "" {
		q = q.Where("id <> ?", r.ID)
	}
	if err := q.Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load the course's other rules: %w", err)
	}
	return rules, nil
}

// applyRuleTo applies r in place of old (nil: r is new) to some of the
// people it concerns, inside tx, and says what changed for them. The rule
// is stored as r when it returns. stored says whether the rule's row holds
// old (or is missing, for a new rule) when tx begins; when it does not (a
// later batch of a change applied in batches, whose first batch stored r),
// the row is set back to old (a new rule: made inactive, which the rules
// evaluate as absent) for the first evaluation, inside tx.
//
// The rules are evaluated for those people first as they stand, so changes
// that were already due (a new starter the scheduler has not seen yet) are
// made before the snapshot and never counted as this rule's doing. When
// everyone had been evaluated against the rules as they were before the
// change (upToDate: the stored fingerprint matched them), only the people
// queued for evaluation can have such changes due: for anyone else that
// first evaluation would change nothing (what it also does, looking at
// their overdue cycles again, the second evaluation does), so it is left
// out for them.
func (e *Engine) applyRuleTo(tx *gorm.DB, now time.Time, r, old *Rule, people []string, stored, upToDate bool) (RulePreview, error) {
	var p RulePreview
	if !stored {
		before := old
		if before == nil {
			inactive := *r
			inactive.Active = false
			before = &inactive
		}
		if err := storeRule(tx, before, true); err != nil {
			return p, err
		}
	}
	due := people
	if upToDate && ruleShortcuts {
		var err error
		if due, err = queuedOf(tx, people); err != nil {
			return p, err
		}
	}
	if err := e.evaluateInChunks(tx, now, due); err != nil {
		return p, fmt.Errorf("evaluate the rules as they stand: %w", err)
	}
	before, err := activeAssignments(tx, r.CourseID, people)
	if err != nil {
		return p, err
	}
	// The row exists unless r is new and this is its first batch.
	if err := storeRule(tx, r, old != nil || !stored); err != nil {
		return p, err
	}
	if err := e.evaluateInChunks(tx, now, people); err != nil {
		return p, fmt.Errorf("evaluate the rules with this rule: %w", err)
	}
	after, err := activeAssignments(tx, r.CourseID, people)
	if err != nil {
		return p, err
	}
	var added, removed []string // assignment IDs
	for emp, a := range after {
		if _, was := before[emp]; was {
			p.Unchanged++
		} else {
			added = append(added, a)
			p.changed = append(p.changed, emp)
		}
	}
	for emp, a := range before {
		if _, still := after[emp]; !still {
			removed = append(removed, a)
			p.changed = append(p.changed, emp)
		}
	}
	p.Assigned, p.Closed = len(added), len(removed)
	if err := p.describeAssigned(tx, added); err != nil {
		return p, err
	}
	if err := p.describeClosed(tx, removed); err != nil {
		return p, err
	}
	return p, nil
}

// add adds the figures and samples of a part of the people to p's.
func (p *RulePreview) add(part RulePreview) {
	p.Assigned += part.Assigned
	p.NewCycles += part.NewCycles
	p.Closed += part.Closed
	p.Unchanged += part.Unchanged
	if !part.FirstDue.IsZero() && (p.FirstDue.IsZero() || part.FirstDue.Before(p.FirstDue)) {
		p.FirstDue = part.FirstDue
	}
	if part.LastDue.After(p.LastDue) {
		p.LastDue = part.LastDue
	}
	p.AssignedSample = append(p.AssignedSample, part.AssignedSample...)
	p.ClosedSample = append(p.ClosedSample, part.ClosedSample...)
	p.changed = append(p.changed, part.changed...)
}

// finish orders the samples as one evaluation of everyone would have and
// keeps PreviewSampleSize of each: the assigned with open cycles first,
// earliest due first; the closed the first by assignment, then by name.
func (p *RulePreview) finish() {
	slices.SortFunc(p.AssignedSample, func(a, b PreviewPerson) int {
		if a.done != b.done {
			if a.done {
				return 1
			}
			return -1
		}
		return cmp.Or(a.cycleDue.Compare(b.cycleDue), cmp.Compare(a.EmployeeID, b.EmployeeID))
	})
	p.AssignedSample = p.AssignedSample[:min(PreviewSampleSize, len(p.AssignedSample))]
	slices.SortFunc(p.ClosedSample, func(a, b PreviewPerson) int { return cmp.Compare(a.assignmentID, b.assignmentID) })
	p.ClosedSample = p.ClosedSample[:min(PreviewSampleSize, len(p.ClosedSample))]
	slices.SortFunc(p.ClosedSample, func(a, b PreviewPerson) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.EmployeeID, b.EmployeeID))
	})
}

// evaluateChunk is how many people one EvaluateTx call evaluates. Each
// person is evaluated on their own, so chunks change nothing in the result;
// they keep the cost linear, because EvaluateTx walks every assignment it
// loaded for each person it evaluates.
const evaluateChunk = 500

// evaluateInChunks runs EvaluateTx for the people, a chunk at a time.
func (e *Engine) evaluateInChunks(tx *gorm.DB, now time.Time, ids []string) error {
	for part := range slices.Chunk(ids, evaluateChunk) {
		if _, err := e.EvaluateTx(tx, now, part); err != nil {
			return err
		}
	}
	return nil
}

// activeAssignments maps each of the people with an active assignment for
// the course to that assignment's ID.
func activeAssignments(tx *gorm.DB, courseID string, people []string) (map[string]string, error) {
	out := map[string]string{}
	for part := range slices.Chunk(people, chunk) {
		var rows []struct{ ID, EmployeeID string }
		if err := tx.Model(&Assignment{}).Select("id, employee_id").
			Where("course_id = ? AND status = ? AND employee_id IN ?", courseID, "active", part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load assignments of %s: %w", courseID, err)
		}
		for _, row := range rows {
			out[row.EmployeeID] = row.ID
		}
	}
	return out, nil
}

// previewCycle is the part of an assignment's latest cycle a preview reads.
type previewCycle struct {
	ID           string
	AssignmentID string
	EmployeeID   string
	Number       int
	Status       CycleStatus
	DueAt        time.Time
	CompletedAt  *time.Time
	ExpiresAt    *time.Time
}

// latestCyclesOf returns the latest cycle of each assignment, in chunks so
// any number of assignments works on both databases.
func latestCyclesOf(tx *gorm.DB, assignmentIDs []string) ([]previewCycle, error) {
	latest := map[string]previewCycle{}
	for part := range slices.Chunk(assignmentIDs, chunk) {
		var rows []previewCycle
		if err := tx.Model(&Cycle{}).Select("id, assignment_id, employee_id, number, status, due_at, completed_at, expires_at").
			Where("assignment_id IN ?", part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("load cycles: %w", err)
		}
		for _, c := range rows {
			if cur, ok := latest[c.AssignmentID]; !ok || c.Number > cur.Number {
				latest[c.AssignmentID] = c
			}
		}
	}
	out := make([]previewCycle, 0, len(latest))
	for _, c := range latest {
		out = append(out, c)
	}
	return out, nil
}

// describeAssigned counts the new cycles, bounds their due dates and names a
// sample of the people, earliest due first, each with the derivation they
// will see.
func (p *RulePreview) describeAssigned(tx *gorm.DB, assignmentIDs []string) error {
	cycles, err := latestCyclesOf(tx, assignmentIDs)
	if err != nil {
		return err
	}
	for _, c := range cycles {
		if c.Status == StatusCompleted || c.Status == StatusExempt || c.Status == StatusClosed {
			continue
		}
		p.NewCycles++
		due := Day(c.DueAt)
		if p.FirstDue.IsZero() || due.Before(p.FirstDue) {
			p.FirstDue = due
		}
		if due.After(p.LastDue) {
			p.LastDue = due
		}
	}
	// Open cycles first, earliest due first; then still-valid completions.
	slices.SortFunc(cycles, func(a, b previewCycle) int {
		aDone, bDone := a.Status == StatusCompleted, b.Status == StatusCompleted
		if aDone != bDone {
			if aDone {
				return 1
			}
			return -1
		}
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.EmployeeID, b.EmployeeID))
	})
	sample := cycles[:min(PreviewSampleSize, len(cycles))]
	ids := make([]string, len(sample))
	for i, c := range sample {
		ids[i] = c.ID
	}
	var why []struct{ ID, Derivation string }
	if len(ids) > 0 {
		if err := tx.Model(&Cycle{}).Select("id, derivation").Where("id IN ?", ids).Find(&why).Error; err != nil {
			return fmt.Errorf("load derivations: %w", err)
		}
	}
	derivation := map[string]string{}
	for _, w := range why {
		derivation[w.ID] = w.Derivation
	}
	people, err := previewPeople(tx, sample)
	if err != nil {
		return err
	}
	for _, c := range sample {
		person := people[c.EmployeeID]
		person.done, person.cycleDue = c.Status == StatusCompleted, c.DueAt
		if c.Status == StatusCompleted {
			person.Why = "assigned again; the last completion is still valid"
			if c.ExpiresAt != nil {
				person.Why += " until " + FormatDay(*c.ExpiresAt)
			}
			person.Why += ", so nothing is due until then"
		} else {
			due := Day(c.DueAt)
			person.DueAt = &due
			person.Why = derivation[c.ID]
		}
		p.AssignedSample = append(p.AssignedSample, person)
	}
	return nil
}

// describeClosed names a sample of the people who would no longer be
// required, with what that means for their latest cycle.
func (p *RulePreview) describeClosed(tx *gorm.DB, assignmentIDs []string) error {
	slices.Sort(assignmentIDs)
	cycles, err := latestCyclesOf(tx, assignmentIDs[:min(PreviewSampleSize, len(assignmentIDs))])
	if err != nil {
		return err
	}
	people, err := previewPeople(tx, cycles)
	if err != nil {
		return err
	}
	for _, c := range cycles {
		person := people[c.EmployeeID]
		person.assignmentID = c.AssignmentID
		switch {
		case c.Status == StatusCompleted && c.CompletedAt != nil:
			person.Why = "completed on " + FormatDay(*c.CompletedAt)
			if c.ExpiresAt != nil {
				person.Why += "; no refresher will follow when it expires on " + FormatDay(*c.ExpiresAt)
			}
		case c.Status == StatusClosed:
			due := Day(c.DueAt)
			person.DueAt = &due
			person.Why = fmt.Sprintf("cycle #%d, due %s, closes: %s; its history is kept", c.Number, FormatDay(due), ClosedNoLongerRequired)
		default:
			person.Why = fmt.Sprintf("cycle #%d (%s) is kept as history; nothing more is due", c.Number, c.Status)
		}
		p.ClosedSample = append(p.ClosedSample, person)
	}
	return nil
}

// previewPeople loads the names and groups of the people of some cycles.
func previewPeople(tx *gorm.DB, cycles []previewCycle) (map[string]PreviewPerson, error) {
	out := map[string]PreviewPerson{}
	if len(cycles) == 0 {
		return out, nil
	}
	ids := make([]string, len(cycles))
	for i, c := range cycles {
		ids[i] = c.EmployeeID
	}
	var rows []struct{ ID, FirstName, LastName, Department, JobTitle string }
	if err := tx.Table("employees").Select("id, first_name, last_name, department, job_title").
		Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load people: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = PreviewPerson{EmployeeID: r.ID, Name: r.FirstName + " " + r.LastName, Department: r.Department, JobTitle: r.JobTitle}
	}
	return out, nil
}
