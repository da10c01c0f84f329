package compliance

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// CycleChange is an extension or exemption, kept as history with its reason.
type CycleChange struct {
	ID        string
	CycleID   string
	Kind      string
	OldDueAt  *time.Time
	NewDueAt  *time.Time
	EndsAt    *time.Time
	Reason    string
	ChangedBy string
	CreatedAt time.Time
}

// TableName tells GORM the table.
func (CycleChange) TableName() string { return "cycle_changes" }

// ErrNotOpen is returned when a cycle cannot be extended or exempted because
// it needs nothing more from the learner.
var ErrNotOpen = apperr.New(apperr.Conflict, "this cycle is already completed, exempt or closed")

// Extend moves an open cycle's due date to newDue, recording the reason.
// Reminders start again from the new date.
func Extend(tx *gorm.DB, cycleID string, newDue time.Time, reason, by string, now time.Time) (*Cycle, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Field("reason", "Give a reason for the extension.")
	}
	var c Cycle
	if err := tx.Where("id = ?", cycleID).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("load cycle %s: %w", cycleID, err)
	}
	if c.Done() || c.Status == StatusExpired {
		return nil, ErrNotOpen
	}
	newDue = Day(newDue)
	if !newDue.After(c.DueAt) {
		return nil, apperr.Field("due", fmt.Sprintf("The new due date, %s, must be after the current one, %s.", FormatDay(newDue), FormatDay(c.DueAt)))
	}
	old := c.DueAt
	status := c.Status
	if status == StatusOverdue && !newDue.Before(Day(now)) {
		status = StatusOpen
		if c.StartedAt != nil {
			status = StatusInProgress
		}
	}
	why := fmt.Sprintf("due %s: extended from %s (%s)", FormatDay(newDue), FormatDay(old), reason)
	if c.Derivation != "" {
		why += "; before that, " + c.Derivation
	}
	if err := tx.Model(&c).Updates(map[string]any{
		"due_at": newDue, "status": status, "reminder_stage": "", "derivation": why, "updated_at": now,
	}).Error; err != nil {
		return nil, fmt.Errorf("extend cycle: %w", err)
	}
	ch := &CycleChange{ID: db.NewID(), CycleID: c.ID, Kind: "extension", OldDueAt: &old, NewDueAt: &newDue, Reason: reason, ChangedBy: by, CreatedAt: now}
	if err := tx.Create(ch).Error; err != nil {
		return nil, fmt.Errorf("record extension: %w", err)
	}
	c.DueAt, c.Status, c.ReminderStage, c.Derivation = newDue, status, "", why
	return &c, nil
}

// Exempt excuses an open cycle, until a date or for good, recording the
// reason. When until passes, the next pass starts a fresh cycle.
func Exempt(tx *gorm.DB, cycleID, reason string, until *time.Time, by string, now time.Time) (*Cycle, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Field("reason", "Give a reason for the exemption.")
	}
	var c Cycle
	if err := tx.Where("id = ?", cycleID).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("load cycle %s: %w", cycleID, err)
	}
	if c.Done() || c.Status == StatusExpired {
		return nil, ErrNotOpen
	}
	if until != nil {
		u := Day(*until)
		if !u.After(Day(now)) {
			return nil, fmt.Errorf("the exemption's end date %s must be in the future", FormatDay(u))
		}
		until = &u
	}
	why := "exempt: " + reason
	if until != nil {
		why = fmt.Sprintf("exempt until %s: %s", FormatDay(*until), reason)
	}
	if err := tx.Model(&c).Updates(map[string]any{
		"status": StatusExempt, "exempt_until": until, "derivation": why, "updated_at": now,
	}).Error; err != nil {
		return nil, fmt.Errorf("exempt cycle: %w", err)
	}
	ch := &CycleChange{ID: db.NewID(), CycleID: c.ID, Kind: "exemption", EndsAt: until, Reason: reason, ChangedBy: by, CreatedAt: now}
	if err := tx.Create(ch).Error; err != nil {
		return nil, fmt.Errorf("record exemption: %w", err)
	}
	c.Status, c.ExemptUntil, c.Derivation = StatusExempt, until, why
	return &c, nil
}
