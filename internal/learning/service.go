package learning

import (
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Service records progress, attempts, attestations and completions.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Catalog *catalog.Catalog
	Cycles  *compliance.Store
	People  *people.Store
}
