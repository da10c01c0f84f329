package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// Report is one of the reports HR and managers download.
type Report struct {
	// Name is how addresses and the command line name it.
	Name string
	// Title and Description are for the page.
	Title       string
	Description string
	// Ignores names the filters that do not apply to this report.
	Ignores []string
	plan    func(ctx context.Context, d *db.DB, f Filter, now time.Time) (*plan, error)
}

// Reports lists every report in the order the page offers them.
var Reports = []*Report{
	{Name: "status", Title: "Compliance status", Description: "Everyone's standing in each course: one row per person and course.", plan: statusPlan},
	{Name: "overdue", Title: "Overdue", Description: "Everyone past a due date: overdue (never completed) or expired (a refresher not done in time), most overdue first.", plan: overduePlan},
	{Name: "expiring", Title: "Expiring", Description: "Completions that expire within the chosen number of days (30, 60 or 90), soonest first.", Ignores: []string{ParamStatus}, plan: expiringPlan},
	{Name: "completions", Title: "Completions", Description: "Every completion ever recorded, with its score and content version, oldest first.", Ignores: []string{ParamStatus}, plan: completionsPlan},
	{Name: "matrix", Title: "Completion matrix", Description: "One row per person and one column per course, with the standing and its date. A status filter keeps the people with that standing in at least one course.", plan: matrixPlan},
	{Name: "departments", Title: "By department", Description: "How many people in each department stand where, and the share who are compliant (completed or exempt).", Ignores: []string{ParamStatus}, plan: departmentsPlan},
}

// Uses reports whether the filter param narrows this report: not one it
// Ignores, and days (the horizon) only on expiring.
func (r *Report) Uses(param string) bool {
	if param == ParamDays {
		return r.Name == "expiring"
	}
	return !slices.Contains(r.Ignores, param)
}

// Lookup finds a report by name.
func Lookup(name string) (*Report, bool) {
	for _, r := range Reports {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

// Names lists the reports' names.
func Names() []string {
	out := make([]string, len(Reports))
	for i, r := range Reports {
		out[i] = r.Name
	}
	return out
}

// Open runs the report and returns its rows, read from the database as the
// caller asks for them. limit > 0 keeps the first limit rows (the page's
// preview). The caller must Close the rows.
func (r *Report) Open(ctx context.Context, d *db.DB, f Filter, now time.Time, limit int) (Rows, error) {
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return nil, err
	}
	// Nothing pages through an export: its rows go out without their
	// order keys (the same ORDER BY, two columns fewer to read per row).
	return r.open(ctx, d, p, limit, false, false)
}

// open runs the report's query; withKeys reads each row's order keys too,
// which a page needs for its links to the next and previous pages.
func (r *Report) open(ctx context.Context, d *db.DB, p *plan, limit int, desc, withKeys bool) (Rows, error) {
	if err := p.preferOrder(ctx, d); err != nil {
		return nil, fmt.Errorf("%s report: %w", r.Name, err)
	}
	q, args := p.sql(limit, desc, withKeys)
	rs, err := d.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("%s report: %w", r.Name, err)
	}
	inner := &sqlRows{columns: p.columns, rows: rs, scan: p.scan}
	if withKeys {
		inner.keys = newKeyDests(p.keys)
	}
	if p.wrap != nil {
		return p.wrap(inner, limit), nil
	}
	return inner, nil
}

// Count says how many rows the report has with this filter.
func (r *Report) Count(ctx context.Context, d *db.DB, f Filter, now time.Time) (int, error) {
	p, err := r.plan(ctx, d, f, now)
	if err != nil {
		return 0, err
	}
	q, args := p.countSQL()
	var n int
	if err := d.WithContext(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("%s report: count: %w", r.Name, err)
	}
	return n, nil
}

