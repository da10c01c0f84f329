package people

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/csvimport"
	"github.com/onramp-lms/onramp/internal/db"
)

// PlanOptions change what an import does.
type PlanOptions struct {
	// DeactivateMissing makes active employees who are not in the file
	// inactive. Only employees with an employee_id are affected: people
	// added by hand, such as the first HR admin, are not in the HR
	// system's export and are left alone.
	DeactivateMissing bool
	// BatchSize is how many employees one write transaction of Apply
	// writes; DefaultStaffBatch when 0.
	BatchSize int
	// BeforeWrite, when set, runs in a transaction of its own before Apply
	// writes anything, with the IDs of everyone the import adds, changes,
	// deactivates or reactivates (never empty: nothing runs when nobody
	// changes). An error stops the import with nothing written; HR's page
	// uses it to claim the uploaded file, so two windows cannot both
	// apply it.
	BeforeWrite func(tx *gorm.DB, now time.Time, employeeIDs []string) error
	// AfterBatch, when set, runs in each write transaction of Apply with
	// the sorted IDs of the employees that transaction wrote, so the
	// assignment rules can be re-evaluated for them in the same
	// transaction: people written and their courses commit together. An
	// error rolls that batch back and stops the import; the batches
	// before it stay (see Apply).
	AfterBatch func(tx *gorm.DB, now time.Time, employeeIDs []string) error
	// AfterApply, when set, runs in a last short transaction once every
	// batch is written, with the sorted IDs of everyone the import
	// touched: the audit entry of the import is recorded there.
	AfterApply func(tx *gorm.DB, now time.Time, employeeIDs []string) error
	// OnTransaction, when set, is told how long each write transaction
	// of Apply took (benchmarks report the longest).
	OnTransaction func(time.Duration)
}

// StaffPlan is what an import will do, worked out against the database by
// Plan and carried out by Apply. Every employee in the file or in the
// database is in at most one of its lists.
type StaffPlan struct {
	// Added are the rows of new employees.
	Added []StaffChange
	// Changed are employees whose details change and who stay active (or
	// inactive).
	Changed []StaffChange
	// Deactivated are active employees who become inactive: marked
	// inactive in the file, or not in it with DeactivateMissing.
	Deactivated []StaffChange
	// Reactivated are inactive employees the file lists as active again.
	Reactivated []StaffChange
	// Unchanged counts the rows of the file that change nothing.
	Unchanged int
	// Rows is the number of employees in the file.
	Rows int
	// IgnoredColumns are the file's columns Onramp does not use.
	IgnoredColumns []string
	// Warnings are things to check before applying; they do not stop it.
	Warnings []string
	// Options are the options the plan was made with.
	Options PlanOptions

	fingerprint [32]byte
	inserts     []staffWrite
	updates     []staffWrite
	// deactivations are the IDs of employees who only become inactive.
	deactivations []string
	// placeholders are employees whose current e-mail another row of the
	// file takes: it is set aside first so the addresses can swap.
	placeholders []string
}

// StaffChange is one employee in a plan.
type StaffChange struct {
	// ID is Onramp's ID of the employee (already chosen for new ones).
	ID string
	// Row is the employee's line in the file, or 0 when not in the file.
	Row int
	// EmployeeNumber is the CSV's employee_id ("" for none).
	EmployeeNumber string
	Email          string
	Name           string
	// Role is the employee's role after the import.
	Role Role
	// Reason says why the employee is deactivated or reactivated.
	Reason string
	// Fields are the changed details; empty for new employees.
	Fields []FieldChange
}

// FieldChange is one changed detail. Field is the CSV's column name (role
// for a promotion to manager); Old and New are as a person reads them.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Empty reports whether applying the plan would change nothing.
func (p *StaffPlan) Empty() bool {
	return len(p.Added)+len(p.Changed)+len(p.Deactivated)+len(p.Reactivated) == 0
}

// Summary says in one line what the plan would do, e.g. "12 to add, 3 to
// change, 1 to deactivate, 0 to reactivate, 980 unchanged".
func (p *StaffPlan) Summary() string {
	return fmt.Sprintf("%d to add, %d to change, %d to deactivate, %d to reactivate, %d unchanged",
		len(p.Added), len(p.Changed), len(p.Deactivated), len(p.Reactivated), p.Unchanged)
}

