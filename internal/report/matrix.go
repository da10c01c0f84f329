package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
)

// matrixCourse is one column of the matrix.
type matrixCourse struct {
	ID    string
	Title string
}

// matrixCourses are the columns: every course someone is assigned, by title.
func matrixCourses(ctx context.Context, d *db.DB, f Filter) ([]matrixCourse, error) {
	q := d.WithContext(ctx).Table("courses co").Select("co.id, co.title").
		Where("EXISTS (SELECT 1 FROM compliance_status s WHERE s.course_id = co.id)").Order("co.title, co.id")
	if f.Course != "" {
		q = q.Where("co.id = ?", f.Course)
	}
	var cs []matrixCourse
	if err := q.Scan(&cs).Error; err != nil {
		return nil, fmt.Errorf("matrix courses: %w", err)
	}
	return cs, nil
}

func matrixPlan(ctx context.Context, d *db.DB, f Filter, _ time.Time) (*plan, error) {
	courses, err := matrixCourses(ctx, d, f)
	if err != nil {
		return nil, err
	}
	columns := append([]Column{}, personColumns...)
	index := map[string]int{}
	for i, c := range courses {
		columns = append(columns, Column{Key: c.ID, Title: c.Title})
		index[c.ID] = len(personColumns) + i
	}
	p := &plan{
		columns: columns,
		selects: `s.employee_id, ` + personSelects + `,
			s.course_id, s.status, s.due_at, s.completed_at, s.expires_at`,
		from:      statusWithPeople(f),
		countFrom: statusCountFrom(f),
		keys:      byName,
		pageKeys:  2,
		count:     "COUNT(DISTINCT s.employee_id)",
	}
	p.filterPeople(f, "s", "s.course_id", "s.employee_id")
	// One course: a person has one row, so the rows are counted as they
	// come through the course's index, not grouped by person and sorted
	// (all 100,000 of a course's rows at hospital scale, 0.8 s).
	p.rowsArePivoted = f.Course != ""
	if f.Status != "" {
		cond := "s.employee_id IN (SELECT s2.employee_id FROM compliance_status s2 WHERE s2.status = ?"
		args := []any{string(f.Status)}
		if f.Course != "" {
			cond += " AND s2.course_id = ?"
			args = append(args, f.Course)
		}
		p.where(cond+")", args...)
	}
	// The raw rows carry the employee ID first, for grouping; the pivot
	// drops it.
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		var number sql.NullString
		var id, name, dept, job, loc, courseID, status string
		var due, completed, expires nullTime
		if err := rs.Scan(append([]any{&id, &number, &name, &dept, &job, &loc, &courseID, &status, &due, &completed, &expires}, keys...)...); err != nil {
			return nil, err
		}
		return []any{id, str(number), name, dept, job, loc, courseID, cell(Status(status), due, completed, expires)}, nil
	}
	p.wrap = func(raw *sqlRows, limit int) Rows {
		return &matrixRows{raw: raw, width: len(columns), index: index, limit: limit}
	}
	return p, nil
}

// cell says a standing and the date that goes with it in a few words.
func cell(s Status, due, completed, expires nullTime) string {
	d := func(t nullTime) string { return t.Time.Format(time.DateOnly) }
	switch s {
	case StatusCompleted:
		if expires.Valid {
			return "completed, valid until " + d(expires)
		}
		if completed.Valid {
			return "completed " + d(completed)
		}
		return "completed"
	case StatusExpired:
		if expires.Valid {
			return "expired " + d(expires)
		}
		return "expired"
	case StatusExempt:
		return "exempt"
	case StatusOverdue:
		return "overdue, due " + d(due)
	case StatusInProgress:
		return "in progress, due " + d(due)
	default:
		return "not started, due " + d(due)
	}
}

// matrixRows folds each person's consecutive rows (the query orders by
// person) into one row, holding only that person in memory.
type matrixRows struct {
	raw     *sqlRows
	width   int
	index   map[string]int
	limit   int
	emitted int
	pending []any
	current []any
	// pendingKey and currentKey are the order keys of the first raw row
	// of the pending and the current person.
	pendingKey, currentKey []any
}

func (m *matrixRows) key() []any { return m.currentKey }

func (m *matrixRows) Columns() []Column { return m.raw.columns }

