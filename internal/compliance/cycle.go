package compliance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// CycleStatus is where a cycle stands.
type CycleStatus string

// The cycle statuses PRODUCT.md defines, plus closed ("no longer required").
const (
	StatusUpcoming   CycleStatus = "upcoming"
	StatusOpen       CycleStatus = "open"
	StatusInProgress CycleStatus = "in_progress"
	StatusCompleted  CycleStatus = "completed"
	StatusOverdue    CycleStatus = "overdue"
	StatusExpired    CycleStatus = "expired"
	StatusExempt     CycleStatus = "exempt"
	StatusClosed     CycleStatus = "closed"
)

// Path is which route through a course a cycle takes.
type Path string

// The paths.
const (
	PathFull      Path = "full"
	PathRefresher Path = "refresher"
)

// ErrNoCycle is returned when an employee has no current cycle for a course.
var ErrNoCycle = apperr.New(apperr.NotFound, "no current cycle for this course")

// Assignment is one employee × one course.
type Assignment struct {
	ID           string
	EmployeeID   string
	CourseID     string
	RuleID       *string
	Status       string
	CreatedAt    time.Time
	ClosedAt     *time.Time
	ClosedReason string
}

// TableName tells GORM the table.
func (Assignment) TableName() string { return "assignments" }

// Cycle is one period of obligation.
type Cycle struct {
	ID              string
	AssignmentID    string
	EmployeeID      string
	CourseID        string
	Number          int
	Path            Path
	Status          CycleStatus
	WindowOpensAt   time.Time
	DueAt           time.Time
	StartedAt       *time.Time
	CompletedAt     *time.Time
	ExpiresAt       *time.Time
	ClosedAt        *time.Time
	ClosedReason    string
	Derivation      string
	CourseVersionID *string
	// ExemptUntil ends an exemption; nil means it does not end.
	ExemptUntil *time.Time
	// ReminderStage is the last reminder stage enqueued (see Stage), or
	// announced by the message about the new cycle (Engine.announce).
	ReminderStage string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// nextEventAt is the next event of a cycle the engine is about to
	// insert (cycles.next_event_at; see advance.go).
	nextEventAt *time.Time `gorm:"-"`
}

// TableName tells GORM the table.
func (Cycle) TableName() string { return "cycles" }

// Done reports whether the cycle needs nothing more from the learner.
func (c *Cycle) Done() bool {
	return c.Status == StatusCompleted || c.Status == StatusExempt || c.Status == StatusClosed
}

// Overdue reports whether the cycle is past its due day and not done.
func (c *Cycle) Overdue(now time.Time) bool {
	return !c.Done() && !now.Before(Day(c.DueAt).AddDate(0, 0, 1))
}

// DisplayStatus is the status as of now: an open or in-progress cycle past
// its due day shows as overdue even before the scheduler has marked it.
func (c *Cycle) DisplayStatus(now time.Time) CycleStatus {
	if c.Overdue(now) && (c.Status == StatusOpen || c.Status == StatusInProgress) {
		return StatusOverdue
	}
	return c.Status
}

