package report

import (
	"context"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
)

// Status is a person's standing in one course as people understand it. It
// is derived from the current cycle (see Refresh) and is not the same thing
// as a cycle's status: a refresher that is open while the previous
// completion is still valid counts as completed, and a refresher past its
// due date counts as expired.
type Status string

// The standings, in the order reports list them.
const (
	StatusCompleted  Status = "completed"
	StatusInProgress Status = "in_progress"
	StatusNotStarted Status = "not_started"
	StatusOverdue    Status = "overdue"
	StatusExpired    Status = "expired"
	StatusExempt     Status = "exempt"
)

// Statuses lists every standing in report order.
var Statuses = []Status{StatusCompleted, StatusExempt, StatusInProgress, StatusNotStarted, StatusOverdue, StatusExpired}

// Label is the status in words, for pages and spreadsheets.
func (s Status) Label() string {
	switch s {
	case StatusCompleted:
		return "Completed"
	case StatusInProgress:
		return "In progress"
	case StatusNotStarted:
		return "Not started"
	case StatusOverdue:
		return "Overdue"
	case StatusExpired:
		return "Expired"
	case StatusExempt:
		return "Exempt"
	}
	return string(s)
}

// NeedsAttention reports whether someone in this standing is past a due date.
func (s Status) NeedsAttention() bool { return s == StatusOverdue || s == StatusExpired }

func (s Status) valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Counts is how many people stand where.
type Counts map[Status]int

// Total is everyone counted.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Compliant is how many people are covered: completed or exempt.
func (c Counts) Compliant() int { return c[StatusCompleted] + c[StatusExempt] }

// Percent is the share of people covered, rounded down; 100 when nobody is assigned.
func (c Counts) Percent() int {
	if c.Total() == 0 {
		return 100
	}
	return c.Compliant() * 100 / c.Total()
}

// CourseSummary counts people by standing in one course.
type CourseSummary struct {
	CourseID string
	Title    string
	Counts   Counts
}

// ByCourse counts everyone's standing per course, from compliance_status,
// ordered by course title.
func ByCourse(ctx context.Context, d *db.DB) ([]CourseSummary, error) {
	var rows []struct {
		CourseID string
		Title    string
		Status   Status
		N        int
	}
	err := d.WithContext(ctx).Raw(`
		SELECT s.course_id, COALESCE(co.title, s.course_id) AS title, s.status, s.n
		FROM (SELECT course_id, status, CAST(SUM(people) AS BIGINT) AS n FROM ` + countsSource + ` k GROUP BY course_id, status) s
		LEFT JOIN courses co ON co.id = s.course_id
		ORDER BY title, s.course_id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("compliance by course: %w", err)
	}
	var out []CourseSummary
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].CourseID != r.CourseID {
			out = append(out, CourseSummary{CourseID: r.CourseID, Title: r.Title, Counts: Counts{}})
		}
		out[len(out)-1].Counts[r.Status] += r.N
	}
	return out, nil
}

// CurrentStatus is one person's standing in one course, as kept in
// compliance_status.
type CurrentStatus struct {
	EmployeeID  string
	CourseID    string
	CourseTitle string
	CycleID     string
	Status      Status
	DueAt       time.Time
	CompletedAt *time.Time
	ExpiresAt   *time.Time
}