// staffWrite is one employee as Apply will write them.
type staffWrite struct {
	rec staffRecord
	// stampDeactivated sets deactivated_at to the time of Apply.
	stampDeactivated bool
}

// Reasons given in StaffChange.Reason.
const (
	ReasonMarkedInactive = "marked inactive in the file"
	ReasonMissing        = "not in the file"
	ReasonMarkedActive   = "listed as active in the file"
)

// deactivationWarningShare is the share of active employees that, when
// deactivated by one import, earns a warning: a cut-off export looks like
// mass leaving.
const deactivationWarningShare = 0.10

// Plan compares the parsed file with the employees in the database and
// works out every addition, change, deactivation and reactivation, without
// writing anything. Employees are matched by employee_id; an employee who
// has none yet (added by hand) is matched by e-mail and gets the file's
// employee_id.
//
// It finishes the checks ParseStaffCSV cannot make alone, returned as an
// *ImportError: managers must be in the file or active in Onramp, nobody
// may end up in a management loop, a row's e-mail may not belong to
// someone outside the file, and the import may not leave Onramp without an
// active HR admin.
//
// Roles: new employees are learners. Anyone who, after the import, manages
// an active employee and is a learner becomes a manager. Nobody is
// demoted: an HR admin stays one, and a manager who no longer has reports
// keeps the manager role (HR changes it by hand), because a role may have
// been given for reasons the HR export does not know.
func Plan(ctx context.Context, d *db.DB, file *StaffFile, opts PlanOptions) (*StaffPlan, error) {
	if file == nil || len(file.Rows) == 0 {
		return nil, errors.New("the staff file has no employees")
	}
	snap, err := loadStaffSnapshot(d.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	p := newPlanner(file, snap, opts)
	return p.plan()
}

// planner holds the work of one Plan.
type planner struct {
	file     *StaffFile
	rows     []StaffRow
	snap     *staffSnapshot
	opts     PlanOptions
	problems csvimport.Problems

	// Per row of the file: the matched record (-1 for a new employee), the
	// employee's ID and their manager's ID after the import.
	matched   []int
	ids       []string
	managerOf []string
	// rowOf maps the ID of everyone in the file to their row index.
	rowOf map[string]int
	// emailOwner maps every e-mail after the import to its employee's ID.
	emailOwner map[string]string
	// leaving marks employees outside the file that DeactivateMissing
	// deactivates.
	leaving map[string]bool
}

func newPlanner(file *StaffFile, snap *staffSnapshot, opts PlanOptions) *planner {
	n := len(file.Rows)
	return &planner{
		file: file, rows: file.Rows, snap: snap, opts: opts,
		matched: make([]int, n), ids: make([]string, n), managerOf: make([]string, n),
		rowOf: make(map[string]int, n), emailOwner: make(map[string]string, len(snap.records)+n),
		leaving: map[string]bool{},
	}
}

// rowName names row n in a message: "row 14", or "employees[12]" in a
// request's list.
func (p *planner) rowName(n int) string { return csvimport.Numbered(p.file.Numbering).Name(n) }

// input names the whole staff list in a message: "the file", "the request".
func (p *planner) input() string { return csvimport.Numbered(p.file.Numbering).Input }

func (p *planner) plan() (*StaffPlan, error) {
	p.match()
	p.claimEmails()
	p.resolveManagers()
	p.findLoops()
	p.guardHRAdmins()
	if err := p.problems.Err(importSubject); err != nil {
		return nil, err
	}
	plan := &StaffPlan{
		Rows: len(p.rows), IgnoredColumns: p.file.IgnoredColumns, Options: p.opts,
		fingerprint: p.snap.fingerprint,
	}
	p.build(plan)
	p.warn(plan)
	return plan, nil
}

// match finds each row's employee in the database.
func (p *planner) match() {
	seenID := make(map[string]int, len(p.rows))
	seenEmail := make(map[string]int, len(p.rows))
	for i, row := range p.rows {
		// ParseStaffCSV already refuses these; a hand-made StaffFile may not.
		if row.EmployeeNumber == "" || row.Email == "" {
			p.problems.Add(row.Line, ColumnEmployeeID, row.EmployeeNumber, "every row needs an employee_id and an e-mail")
		}
		if first, dup := seenID[row.EmployeeNumber]; dup {
			p.problems.Add(row.Line, ColumnEmployeeID, row.EmployeeNumber, fmt.Sprintf("%q is also on %s; each employee must appear once", row.EmployeeNumber, p.rowName(first)))
		}
		if first, dup := seenEmail[row.Email]; dup {
			p.problems.Add(row.Line, ColumnEmail, row.Email, fmt.Sprintf("%q is also on %s; two employees cannot share an e-mail address", row.Email, p.rowName(first)))
		}
		seenID[row.EmployeeNumber], seenEmail[row.Email] = row.Line, row.Line

		idx := -1
		if j, ok := p.snap.byNumber[row.EmployeeNumber]; ok {
			idx = j
		} else if j, ok := p.snap.byEmail[row.Email]; ok && p.snap.records[j].EmployeeNumber == "" {
			idx = j
		}
		p.matched[i] = idx
		if idx >= 0 {
			p.ids[i] = p.snap.records[idx].ID
		} else {
			p.ids[i] = db.NewID()
		}
		p.rowOf[p.ids[i]] = i
	}
	if p.opts.DeactivateMissing {
		for i := range p.snap.records {
			r := &p.snap.records[i]
			if _, inFile := p.rowOf[r.ID]; !inFile && r.Status == StatusActive && r.EmployeeNumber != "" {
				p.leaving[r.ID] = true
			}
		}
	}
}

// claimEmails records who holds each e-mail after the import and reports
// rows whose e-mail belongs to somebody outside the file.
func (p *planner) claimEmails() {
	for i, row := range p.rows {
		p.emailOwner[row.Email] = p.ids[i]
	}
	for i := range p.snap.records {
		r := &p.snap.records[i]
		if _, inFile := p.rowOf[r.ID]; inFile {
			continue
		}
		owner, taken := p.emailOwner[r.Email]
		if !taken {
			p.emailOwner[r.Email] = r.ID
			continue
		}
		row := p.rows[p.rowOf[owner]]
		who := "an employee with no employee_id (" + r.name() + ")"
		fix := "use another address for this row"
		if r.EmployeeNumber != "" {
			who = fmt.Sprintf("employee_id %s (%s)", r.EmployeeNumber, r.name())
			fix = fmt.Sprintf("use another address for this row, or add %s to %s with their new address", r.EmployeeNumber, p.input())
		}
		p.problems.Add(row.Line, ColumnEmail, row.Email, fmt.Sprintf("%q already belongs to %s, who is not in %s; %s", row.Email, who, p.input(), fix))
	}
}

// statusAfter is an employee's status once the import is applied.
func (p *planner) statusAfter(id string) Status {
	if i, inFile := p.rowOf[id]; inFile {
		return p.rows[i].Status
	}
	if p.leaving[id] {
		return StatusInactive
	}
	return p.snap.records[p.snap.byID[id]].Status
}

// managerAfter is an employee's manager's ID once the import is applied.
func (p *planner) managerAfter(id string) string {
	if i, inFile := p.rowOf[id]; inFile {
		return p.managerOf[i]
	}
	return p.snap.records[p.snap.byID[id]].ManagerID
}

// emailAfter is an employee's e-mail once the import is applied.
func (p *planner) emailAfter(id string) string {
	if i, inFile := p.rowOf[id]; inFile {
		return p.rows[i].Email
	}
	if j, ok := p.snap.byID[id]; ok {
		return p.snap.records[j].Email
	}
	return id
}

// resolveManagers turns every manager_email into the manager's ID.
func (p *planner) resolveManagers() {
	for i, row := range p.rows {
		m := row.ManagerEmail
		if m == "" {
			continue
		}
		mid, ok := p.emailOwner[m]
		if !ok {
			p.problems.Add(row.Line, ColumnManagerEmail, m, p.unknownManager(m))
			continue
		}
		if mid == p.ids[i] {
			p.problems.Add(row.Line, ColumnManagerEmail, m, fmt.Sprintf("%q is the employee's own e-mail, and nobody manages themselves; give their manager's e-mail or leave it empty", m))
			continue
		}
		if row.Status == StatusActive && p.statusAfter(mid) == StatusInactive {
			p.problems.Add(row.Line, ColumnManagerEmail, m, p.inactiveManager(m, mid))
			continue
		}
		p.managerOf[i] = mid
	}
}

func (p *planner) inactiveManager(m, mid string) string {
	if j, inFile := p.rowOf[mid]; inFile {
		return fmt.Sprintf("%q is marked inactive on %s; name an active manager, or leave it empty", m, p.rowName(p.rows[j].Line))
	}
	if p.leaving[mid] {
		return fmt.Sprintf("%q is not in %s, so deactivating missing employees would make them inactive; add the manager to %[2]s, name an active manager, or leave it empty", m, p.input())
	}
	return fmt.Sprintf("%q belongs to an employee who is inactive in Onramp; name an active manager, or leave it empty", m)
}

func (p *planner) unknownManager(m string) string {
	// The address may be the one a manager had before this very file
	// changes it: say which address to use instead.
	if j, ok := p.snap.byEmail[m]; ok {
		r := &p.snap.records[j]
		if i, inFile := p.rowOf[r.ID]; inFile {
			return fmt.Sprintf("%q is the old e-mail of employee_id %s, whom %s gives the e-mail %s; use %s",
				m, p.rows[i].EmployeeNumber, p.rowName(p.rows[i].Line), p.rows[i].Email, p.rows[i].Email)
		}
	}
	return fmt.Sprintf("%q is not in %s and is not an employee in Onramp; add the manager to %[2]s, correct the address, or leave it empty", m, p.input())
}

// findLoops reports every management loop that goes through the file. Each
// employee has at most one manager, so following managers from every row
// visits each employee once.
func (p *planner) findLoops() {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]uint8, len(p.rows))
	var path []string
	for i := range p.rows {
		path = path[:0]
		cur := p.ids[i]
		for cur != "" && state[cur] == unseen {
			state[cur] = onPath
			path = append(path, cur)
			cur = p.managerAfter(cur)
		}
		if cur != "" && state[cur] == onPath {
			p.reportLoop(path[slices.Index(path, cur):])
		}
		for _, id := range path {
			state[id] = done
		}
	}
}