// Assign creates the assignment (if new) and an open first cycle inside tx.
// It returns the existing current cycle when the employee already has one.
func Assign(tx *gorm.DB, employeeID, courseID string, now, due time.Time, why string) (*Cycle, error) {
	var a Assignment
	err := tx.Where("employee_id = ? AND course_id = ?", employeeID, courseID).Take(&a).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		a = Assignment{ID: db.NewID(), EmployeeID: employeeID, CourseID: courseID, Status: "active", CreatedAt: now}
		if err := tx.Create(&a).Error; err != nil {
			return nil, fmt.Errorf("create assignment: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("load assignment: %w", err)
	default:
		var cur Cycle
		err := tx.Where("assignment_id = ?", a.ID).Order("number DESC").Take(&cur).Error
		if err == nil && !cur.Done() {
			return &cur, nil
		}
	}
	var n int64
	if err := tx.Model(&Cycle{}).Where("assignment_id = ?", a.ID).Select("COALESCE(MAX(number), 0)").Scan(&n).Error; err != nil {
		return nil, err
	}
	c := &Cycle{
		ID: db.NewID(), AssignmentID: a.ID, EmployeeID: employeeID, CourseID: courseID,
		Number: int(n) + 1, Path: PathFull, Status: StatusOpen,
		WindowOpensAt: now, DueAt: Day(due), Derivation: why, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(c).Error; err != nil {
		return nil, fmt.Errorf("create cycle: %w", err)
	}
	return c, nil
}

// Store reads cycles.
type Store struct {
	DB *db.DB
}

// Current returns each of the employee's active assignments' latest cycle,
// overdue first, then by due date.
func (s *Store) Current(ctx context.Context, employeeID string) ([]*Cycle, error) {
	var cycles []*Cycle
	err := s.DB.WithContext(ctx).Raw(`
		SELECT c.* FROM cycles c
		JOIN assignments a ON a.id = c.assignment_id
		WHERE c.employee_id = ? AND a.status = 'active'
		  AND c.number = (SELECT MAX(number) FROM cycles c2 WHERE c2.assignment_id = c.assignment_id)
		ORDER BY c.due_at, c.course_id`, employeeID).Scan(&cycles).Error
	if err != nil {
		return nil, fmt.Errorf("load current cycles: %w", err)
	}
	return cycles, nil
}

// CurrentFor returns the employee's current cycle for one course.
func (s *Store) CurrentFor(ctx context.Context, employeeID, courseID string) (*Cycle, error) {
	var c Cycle
	err := s.DB.WithContext(ctx).
		Where("employee_id = ? AND course_id = ?", employeeID, courseID).
		Order("number DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoCycle
	}
	if err != nil {
		return nil, fmt.Errorf("load cycle: %w", err)
	}
	return &c, nil
}

// ByID returns one cycle.
func (s *Store) ByID(ctx context.Context, id string) (*Cycle, error) {
	var c Cycle
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoCycle
	}
	return &c, err
}

// History returns every cycle of the employee for a course, newest first.
func (s *Store) History(ctx context.Context, employeeID, courseID string) ([]*Cycle, error) {
	var cs []*Cycle
	err := s.DB.WithContext(ctx).Where("employee_id = ? AND course_id = ?", employeeID, courseID).
		Order("number DESC").Find(&cs).Error
	return cs, err
}

// Start marks an open cycle in progress the first time the learner works on it.
func Start(tx *gorm.DB, c *Cycle, now time.Time) error {
	if c.StartedAt != nil || c.Done() {
		return nil
	}
	c.StartedAt = &now
	if c.Status == StatusOpen {
		c.Status = StatusInProgress
	}
	c.UpdatedAt = now
	return tx.Model(c).Updates(map[string]any{"started_at": now, "status": c.Status, "updated_at": now}).Error
}

// Complete records a cycle's completion on courseVersionID at time at, and
// derives its expiry from rec (none when the course does not recur).
func Complete(tx *gorm.DB, c *Cycle, at time.Time, rec Recurrence, courseVersionID string) error {
	if c.Status == StatusCompleted {
		return nil
	}
	c.CompletedAt = &at
	c.Status = StatusCompleted
	c.CourseVersionID = &courseVersionID
	c.UpdatedAt = at
	why := fmt.Sprintf("completed %s", FormatDay(at))
	if exp, expWhy, ok := rec.Expiry(c.DueAt, at); ok {
		c.ExpiresAt = &exp
		why = expWhy
	}
	if c.Derivation != "" {
		c.Derivation += "; " + why
	} else {
		c.Derivation = why
	}
	res := tx.Model(c).Where("status <> ?", StatusCompleted).Updates(map[string]any{
		"completed_at": at, "status": c.Status, "course_version_id": courseVersionID,
		"expires_at": c.ExpiresAt, "derivation": c.Derivation, "updated_at": at,
	})
	if res.Error != nil {
		return fmt.Errorf("complete cycle: %w", res.Error)
	}
	return nil
}
