package learning

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
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
