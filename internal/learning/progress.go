package learning

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// Step progress statuses.
const (
	StepInProgress = "in_progress"
	StepCompleted  = "completed"
)

// StepProgress is one learner's progress through one step in one cycle.
type StepProgress struct {
	ID              string
	CycleID         string
	EmployeeID      string
	ModuleID        string
	StepID          string
	ModuleVersionID string
	Status          string
	StartedAt       time.Time
	CompletedAt     *time.Time
	UpdatedAt       time.Time
}

// TableName tells GORM the table.
func (StepProgress) TableName() string { return "step_progress" }

// Done reports whether the step is completed.
func (p *StepProgress) Done() bool { return p != nil && p.Status == StepCompleted }

type stepKey struct{ module, step string }

func loadProgress(tx *gorm.DB, cycleID string) (map[stepKey]*StepProgress, error) {
	var rows []*StepProgress
	if err := tx.Where("cycle_id = ?", cycleID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load step progress: %w", err)
	}
	m := make(map[stepKey]*StepProgress, len(rows))
	for _, r := range rows {
		m[stepKey{r.ModuleID, r.StepID}] = r
	}
	return m, nil
}

// startStep records that the learner opened a step (once) and starts the
// cycle if this is its first step.
func startStep(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time) (*StepProgress, error) {
	if err := compliance.Start(tx, j.Cycle, now); err != nil {
		return nil, fmt.Errorf("start cycle: %w", err)
	}
	key := stepKey{m.ID, st.ID}
	if p := j.progress[key]; p != nil {
		return p, nil
	}
	var p StepProgress
	err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).Take(&p).Error
	switch {
	case err == nil:
	case errors.Is(err, gorm.ErrRecordNotFound):
		p = StepProgress{
			ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
			ModuleVersionID: m.VersionID, Status: StepInProgress, StartedAt: now, UpdatedAt: now,
		}
		if err := tx.Create(&p).Error; err != nil {
			return nil, fmt.Errorf("start step %s/%s: %w", m.ID, st.ID, err)
		}
	default:
		return nil, fmt.Errorf("load step progress: %w", err)
	}
	j.progress[key] = &p
	return &p, nil
}

// markStepDone completes a step (idempotent) on the module's current version.
func markStepDone(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time) error {
	p, err := startStep(tx, j, m, st, now)
	if err != nil {
		return err
	}
	if p.Done() {
		return nil
	}
	p.Status, p.CompletedAt, p.UpdatedAt, p.ModuleVersionID = StepCompleted, &now, now, m.VersionID
	err = tx.Model(p).Updates(map[string]any{
		"status": p.Status, "completed_at": now, "updated_at": now, "module_version_id": m.VersionID,
	}).Error
	if err != nil {
		return fmt.Errorf("complete step %s/%s: %w", m.ID, st.ID, err)
	}
	return nil
}

// Outcome is what an action led to, so the page can say so and go on.
type Outcome struct {
	// StepDone is true when the step is (now) completed.
	StepDone bool
	// CourseCompleted is true when this action completed the course.
	CourseCompleted bool
	// Certificate is the certificate issued by this action, if any.
	Certificate *Certificate
}

// finishStep marks the step done and completes the course when it was the
// last required step. Called inside the action's transaction.
func (s *Service) finishStep(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time) (Outcome, error) {
	if err := markStepDone(tx, j, m, st, now); err != nil {
		return Outcome{}, err
	}
	cert, err := s.completeIfDone(tx, j, now)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{StepDone: true, CourseCompleted: cert != nil, Certificate: cert}, nil
}

// CompletePage records that the learner read a page step.
func (s *Service) CompletePage(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) (Outcome, error) {
	if st.Type != catalog.StepPage {
		return Outcome{}, ErrWrongStepType
	}
	if err := j.writable(); err != nil {
		return Outcome{}, err
	}
	now := s.Clock.Now()
	var out Outcome
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.finishStep(tx, j, m, st, now)
		return err
	})
	return out, err
}

// OpenStep records that the learner opened a step: the step's progress row
// and the cycle's start.
func (s *Service) OpenStep(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) error {
	if j.writable() != nil || j.progress[stepKey{m.ID, st.ID}] != nil {
		return nil
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		_, err := startStep(tx, j, m, st, now)
		return err
	})
}