// plan is a report's query, assembled from parts so the rows and their
// count share one WHERE clause.
type plan struct {
	columns  []Column
	with     string
	withArgs []any
	selects  string
	from     string
	conds    []string
	args     []any
	groupBy  string
	// keys are the report's order: columns whose values, in this order,
	// are unique per raw row, so a page can start after any row (keyset
	// pagination, see Page). pageKeys > 0 says how many of them make a
	// pivoted row (the matrix's person, the by-department report's
	// department); 0 means all of them.
	keys     []orderKey
	pageKeys int
	// rowsArePivoted says each raw row is one pivoted row (the matrix of
	// one course: a person has one standing per course), so CountUpTo
	// counts rows and need not group them.
	rowsArePivoted bool
	// countFrom, when set, is what counts read instead of from: the
	// tables the conditions need, without those joined for the output.
	countFrom string
	// count is the COUNT expression: of rows, or of what a pivoted row
	// stands for (the matrix counts people).
	count string
	scan  func(rs *sql.Rows, keys []any) ([]any, error)
	// wrap pivots the raw rows (matrix, departments); it applies the
	// preview's limit to the pivoted rows.
	wrap func(raw *sqlRows, limit int) Rows
	// filters are the filter's conditions that an index could serve
	// (see preferOrder): where each is in conds, and the expression it
	// tests.
	filters []filterCond
}

// filterCond is one of a filter's conditions in plan.conds: conds[at]
// begins with expr and takes args.
type filterCond struct {
	at   int
	expr string
	args []any
}

func (p *plan) where(cond string, args ...any) {
	p.conds = append(p.conds, cond)
	p.args = append(p.args, args...)
}

// whereFilter adds a filter's condition expr + rest (e.g. "s.department",
// " = ?"), which preferOrder may keep off the indexes.
func (p *plan) whereFilter(expr, rest string, args ...any) {
	p.filters = append(p.filters, filterCond{at: len(p.conds), expr: expr, args: args})
	p.where(expr+rest, args...)
}

// OrderWalkRows is how many rows a filter must match before a report's
// rows are read in the report's order (SQLite; see preferOrder).
const OrderWalkRows = 10000

// orderWalkRows is OrderWalkRows, changed only by tests.
var orderWalkRows atomic.Int64

func init() { orderWalkRows.Store(OrderWalkRows) }

// preferOrder keeps the filter's conditions off the indexes when the
// filter matches many rows, on SQLite, so that the rows are read along the
// index of the report's order and the read stops after the page. Left to
// itself, SQLite's planner reads a filter's rows through the filter's index
// (compliance_status_location_idx, …) and sorts all of them before the
// first row comes out: for a hospital site's 400,000 standings that is
// seconds per page. When the filter alone matches few rows (up to
// orderWalkRows, counted through its index and no further), reading them
// through it and sorting them is cheaper than walking the order's index
// past the rows the filter leaves out, and the plan stays as it is. (The
// count leaves the report's own conditions out: with them, a filter whose
// rows the report mostly drops, such as a course's completions of which
// few expire soon, would be counted row by row.) PostgreSQL plans from its
// own statistics and is left alone.
func (p *plan) preferOrder(ctx context.Context, d *db.DB) error {
	if len(p.filters) == 0 || d.Dialect != db.SQLite || len(p.keys) == 0 || p.groupBy != "" {
		return nil
	}
	limit := orderWalkRows.Load()
	conds := make([]string, len(p.filters))
	args := append([]any{}, p.withArgs...)
	for i, f := range p.filters {
		conds[i] = p.conds[f.at]
		args = append(args, f.args...)
	}
	var n int64
	q := p.with + fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 AS one FROM %s WHERE %s LIMIT %d) t", p.counted(), strings.Join(conds, " AND "), limit+1)
	if err := d.WithContext(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return fmt.Errorf("count the filter's rows: %w", err)
	}
	if n <= limit {
		return nil
	}
	for _, f := range p.filters {
		// expr || '' is the same value to compare, and no index has it.
		p.conds[f.at] = f.expr + " || ''" + strings.TrimPrefix(p.conds[f.at], f.expr)
	}
	p.filters = nil
	return nil
}

func (p *plan) body() (string, []any) { return p.bodyFrom(p.from) }

