package people

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// ImportStaff applies a staff plan the way every entry point does (the
// command line, HR's import page and the API): in batches of short
// transactions (see Apply), each batch's people get the assignment rules
// applied again (engine.EvaluateTx) and their report standings brought up
// to date (report.RefreshEmployees) in the batch's own transaction, and one
// audit entry records the whole import at the end. claim, when not nil,
// runs before anything is written (an error stops the import with nothing
// written). It returns what Apply did and what the rules did, summed over
// the batches.
func ImportStaff(ctx context.Context, d *db.DB, engine *compliance.Engine, plan *StaffPlan, src ImportSource,
	now time.Time, claim func(tx *gorm.DB) error) (*StaffResult, compliance.EvalResult, error) {
	var assigned compliance.EvalResult
	if engine == nil {
		engine = &compliance.Engine{DB: d}
	}
	var also func(tx *gorm.DB, now time.Time, ids []string) error
	if claim != nil {
		also = func(tx *gorm.DB, _ time.Time, _ []string) error { return claim(tx) }
	}
	FollowStaffImport(plan, src, func(tx *gorm.DB, now time.Time, ids []string) error {
		r, err := engine.EvaluateTx(tx, now, ids)
		if err != nil {
			return err
		}
		assigned.Assigned += r.Assigned
		assigned.Closed += r.Closed
		assigned.NewMatches += r.NewMatches
		return report.RefreshEmployees(tx, now, ids)
	}, also)
	res, err := Apply(ctx, d, plan, now)
	if err != nil {
		return nil, assigned, err
	}
	return res, assigned, nil
}
