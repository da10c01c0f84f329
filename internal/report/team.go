package report

import (
	"context"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// TeamMember is one person who reports to a manager, directly or through
// others, with their standing in each course.
type TeamMember struct {
	Employee people.Employee
	// Depth is 1 for direct reports, 2 for their reports, and so on.
	Depth   int
	Courses []CurrentStatus
}

// reportsSQL walks the management chain down from a manager.
const reportsSQL = `
WITH RECURSIVE chain(id, depth) AS (
  SELECT id, 1 FROM employees WHERE manager_id = ?
  UNION ALL
  SELECT e.id, chain.depth + 1 FROM employees e JOIN chain ON e.manager_id = chain.id WHERE chain.depth < 20
)`

// Team returns everyone who reports to managerID, directly or not, active
// ones only, ordered by name.
func Team(ctx context.Context, d *db.DB, managerID string, now time.Time) ([]TeamMember, error) {
	var chain []struct {
		ID    string
		Depth int
	}
	if err := d.WithContext(ctx).Raw(reportsSQL+` SELECT id, MIN(depth) AS depth FROM chain GROUP BY id`, managerID).Scan(&chain).Error; err != nil {
		return nil, fmt.Errorf("team of %s: %w", managerID, err)
	}
	if len(chain) == 0 {
		return nil, nil
	}
	ids := make([]string, len(chain))
	depth := map[string]int{}
	for i, c := range chain {
		ids[i] = c.ID
		depth[c.ID] = c.Depth
	}
	var emps []people.Employee
	if err := d.WithContext(ctx).Where("id IN ? AND status = ?", ids, people.StatusActive).Order("last_name, first_name").Find(&emps).Error; err != nil {
		return nil, fmt.Errorf("team members: %w", err)
	}
	today := compliance.Day(now)
	var statuses []CurrentStatus
	if err := d.WithContext(ctx).Raw(`SELECT * FROM (`+currentStatusSQL+`) s WHERE employee_id IN ? ORDER BY course_id`, today, today, ids).Scan(&statuses).Error; err != nil {
		return nil, fmt.Errorf("team statuses: %w", err)
	}
	byEmp := map[string][]CurrentStatus{}
	for _, s := range statuses {
		byEmp[s.EmployeeID] = append(byEmp[s.EmployeeID], s)
	}
	out := make([]TeamMember, len(emps))
	for i, e := range emps {
		out[i] = TeamMember{Employee: e, Depth: depth[e.ID], Courses: byEmp[e.ID]}
	}
	return out, nil
}

// Manages reports whether managerID is above employeeID in the management
// chain (directly or through others).
func Manages(ctx context.Context, d *db.DB, managerID, employeeID string) (bool, error) {
	var n int64
	err := d.WithContext(ctx).Raw(reportsSQL+` SELECT COUNT(*) FROM chain WHERE id = ?`, managerID, employeeID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("management chain: %w", err)
	}
	return n > 0, nil
}
