package compliance

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// EventNudge is the monthly refresher nudge: one guideline and one
// question, for someone whose completion is valid and whose refresher
// window has not opened yet. Stage is the month ("2026-05").
const EventNudge EventKind = "nudge"

// DefaultNudgeBatch caps the nudges one pass writes, so the first pass of a
// month at 100,000 people spreads over a few minutes instead of one huge
// transaction.
const DefaultNudgeBatch = 2000

// NudgeIndex picks which of n nudges goes out in month for a completion made
// in completed: the first month after completion gets the first nudge, and
// so on round the list.
func NudgeIndex(completed, month time.Time, n int) int {
	if n <= 0 {
		return 0
	}
	months := (month.Year()-completed.Year())*12 + int(month.Month()) - int(completed.Month()) - 1
	if months < 0 {
		months = 0
	}
	return months % n
}

// nudge raises this month's nudge for people whose latest cycle is a valid
// completion made before this month, once per person, course and month.
func (e *Engine) nudge(tx *gorm.DB, now time.Time, res *PassResult) error {
	if !e.Nudges {
		return nil
	}
	month := now.UTC().Format("2006-01")
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	batch := e.NudgeBatch
	if batch <= 0 {
		batch = DefaultNudgeBatch
	}
	var due []*Cycle
	err := latestCycles(tx).Select("c.*").
		Joins("JOIN employees emp ON emp.id = c.employee_id AND emp.status = 'active'").
		Where("c.status = ? AND c.completed_at < ? AND (c.expires_at IS NULL OR c.expires_at >= ?)", StatusCompleted, monthStart, Day(now)).
		Where("NOT EXISTS (SELECT 1 FROM nudge_log n WHERE n.employee_id = c.employee_id AND n.course_id = c.course_id AND n.month = ?)", month).
		Order("c.id").Limit(batch).Find(&due).Error
	if err != nil {
		return fmt.Errorf("find people to nudge: %w", err)
	}
	for _, c := range due {
		if err := tx.Exec("INSERT INTO nudge_log (employee_id, course_id, month, nudge_id, created_at) VALUES (?, ?, ?, ?, ?)",
			c.EmployeeID, c.CourseID, month, "", now).Error; err != nil {
			return fmt.Errorf("record nudge: %w", err)
		}
		res.Nudges++
		if err := notify(e.Notifier, tx, Event{Kind: EventNudge, Stage: month, Cycle: c}, now); err != nil {
			return err
		}
	}
	return nil
}
