package report

import (
	"context"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// CourseSummary counts people by the status of their current cycle in one course.
type CourseSummary struct {
	CourseID string
	Counts   map[compliance.CycleStatus]int
	Total    int
}

// Compliant is how many people are covered: completed or exempt.
func (s CourseSummary) Compliant() int {
	return s.Counts[compliance.StatusCompleted] + s.Counts[compliance.StatusExempt]
}

// Percent is the share of people covered, rounded down; 100 when nobody is assigned.
func (s CourseSummary) Percent() int {
	if s.Total == 0 {
		return 100
	}
	return s.Compliant() * 100 / s.Total
}

// currentStatusSQL gives each active assignment's latest cycle with its
// status as of a day: open or in-progress cycles past due count as overdue,
// and a refresher cycle whose window is open while the previous completion
// is still valid counts as completed (the person is covered until expiry).
const currentStatusSQL = `
SELECT c.employee_id, c.course_id, c.id AS cycle_id, c.due_at, c.expires_at, c.completed_at,
  CASE
    WHEN c.status IN ('open', 'in_progress', 'upcoming') AND c.due_at < ? THEN 'overdue'
    WHEN c.status IN ('open', 'in_progress', 'upcoming') AND c.number > 1 AND EXISTS (
      SELECT 1 FROM cycles p WHERE p.assignment_id = c.assignment_id AND p.number = c.number - 1
        AND p.status = 'completed' AND p.expires_at >= ?) THEN 'completed'
    ELSE c.status
  END AS status
FROM cycles c
JOIN assignments a ON a.id = c.assignment_id AND a.status = 'active'
JOIN employees e ON e.id = c.employee_id AND e.status = 'active'
WHERE c.number = (SELECT MAX(c2.number) FROM cycles c2 WHERE c2.assignment_id = c.assignment_id)`

// CurrentStatus is one person's standing in one course.
type CurrentStatus struct {
	EmployeeID  string
	CourseID    string
	CycleID     string
	Status      compliance.CycleStatus
	DueAt       time.Time
	ExpiresAt   *time.Time
	CompletedAt *time.Time
}

// ByCourse counts everyone's current status per course, as of now.
func ByCourse(ctx context.Context, d *db.DB, now time.Time) ([]CourseSummary, error) {
	today := compliance.Day(now)
	var rows []struct {
		CourseID string
		Status   compliance.CycleStatus
		N        int
	}
	err := d.WithContext(ctx).Raw(`SELECT course_id, status, COUNT(*) AS n FROM (`+currentStatusSQL+`) s GROUP BY course_id, status ORDER BY course_id`, today, today).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("compliance by course: %w", err)
	}
	var out []CourseSummary
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].CourseID != r.CourseID {
			out = append(out, CourseSummary{CourseID: r.CourseID, Counts: map[compliance.CycleStatus]int{}})
		}
		s := &out[len(out)-1]
		s.Counts[r.Status] += r.N
		s.Total += r.N
	}
	return out, nil
}