// countBody is body for a count: over countFrom when the plan has one.
func (p *plan) countBody() (string, []any) { return p.bodyFrom(p.counted()) }

// counted is what a count reads: countFrom when the plan has one, else from.
func (p *plan) counted() string {
	if p.countFrom != "" {
		return p.countFrom
	}
	return p.from
}

func (p *plan) bodyFrom(from string) (string, []any) {
	var b strings.Builder
	b.WriteString(" FROM ")
	b.WriteString(from)
	if len(p.conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(p.conds, " AND "))
	}
	return b.String(), append(append([]any{}, p.withArgs...), p.args...)
}

func (p *plan) sql(limit int, desc, withKeys bool) (string, []any) {
	body, args := p.body()
	q := p.with + "SELECT " + p.selects
	if withKeys {
		for _, k := range p.keys {
			q += ", " + k.expr
		}
	}
	q += body
	if p.groupBy != "" {
		q += " GROUP BY " + p.groupBy
	}
	if len(p.keys) > 0 {
		q += " ORDER BY " + p.orderBy(desc)
	}
	if limit > 0 && p.wrap == nil {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return q, args
}

func (p *plan) countSQL() (string, []any) {
	body, args := p.countBody()
	return p.with + "SELECT " + p.count + body, args
}

// chainSQL walks the management chain down from a manager (the first
// argument): everyone who reports to them, directly or through others. The
// depth bound stops a loop in the HR data from running forever.
const chainSQL = `WITH RECURSIVE chain(id, depth) AS (
  SELECT id, 1 FROM employees WHERE manager_id = ?
  UNION ALL
  SELECT e.id, chain.depth + 1 FROM employees e JOIN chain ON e.manager_id = chain.id WHERE chain.depth < 32
) `

// filterPeople applies the filter's person and course conditions: the
// department on dept's copy (compliance_status s keeps one, for its
// indexes; "e" in the completions report), job title and site on the
// employee record, which every query that filters on them joins as e.
func (p *plan) filterPeople(f Filter, dept, course, employeeID string) {
	if f.Department != "" {
		p.whereFilter(dept+".department", " = ?", f.Department)
	}
	if f.JobTitle != "" {
		p.whereFilter("e.job_title", " = ?", f.JobTitle)
	}
	if f.Location != "" {
		p.whereFilter("e.location", " = ?", f.Location)
	}
	if f.Course != "" {
		p.whereFilter(course, " = ?", f.Course)
	}
	if f.Manager != "" {
		p.with, p.withArgs = chainSQL, []any{f.Manager}
		p.whereFilter(employeeID, " IN (SELECT id FROM chain)")
	}
}

// statusCountFrom is what a count over statusWithPeople(f) reads: the
// standings alone unless the filter is on the person's record.
func statusCountFrom(f Filter) string {
	if f.JobTitle != "" || f.Location != "" {
		return statusWithPeople(f)
	}
	return "compliance_status s"
}

// statusWithPeople is compliance_status (s) with each row's person (e),
// read by primary key: the person's name, number, job title and site are
// not copied into the standings (doc.go). With a job title or site filter
// it is an inner join, so that the planner may start from employees when
// few people match; otherwise a left join, which keeps s the outer loop
// (its index gives the report's order). Counts read statusCountFrom, where
// a join would read a person for each of up to 10,000 rows counted. Every
// row of compliance_status has its employee either way.
func statusWithPeople(f Filter) string {
	if f.JobTitle != "" || f.Location != "" {
		return "compliance_status s JOIN employees e ON e.id = s.employee_id"
	}
	return "compliance_status s LEFT JOIN employees e ON e.id = s.employee_id"
}

// personSelects are personColumns' values over statusWithPeople.
const personSelects = `e.employee_number, COALESCE(TRIM(e.first_name || ' ' || e.last_name), ''), s.department,
	COALESCE(e.job_title, ''), COALESCE(e.location, '')`

// personColumns lead every per-person report.
var personColumns = []Column{
	{"employee_id", "Employee ID"}, {"employee", "Employee"}, {"department", "Department"},
	{"job_title", "Job title"}, {"location", "Location"},
}

func statusPlan(_ context.Context, _ *db.DB, f Filter, _ time.Time) (*plan, error) {
	p := &plan{
		columns: append(append([]Column{}, personColumns...),
			Column{"course_id", "Course ID"}, Column{"course", "Course"}, Column{"status", "Status"},
			Column{"due", "Due"}, Column{"completed_at", "Completed"}, Column{"expires", "Valid until"}),
		selects: personSelects + `, s.course_id,
			COALESCE(co.title, s.course_id), s.status, s.due_at, s.completed_at, s.expires_at`,
		from:      statusWithPeople(f) + " LEFT JOIN courses co ON co.id = s.course_id",
		countFrom: statusCountFrom(f),
		keys:      byName,
		count:     "COUNT(*)",
	}
	p.filterPeople(f, "s", "s.course_id", "s.employee_id")
	if f.Status != "" {
		p.whereFilter("s.status", " = ?", string(f.Status))
	}
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		var number sql.NullString
		var name, dept, job, loc, courseID, title, status string
		var due, completed, expires nullTime
		if err := rs.Scan(append([]any{&number, &name, &dept, &job, &loc, &courseID, &title, &status, &due, &completed, &expires}, keys...)...); err != nil {
			return nil, err
		}
		return []any{str(number), name, dept, job, loc, courseID, title, Status(status).Label(), day(due), instant(completed), day(expires)}, nil
	}
	return p, nil
}

