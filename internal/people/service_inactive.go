package people

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
)

// CreateInactive adds an employee from d who is inactive from the start:
// an account an identity provider creates disabled (a starter provisioned
// before their first day). Like Create it validates d (*DetailsError),
// runs the follow-ups and writes the audit entry in one transaction; being
// inactive, they are assigned nothing and sent nothing until Reactivate.
func (s *Service) CreateInactive(ctx context.Context, by Actor, d Details, now time.Time) (*Employee, error) {
	var created *Employee
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		e, err := checkDetails(tx, d, nil)
		if err != nil {
			return err
		}
		e.ID, e.Status, e.DeactivatedAt = "", StatusInactive, &now
		if err := Create(tx, e, now); err != nil {
			return err
		}
		if _, err := s.follow(tx, now, []string{e.ID}); err != nil {
			return err
		}
		created = e
		return audit.Record(tx, audit.Event{
			At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionCreate, EntityType: "employee", EntityID: e.ID,
			Summary: fmt.Sprintf("Added %s as %s, inactive.", describe(e), roleWords(e.Role)),
			Details: map[string]any{"details": detailChanges(&Employee{}, e, managerEmails(tx)), "status": StatusInactive},
		})
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}