// reportLoop reports a loop once, on the earliest row in it.
func (p *planner) reportLoop(loop []string) {
	first := -1
	for k, id := range loop {
		if i, inFile := p.rowOf[id]; inFile && (first < 0 || p.rows[i].Line < p.rows[p.rowOf[loop[first]]].Line) {
			first = k
		}
	}
	if first < 0 {
		return // a loop already in the database, out of the file's reach
	}
	loop = append(slices.Clone(loop[first:]), loop[:first]...)
	loop = append(loop, loop[0])
	steps := make([]string, len(loop))
	for k, id := range loop {
		if i, inFile := p.rowOf[id]; inFile {
			steps[k] = fmt.Sprintf("%s (%s)", p.rows[i].Email, p.rowName(p.rows[i].Line))
		} else {
			steps[k] = p.emailAfter(id) + " (not in " + p.input() + ")"
		}
	}
	row := p.rows[p.rowOf[loop[0]]]
	p.problems.Add(row.Line, ColumnManagerEmail, row.ManagerEmail, fmt.Sprintf(
		"%q makes a management loop, where → means \"is managed by\": %s; give one of them a different manager",
		row.ManagerEmail, strings.Join(steps, " → ")))
}

// build fills the plan's lists and the writes behind them.
func (p *planner) build(plan *StaffPlan) {
	reports := map[string]int{}
	countReport := func(id string) {
		if m := p.managerAfter(id); m != "" && p.statusAfter(id) == StatusActive {
			reports[m]++
		}
	}
	for _, id := range p.ids {
		countReport(id)
	}
	for i := range p.snap.records {
		if _, inFile := p.rowOf[p.snap.records[i].ID]; !inFile {
			countReport(p.snap.records[i].ID)
		}
	}
	promote := func(r *staffRecord) {
		if reports[r.ID] > 0 && r.Role == RoleLearner && r.Status == StatusActive {
			r.Role = RoleManager
		}
	}

	added := 0
	for _, m := range p.matched {
		if m < 0 {
			added++
		}
	}
	plan.Added = make([]StaffChange, 0, added)
	plan.inserts = make([]staffWrite, 0, added)
	for i, row := range p.rows {
		after := staffRecord{
			ID: p.ids[i], EmployeeNumber: row.EmployeeNumber, Email: row.Email,
			FirstName: row.FirstName, LastName: row.LastName, Department: row.Department,
			JobTitle: row.JobTitle, Location: row.Location, ManagerID: p.managerOf[i],
			HireDate: row.HireDate.Format(time.DateOnly), Status: row.Status,
			TimeZone: row.TimeZone, Role: RoleLearner,
		}
		change := StaffChange{ID: after.ID, Row: row.Line, EmployeeNumber: row.EmployeeNumber, Email: row.Email, Name: after.name()}
		if p.matched[i] < 0 {
			promote(&after)
			change.Role = after.Role
			plan.Added = append(plan.Added, change)
			plan.inserts = append(plan.inserts, staffWrite{rec: after, stampDeactivated: after.Status == StatusInactive})
			continue
		}
		before := &p.snap.records[p.matched[i]]
		after.Role, after.DeactivatedAt = before.Role, before.DeactivatedAt
		if !p.file.HasTimeZone || row.KeepTimeZone {
			after.TimeZone = before.TimeZone
		}
		promote(&after)
		change.Role, change.Fields = after.Role, p.diff(before, &after)
		write := staffWrite{rec: after}
		switch {
		case before.Status == StatusActive && after.Status == StatusInactive:
			change.Reason, write.stampDeactivated = ReasonMarkedInactive, true
			plan.Deactivated = append(plan.Deactivated, change)
		case before.Status == StatusInactive && after.Status == StatusActive:
			change.Reason, write.rec.DeactivatedAt = ReasonMarkedActive, nil
			plan.Reactivated = append(plan.Reactivated, change)
		case len(change.Fields) > 0:
			plan.Changed = append(plan.Changed, change)
		default:
			plan.Unchanged++
			continue
		}
		plan.updates = append(plan.updates, write)
		if before.Email != after.Email {
			if owner, claimed := p.emailOwner[before.Email]; claimed && owner != after.ID {
				plan.placeholders = append(plan.placeholders, after.ID)
			}
		}
	}

	// Employees outside the file: leavers, and people who gain reports.
	var outside []StaffChange
	for i := range p.snap.records {
		before := &p.snap.records[i]
		if _, inFile := p.rowOf[before.ID]; inFile {
			continue
		}
		change := StaffChange{ID: before.ID, EmployeeNumber: before.EmployeeNumber, Email: before.Email, Name: before.name(), Role: before.Role}
		if p.leaving[before.ID] {
			change.Reason = ReasonMissing
			plan.Deactivated = append(plan.Deactivated, change)
			plan.deactivations = append(plan.deactivations, before.ID)
			continue
		}
		after := *before
		promote(&after)
		if after.Role != before.Role {
			change.Role, change.Fields = after.Role, p.diff(before, &after)
			outside = append(outside, change)
			plan.updates = append(plan.updates, staffWrite{rec: after})
		}
	}
	slices.SortFunc(outside, func(a, b StaffChange) int { return cmp.Compare(a.Email, b.Email) })
	plan.Changed = append(plan.Changed, outside...)
	slices.SortStableFunc(plan.Deactivated, func(a, b StaffChange) int {
		if (a.Row == 0) != (b.Row == 0) {
			return cmp.Compare(b.Row, a.Row) // rows of the file first
		}
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.EmployeeNumber, b.EmployeeNumber))
	})
	p.sortInserts(plan)
}

