package learning

import (
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
