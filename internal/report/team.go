package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/onramp-lms/onramp/internal/db"
)

// TeamMember is one person who reports to a manager, directly or through
// others, with their standing in each course.
type TeamMember struct {
	EmployeeID string
	Name       string
	JobTitle   string
	Department string
	// Depth is 1 for direct reports, 2 for their reports, and so on.
	Depth int
	// Attention is true when the person is overdue or expired somewhere.
	Attention bool
	Courses   []CurrentStatus
}

// Team is a page of a manager's team.
type Team struct {
	Members []TeamMember
	// People is how many people match the filter in all (Members may hold
	// fewer); Attention is how many of them need attention.
	People    int
	Attention int
}

// statusConds are the filter's conditions on compliance_status rows (alias
// s), the manager aside.
func statusConds(f Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if f.Department != "" {
		add("s.department = ?", f.Department)
	}
	if f.JobTitle != "" {
		add("s.job_title = ?", f.JobTitle)
	}
	if f.Location != "" {
		add("s.location = ?", f.Location)
	}
	if f.Course != "" {
		add("s.course_id = ?", f.Course)
	}
	if f.Status != "" {
		add("s.status = ?", string(f.Status))
	}
	return strings.Join(conds, " AND "), args
}

// TeamOf returns the people who report to managerID, directly or through
// others, who match the filter (its Manager is ignored: managerID is the
// root): those who need attention first, then by name, at most limit of
// them. With no filter, people with nothing assigned are included.
func TeamOf(ctx context.Context, d *db.DB, managerID string, f Filter, limit int) (Team, error) {
	var t Team
	conds, condArgs := statusConds(f)
	join := "LEFT JOIN compliance_status s ON s.employee_id = e.id"
	having := ""
	if conds != "" {
		join += " AND " + conds
		having = " HAVING COUNT(s.employee_id) > 0"
	}
	members := chainSQL + `, members AS (
	  SELECT e.id, e.first_name, e.last_name, e.job_title, e.department, MIN(ch.depth) AS depth,
	    MAX(CASE WHEN s.status IN ('overdue', 'expired') THEN 1 ELSE 0 END) AS attention
	  FROM chain ch JOIN employees e ON e.id = ch.id AND e.status = 'active'
	  ` + join + `
	  GROUP BY e.id, e.first_name, e.last_name, e.job_title, e.department` + having + `) `
	args := append([]any{managerID}, condArgs...)
	var totals struct {
		People    int
		Attention *int
	}
	if err := d.WithContext(ctx).Raw(members+`SELECT COUNT(*) AS people, SUM(attention) AS attention FROM members`, args...).Scan(&totals).Error; err != nil {
		return t, fmt.Errorf("team of %s: %w", managerID, err)
	}
	t.People = totals.People
	if totals.Attention != nil {
		t.Attention = *totals.Attention
	}
	if t.People == 0 {
		return t, nil
	}
	var rows []struct {
		ID, FirstName, LastName, JobTitle, Department string
		Depth, Attention                              int
	}
	q := members + `SELECT * FROM members ORDER BY attention DESC, last_name, first_name, id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	if err := d.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return t, fmt.Errorf("team of %s: %w", managerID, err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		t.Members = append(t.Members, TeamMember{
			EmployeeID: r.ID, Name: strings.TrimSpace(r.FirstName + " " + r.LastName), JobTitle: r.JobTitle,
			Department: r.Department, Depth: r.Depth, Attention: r.Attention == 1,
		})
	}
	byEmployee, err := statusesOf(ctx, d, ids, f)
	if err != nil {
		return t, err
	}
	for i := range t.Members {
		t.Members[i].Courses = byEmployee[t.Members[i].EmployeeID]
	}
	return t, nil
}

// statusesOf reads the standings of the given people that match the
// filter, by course title.
func statusesOf(ctx context.Context, d *db.DB, ids []string, f Filter) (map[string][]CurrentStatus, error) {
	out := map[string][]CurrentStatus{}
	conds, condArgs := statusConds(f)
	for start := 0; start < len(ids); start += refreshChunk {
		part := ids[start:min(start+refreshChunk, len(ids))]
		q := `SELECT s.employee_id, s.course_id, COALESCE(co.title, s.course_id) AS course_title, s.cycle_id, s.status,
			s.due_at, s.completed_at, s.expires_at
			FROM compliance_status s LEFT JOIN courses co ON co.id = s.course_id WHERE s.employee_id IN ?`
		args := []any{part}
		if conds != "" {
			q += " AND " + conds
			args = append(args, condArgs...)
		}
		var sts []CurrentStatus
		if err := d.WithContext(ctx).Raw(q+" ORDER BY course_title, s.course_id", args...).Scan(&sts).Error; err != nil {
			return nil, fmt.Errorf("team standings: %w", err)
		}
		for _, s := range sts {
			out[s.EmployeeID] = append(out[s.EmployeeID], s)
		}
	}
	return out, nil
}

// StatusesOf returns one person's standing in each course.
func StatusesOf(ctx context.Context, d *db.DB, employeeID string) ([]CurrentStatus, error) {
	m, err := statusesOf(ctx, d, []string{employeeID}, Filter{})
	return m[employeeID], err
}

// Manages reports whether managerID is above employeeID in the management
// chain (directly or through others).
func Manages(ctx context.Context, d *db.DB, managerID, employeeID string) (bool, error) {
	var n int64
	err := d.WithContext(ctx).Raw(chainSQL+` SELECT COUNT(*) FROM chain WHERE id = ?`, managerID, employeeID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("management chain: %w", err)
	}
	return n > 0, nil
}