func overduePlan(_ context.Context, _ *db.DB, f Filter, now time.Time) (*plan, error) {
	today := compliance.Day(now)
	p := &plan{
		columns: append(append([]Column{}, personColumns...),
			Column{"manager", "Manager"}, Column{"course", "Course"}, Column{"status", "Status"}, Column{"due", "Due"},
			Column{"days_overdue", "Days overdue"}, Column{"last_completed_at", "Last completed"}, Column{"expired", "Expired on"}),
		selects: personSelects + `,
			TRIM(m.first_name || ' ' || m.last_name), COALESCE(co.title, s.course_id), s.status, s.due_at, s.completed_at, s.expires_at`,
		from: statusWithPeople(f) + ` LEFT JOIN courses co ON co.id = s.course_id
			LEFT JOIN employees m ON m.id = e.manager_id`,
		countFrom: statusCountFrom(f),
		keys:      append([]orderKey{{"s.due_at", keyTime}}, byName...),
		count:     "COUNT(*)",
	}
	// The standings are literals, not parameters, so that the partial
	// indexes on them (migrations/00017_report_pages.sql) apply.
	p.where("s.status IN ('overdue', 'expired')")
	p.filterPeople(f, "s", "s.course_id", "s.employee_id")
	if f.Status != "" {
		p.whereFilter("s.status", " = ?", string(f.Status))
	}
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		var number, manager sql.NullString
		var name, dept, job, loc, title, status string
		var due, completed, expires nullTime
		if err := rs.Scan(append([]any{&number, &name, &dept, &job, &loc, &manager, &title, &status, &due, &completed, &expires}, keys...)...); err != nil {
			return nil, err
		}
		var expired any
		if Status(status) == StatusExpired {
			expired = day(expires)
		}
		return []any{str(number), name, dept, job, loc, str(manager), title, Status(status).Label(), day(due),
			daysBetween(compliance.Day(due.Time), today), instant(completed), expired}, nil
	}
	return p, nil
}