// diff lists the details that differ between before and after, as the CSV
// names them.
func (p *planner) diff(before, after *staffRecord) []FieldChange {
	var out []FieldChange
	add := func(field, old, new string) {
		if old != new {
			out = append(out, FieldChange{Field: field, Old: old, New: new})
		}
	}
	add(ColumnEmployeeID, before.EmployeeNumber, after.EmployeeNumber)
	add(ColumnEmail, before.Email, after.Email)
	add(ColumnFirstName, before.FirstName, after.FirstName)
	add(ColumnLastName, before.LastName, after.LastName)
	add(ColumnDepartment, before.Department, after.Department)
	add(ColumnJobTitle, before.JobTitle, after.JobTitle)
	add(ColumnLocation, before.Location, after.Location)
	// Managers are compared by who they are, not by address: a manager
	// whose e-mail changes is still the same manager.
	if before.ManagerID != after.ManagerID {
		old := ""
		if j, ok := p.snap.byID[before.ManagerID]; ok {
			old = p.snap.records[j].Email
		}
		new := ""
		if after.ManagerID != "" {
			new = p.emailAfter(after.ManagerID)
		}
		out = append(out, FieldChange{Field: ColumnManagerEmail, Old: old, New: new})
	}
	add(ColumnHireDate, before.HireDate, after.HireDate)
	add(ColumnTimeZone, before.TimeZone, after.TimeZone)
	add("role", string(before.Role), string(after.Role))
	return out
}

