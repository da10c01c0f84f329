package learning

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// Service records progress, attempts, attestations and completions.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Catalog *catalog.Catalog
	Cycles  *compliance.Store
	People  *people.Store
	// Rand draws quiz questions and shuffles options. Nil means a randomly
	// seeded source; tests set a seeded one to be deterministic.
	Rand *rand.Rand
	// Notifier is told of completions, inside the completing transaction,
	// so the confirmation e-mail is written with it. Nil sends nothing.
	Notifier compliance.Notifier
	// Mail composes the e-mails about quiz attempts (granted, used up),
	// queued in the transaction that causes them. Nil sends none.
	Mail *notify.Renderer

	randMu sync.Mutex
}

// shuffle runs fn with the service's random source, one caller at a time
// (a *rand.Rand is not safe for concurrent use).
func (s *Service) shuffle(fn func(r *rand.Rand)) {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if s.Rand == nil {
		s.Rand = rand.New(rand.NewChaCha8(seed()))
	}
	fn(s.Rand)
}

// AttemptsOf lists a person's quiz attempts, oldest first, through their
// employee index.
func (s *Service) AttemptsOf(ctx context.Context, employeeID string) ([]*QuizAttempt, error) {
	var out []*QuizAttempt
	if err := s.DB.WithContext(ctx).Where("employee_id = ?", employeeID).Order("started_at, number").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load quiz attempts: %w", err)
	}
	return out, nil
}

// AttestationsOf lists a person's signed attestations, oldest first.
func (s *Service) AttestationsOf(ctx context.Context, employeeID string) ([]*Attestation, error) {
	var out []*Attestation
	if err := s.DB.WithContext(ctx).Where("employee_id = ?", employeeID).Order("signed_at").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load attestations: %w", err)
	}
	return out, nil
}
