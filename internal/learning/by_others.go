package learning

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// CompleteByOthers completes steps that someone other than the learner
// records (catalog.StepType.ByOthers: a trainer's attendance, an observer's
// sign-off) inside the caller's transaction, and completes the course when
// they were the last required steps. It works on the person's current
// cycle of the course; ErrNotAssigned when there is none, ErrCycleClosed
// when it takes no records.
func (s *Service) CompleteByOthers(tx *gorm.DB, emp *people.Employee, courseID string, steps []StepRef, now time.Time) (Outcome, error) {
	course := s.Catalog.Course(courseID)
	if course == nil {
		return Outcome{}, ErrNotAssigned
	}
	var cy compliance.Cycle
	err := tx.Where("employee_id = ? AND course_id = ?", emp.ID, courseID).Order("number DESC").Take(&cy).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && cy.Status == compliance.StatusClosed) {
		return Outcome{}, ErrNotAssigned
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("load cycle: %w", err)
	}
	prog, err := loadProgress(tx, cy.ID)
	if err != nil {
		return Outcome{}, err
	}
	j := &Journey{Employee: emp, Cycle: &cy, Course: course, Path: course.Path(cy.Path == compliance.PathRefresher), progress: prog}
	if err := j.writable(); err != nil {
		return Outcome{}, err
	}
	for _, ref := range steps {
		if !ref.Step.Type.ByOthers() {
			return Outcome{}, ErrWrongStepType
		}
		if err := markStepDone(tx, j, ref.Module, ref.Step, now); err != nil {
			return Outcome{}, err
		}
	}
	cert, err := s.completeIfDone(tx, j, now)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{StepDone: true, CourseCompleted: cert != nil, Certificate: cert}, nil
}

// CurrentCycleIn returns the person's current, not closed cycle of a
// course read in tx, or ErrNotAssigned.
func CurrentCycleIn(tx *gorm.DB, employeeID, courseID string) (*compliance.Cycle, error) {
	var cy compliance.Cycle
	err := tx.Where("employee_id = ? AND course_id = ?", employeeID, courseID).Order("number DESC").Take(&cy).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && cy.Status == compliance.StatusClosed) {
		return nil, ErrNotAssigned
	}
	if err != nil {
		return nil, fmt.Errorf("load cycle: %w", err)
	}
	return &cy, nil
}

// StepsOfType lists the steps of a type in the given modules, in order.
func StepsOfType(modules []*catalog.Module, t catalog.StepType) []StepRef {
	var out []StepRef
	for _, m := range modules {
		for _, st := range m.Steps {
			if st.Type == t {
				out = append(out, StepRef{Module: m, Step: st})
			}
		}
	}
	return out
}

// UndoByOthers takes back steps someone other than the learner recorded
// (a trainer who ticked the wrong name, then marks the person a no-show)
// inside the caller's transaction. The steps go back to in progress in the
// person's current cycle; when that cycle was completed through its steps
// (it has a certificate) it is open again: the completion, expiry and
// certificate are withdrawn, with an audit entry, and the person's report
// rows are refreshed (report.RefreshEmployees, which calls report.Changed).
// Steps that were not completed are left alone; ErrNotAssigned when there
// is no current cycle, ErrCycleClosed when it takes no records. It reports
// whether the course's completion was withdrawn.
func (s *Service) UndoByOthers(tx *gorm.DB, actor, emp *people.Employee, courseID string, steps []StepRef, now time.Time, why string) (bool, error) {
	course := s.Catalog.Course(courseID)
	if course == nil {
		return false, ErrNotAssigned
	}
	cy, err := CurrentCycleIn(tx, emp.ID, courseID)
	if err != nil {
		return false, err
	}
	j := &Journey{Employee: emp, Cycle: cy, Course: course, Path: course.Path(cy.Path == compliance.PathRefresher)}
	if err := j.writable(); err != nil {
		return false, err
	}
	undone := 0
	for _, ref := range steps {
		if !ref.Step.Type.ByOthers() {
			return false, ErrWrongStepType
		}
		res := tx.Model(&StepProgress{}).
			Where("cycle_id = ? AND module_id = ? AND step_id = ? AND status = ?", cy.ID, ref.Module.ID, ref.Step.ID, StepCompleted).
			Updates(map[string]any{"status": StepInProgress, "completed_at": nil, "updated_at": now})
		if res.Error != nil {
			return false, fmt.Errorf("undo step %s/%s: %w", ref.Module.ID, ref.Step.ID, res.Error)
		}
		undone += int(res.RowsAffected)
	}
	if undone == 0 || cy.Status != compliance.StatusCompleted {
		return false, nil
	}
	var cert Certificate
	err = tx.Where("cycle_id = ?", cy.ID).Take(&cert).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Completed another way (an imported completion): that stands.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load certificate: %w", err)
	}
	status := compliance.StatusOpen
	if cy.StartedAt != nil {
		status = compliance.StatusInProgress
	}
	derivation := cy.Derivation + "; completion withdrawn " + compliance.FormatDay(now) + " (" + why + ")"
	// Status and expiry change: the cycle's BeforeUpdate hook marks it for
	// the next scheduler pass (reminders, overdue).
	if err := tx.Model(&compliance.Cycle{}).Where("id = ?", cy.ID).Updates(map[string]any{
		"status": status, "completed_at": nil, "expires_at": nil, "course_version_id": nil,
		"derivation": derivation, "updated_at": now,
	}).Error; err != nil {
		return false, fmt.Errorf("reopen cycle: %w", err)
	}
	if err := tx.Where("id = ?", cert.ID).Delete(&Certificate{}).Error; err != nil {
		return false, fmt.Errorf("withdraw certificate: %w", err)
	}
	if err := report.RefreshEmployees(tx, now, []string{emp.ID}); err != nil {
		return false, err
	}
	ev := audit.Event{
		At: now, Action: audit.ActionRevoke, EntityType: "cycle", EntityID: cy.ID,
		Summary: fmt.Sprintf("Withdrew %s's completion of %s (cycle %d) and certificate %s: %s.", emp.FullName(), course.Title, cy.Number, FormatCode(cert.Code), why),
		Details: map[string]any{"course_id": courseID, "certificate_id": cert.ID, "certificate_code": cert.Code,
			"completed_at": cy.CompletedAt, "expires_at": cy.ExpiresAt, "status": string(status)},
	}
	if actor != nil {
		ev.ActorID, ev.ActorName = actor.ID, actor.FullName()
	}
	if err := audit.Record(tx, ev); err != nil {
		return false, err
	}
	return true, nil
}