func (m *matrixRows) Next() bool {
	if m.limit > 0 && m.emitted >= m.limit {
		return false
	}
	if m.pending == nil {
		if !m.raw.Next() {
			return false
		}
		m.pending, m.pendingKey = append([]any(nil), m.raw.Values()...), m.raw.key()
	}
	m.currentKey = m.pendingKey
	row := make([]any, m.width)
	id := m.pending[0]
	copy(row, m.pending[1:6])
	for {
		if i, ok := m.index[m.pending[6].(string)]; ok {
			row[i] = m.pending[7]
		}
		if !m.raw.Next() {
			m.pending = nil
			break
		}
		next := m.raw.Values()
		if next[0] != id {
			m.pending, m.pendingKey = append([]any(nil), next...), m.raw.key()
			break
		}
		m.pending = next
	}
	for i := len(personColumns); i < m.width; i++ {
		if row[i] == nil {
			row[i] = ""
		}
	}
	m.current = row
	m.emitted++
	return true
}

func (m *matrixRows) Values() []any { return m.current }
func (m *matrixRows) Err() error    { return m.raw.Err() }
func (m *matrixRows) Close() error  { return m.raw.Close() }

// departmentColumns head the by-department report.
var departmentColumns = []Column{
	{"department", "Department"}, {"assigned", "Assigned"}, {"completed", "Completed"}, {"exempt", "Exempt"},
	{"in_progress", "In progress"}, {"not_started", "Not started"}, {"overdue", "Overdue"}, {"expired", "Expired"},
	{"compliant_percent", "Compliant (%)"},
}

func departmentsPlan(_ context.Context, _ *db.DB, f Filter, _ time.Time) (*plan, error) {
	p := &plan{
		columns:  departmentColumns,
		selects:  "s.department, s.status, COUNT(*)",
		from:     "compliance_status s",
		groupBy:  "s.department, s.status",
		keys:     []orderKey{{"s.department", keyString}, {"s.status", keyString}},
		pageKeys: 1,
		count:    "COUNT(DISTINCT s.department)",
	}
	if f.JobTitle != "" || f.Location != "" {
		// Those filters are the employee record's (filterPeople).
		p.from = statusWithPeople(f)
	}
	p.filterPeople(f, "s", "s.course_id", "s.employee_id")
	p.scan = func(rs *sql.Rows, keys []any) ([]any, error) {
		var dept, status string
		var n int
		if err := rs.Scan(append([]any{&dept, &status, &n}, keys...)...); err != nil {
			return nil, err
		}
		return []any{dept, status, n}, nil
	}
	p.wrap = func(raw *sqlRows, limit int) Rows { return &departmentRows{raw: raw, limit: limit} }
	return p, nil
}

// departmentRows folds each department's status counts into one row.
type departmentRows struct {
	raw     *sqlRows
	limit   int
	emitted int
	pending []any
	current []any
	// pendingKey and currentKey as in matrixRows.
	pendingKey, currentKey []any
}

func (r *departmentRows) key() []any { return r.currentKey }

func (r *departmentRows) Columns() []Column { return departmentColumns }

func (r *departmentRows) Next() bool {
	if r.limit > 0 && r.emitted >= r.limit {
		return false
	}
	if r.pending == nil {
		if !r.raw.Next() {
			return false
		}
		r.pending, r.pendingKey = append([]any(nil), r.raw.Values()...), r.raw.key()
	}
	r.currentKey = r.pendingKey
	dept := r.pending[0].(string)
	counts := Counts{}
	for {
		counts[Status(r.pending[1].(string))] += r.pending[2].(int)
		if !r.raw.Next() {
			r.pending = nil
			break
		}
		next := r.raw.Values()
		if next[0].(string) != dept {
			r.pending, r.pendingKey = append([]any(nil), next...), r.raw.key()
			break
		}
		r.pending = next
	}
	r.current = []any{DepartmentName(dept), counts.Total(), counts[StatusCompleted], counts[StatusExempt],
		counts[StatusInProgress], counts[StatusNotStarted], counts[StatusOverdue], counts[StatusExpired], counts.Percent()}
	r.emitted++
	return true
}

func (r *departmentRows) Values() []any { return r.current }
func (r *departmentRows) Err() error    { return r.raw.Err() }
func (r *departmentRows) Close() error  { return r.raw.Close() }

// DepartmentName is how a department is written, the blank one included.
func DepartmentName(d string) string {
	if d == "" {
		return "(no department)"
	}
	return d
}
