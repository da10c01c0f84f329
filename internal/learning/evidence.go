package learning

import (
	"context"
	"fmt"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// Evidence is everything recorded for one cycle: what an auditor asks to see
// for a completion. The certificate holds the snapshot of who the person
// was; the rest is every record as it was made.
type Evidence struct {
	Cycle *compliance.Cycle
	// Certificate is nil until the cycle is completed.
	Certificate *Certificate
	// Steps carry the module content version each step was completed on.
	Steps []*StepProgress
	// Attempts are in the order they were taken.
	Attempts     []*QuizAttempt
	Videos       []*VideoProgress
	Attestations []*Attestation
}

// Evidence loads every record of a cycle.
func (s *Service) Evidence(ctx context.Context, cycle *compliance.Cycle) (*Evidence, error) {
	ev := &Evidence{Cycle: cycle}
	q := s.DB.WithContext(ctx)
	var err error
	if ev.Certificate, err = s.CertificateForCycle(ctx, cycle.ID); err != nil {
		return nil, err
	}
	if err := q.Where("cycle_id = ?", cycle.ID).Order("started_at, module_id, step_id").Find(&ev.Steps).Error; err != nil {
		return nil, fmt.Errorf("load step progress: %w", err)
	}
	if err := q.Where("cycle_id = ?", cycle.ID).Order("started_at, number, module_id, step_id").Find(&ev.Attempts).Error; err != nil {
		return nil, fmt.Errorf("load quiz attempts: %w", err)
	}
	if err := q.Where("cycle_id = ?", cycle.ID).Order("module_id, step_id").Find(&ev.Videos).Error; err != nil {
		return nil, fmt.Errorf("load video progress: %w", err)
	}
	if err := q.Where("cycle_id = ?", cycle.ID).Order("signed_at").Find(&ev.Attestations).Error; err != nil {
		return nil, fmt.Errorf("load attestations: %w", err)
	}
	return ev, nil
}