func expiringPlan(_ context.Context, _ *db.DB, f Filter, now time.Time) (*plan, error) {
	today := compliance.Day(now)
	p := &plan{
		columns: append(append([]Column{}, personColumns...),
			Column{"manager", "Manager"}, Column{"course", "Course"}, Column{"completed_at", "Completed"},
			Column{"expires", "Valid until"}, Column{"days_left", "Days left"}),
		selects: personSelects + `,
			TRIM(m.first_name || ' ' || m.last_name), COALESCE(co.title, s.course_id), s.completed_at, s.expires_at`,
		from: statusWithPeople(f) + ` LEFT JOIN courses co ON co.id = s.course_id
			LEFT JOIN employees m ON m.id = e.manager_id`,
		countFrom: statusCountFrom(f),
		keys:      append([]orderKey{{"s.expires_at", keyTime}}, byName...),
		count:     "COUNT(*)",
	}
	// A literal for the partial index, as in overduePlan.
	p.where("s.status = 'completed' AND s.expires_at >= ? AND s.expires_at <= ?", today, today.AddDate(0, 0, f.HorizonDays()))
	p.filterPeople(f, "s", "s.course_id", "s.employee_id")
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		var number, manager sql.NullString
		var name, dept, job, loc, title string
		var completed, expires nullTime
		if err := rs.Scan(append([]any{&number, &name, &dept, &job, &loc, &manager, &title, &completed, &expires}, keys...)...); err != nil {
			return nil, err
		}
		return []any{str(number), name, dept, job, loc, str(manager), title, instant(completed), day(expires),
			daysBetween(today, compliance.Day(expires.Time))}, nil
	}
	return p, nil
}

func completionsPlan(_ context.Context, _ *db.DB, f Filter, _ time.Time) (*plan, error) {
	p := &plan{
		columns: []Column{
			{"employee_id", "Employee ID"}, {"employee", "Employee"}, {"department", "Department"}, {"job_title", "Job title"},
			{"course_id", "Course ID"}, {"course", "Course"}, {"cycle", "Cycle"}, {"completed_at", "Completed"},
			{"expires", "Valid until"}, {"score", "Score (%)"}, {"content_version", "Content version"},
			{"source", "Recorded by"}, {"certificate", "Certificate"},
		},
		selects: `e.employee_number, TRIM(e.first_name || ' ' || e.last_name), e.department, e.job_title, c.course_id,
			COALESCE(co.title, c.course_id), c.number, c.completed_at, c.expires_at,
			COALESCE(ct.score_percent, ic.score), cv.hash, ic.id, ct.code`,
		from: `cycles c JOIN employees e ON e.id = c.employee_id
			LEFT JOIN courses co ON co.id = c.course_id
			LEFT JOIN certificates ct ON ct.cycle_id = c.id
			LEFT JOIN imported_completions ic ON ic.cycle_id = c.id
			LEFT JOIN content_versions cv ON cv.id = c.course_version_id`,
		keys:  []orderKey{{"c.completed_at", keyTime}, {"c.id", keyString}},
		count: "COUNT(*)",
	}
	p.where("c.completed_at IS NOT NULL")
	p.filterPeople(f, "e", "c.course_id", "c.employee_id")
	// Every completion ever recorded is 1.4 million rows at hospital scale:
	// the scan targets and the row are made once and reused (Rows.Values
	// is valid until the next row), not allocated again for every row.
	var number, hash, imported, code sql.NullString
	var name, dept, job, courseID, title string
	var cycle int
	var completed, expires nullTime
	var score sql.NullInt64
	targets := []any{&number, &name, &dept, &job, &courseID, &title, &cycle, &completed, &expires, &score, &hash, &imported, &code}
	fields := len(targets)
	row := make([]any, fields)
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		if len(targets) != fields+len(keys) || (len(keys) > 0 && targets[fields] != keys[0]) {
			targets = append(targets[:fields], keys...)
		}
		if err := rs.Scan(targets...); err != nil {
			return nil, err
		}
		source := "Onramp"
		if imported.Valid {
			source = "Imported from the previous system"
		}
		var version any
		if hash.Valid {
			version = shortHash(hash.String)
		}
		row[0], row[1], row[2], row[3], row[4], row[5], row[6] = str(number), name, dept, job, courseID, title, cycle
		row[7], row[8], row[9], row[10], row[11], row[12] = instant(completed), day(expires), integer(score), version, source, str(code)
		return row, nil
	}
	return p, nil
}

// shortHash is as much of a content hash as people compare by eye.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
