package people

import (
	"context"
	"time"
)

// CreateInactive adds an employee from d who is inactive from the start:
// an account an identity provider creates disabled (a starter provisioned
// before their first day). It is Create with SetActive(false): d validated
// (*DetailsError), the follow-ups, the audit entry and opts' writes in one
// transaction; being inactive, they are assigned nothing and sent nothing
// until Reactivate.
func (s *Service) CreateInactive(ctx context.Context, by Actor, d Details, now time.Time, opts ...Option) (*Employee, error) {
	return s.admin().Add(ctx, by, d, now, append(opts, SetActive(false))...)
}