// sortInserts orders new employees so that every new manager is inserted
// before the people they manage: manager_id can then be written with the
// row, and the foreign key holds at every step.
func (p *planner) sortInserts(plan *StaffPlan) {
	depth := make(map[string]int, len(plan.inserts))
	isNew := make(map[string]bool, len(plan.inserts))
	for _, w := range plan.inserts {
		isNew[w.rec.ID] = true
	}
	var chain []string
	for _, w := range plan.inserts {
		chain = chain[:0]
		cur := w.rec.ID
		for {
			if _, known := depth[cur]; known || !isNew[cur] || slices.Contains(chain, cur) {
				break
			}
			chain = append(chain, cur)
			cur = p.managerAfter(cur)
		}
		base := -1
		if d, known := depth[cur]; known {
			base = d
		}
		for k := len(chain) - 1; k >= 0; k-- {
			base++
			depth[chain[k]] = base
		}
	}
	slices.SortStableFunc(plan.inserts, func(a, b staffWrite) int { return cmp.Compare(depth[a.rec.ID], depth[b.rec.ID]) })
}

// guardHRAdmins refuses an import that would leave no active HR admin:
// nobody could then sign in to undo it.
func (p *planner) guardHRAdmins() {
	before, after := 0, 0
	var lost []*staffRecord
	for i := range p.snap.records {
		r := &p.snap.records[i]
		if r.Role != RoleHRAdmin || r.Status != StatusActive {
			continue
		}
		before++
		if p.statusAfter(r.ID) == StatusActive {
			after++
		} else {
			lost = append(lost, r)
		}
	}
	if before == 0 || after > 0 {
		return
	}
	for _, r := range lost {
		if i, inFile := p.rowOf[r.ID]; inFile {
			row := p.rows[i]
			p.problems.Add(row.Line, ColumnStatus, string(row.Status), fmt.Sprintf(
				"would make %s, the last active HR admin, inactive, and nobody could sign in to manage Onramp; give another employee the HR admin role first", row.Email))
			return
		}
	}
	p.problems.Add(0, "", "", fmt.Sprintf(
		"deactivating the employees missing from the file would make %s, the last active HR admin, inactive, and nobody could sign in to manage Onramp; add them to the file, or import without deactivating missing employees",
		lost[0].Email))
}

// warn adds the warnings that do not stop an import.
func (p *planner) warn(plan *StaffPlan) {
	if len(plan.IgnoredColumns) > 0 {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("these columns are not used and were ignored: %s", strings.Join(plan.IgnoredColumns, ", ")))
	}
	// Rows with an inactive manager are refused; people outside the file
	// cannot be, so say that their manager is leaving.
	orphans := 0
	for i := range p.snap.records {
		r := &p.snap.records[i]
		if _, inFile := p.rowOf[r.ID]; inFile || r.ManagerID == "" || p.statusAfter(r.ID) != StatusActive {
			continue
		}
		if j, ok := p.snap.byID[r.ManagerID]; ok && p.snap.records[j].Status == StatusActive && p.statusAfter(r.ManagerID) == StatusInactive {
			orphans++
		}
	}
	if orphans > 0 {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"%d active %s not in the file %s managed by someone this import deactivates; give them a new manager",
			orphans, plural(orphans, "employee", "employees"), plural(orphans, "is", "are")))
	}
	if !p.opts.DeactivateMissing {
		return
	}
	active, handMade := 0, 0
	for i := range p.snap.records {
		r := &p.snap.records[i]
		if r.Status != StatusActive {
			continue
		}
		active++
		if _, inFile := p.rowOf[r.ID]; !inFile && r.EmployeeNumber == "" {
			handMade++
		}
	}
	if n := len(p.leaving); n > 0 && float64(n) > deactivationWarningShare*float64(active) {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"%d of %d active employees (%.0f%%) would be deactivated because they are not in the file; make sure the file is the complete staff list",
			n, active, 100*float64(n)/float64(active)))
	}
	if handMade > 0 {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf(
			"%d active %s no employee_id and %s not in the file; %s added by hand, not from the HR system, so %s active",
			handMade, plural(handMade, "employee has", "employees have"), plural(handMade, "is", "are"),
			plural(handMade, "it was", "they were"), plural(handMade, "it stays", "they stay")))
	}
}
