package httpserver

import (
	"context"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// scimPeople is the people use case SCIM changes people through.
//
// TODO(usecases): replace with people.Service once branch usecases lands.
func (s *Server) scimPeople() scimAdmin { return scimAdmin{Admin: s.peopleAdmin(), store: s.People} }

type scimAdmin struct {
	*people.Admin
	store *people.Store
}

func (a scimAdmin) Create(ctx context.Context, by people.Actor, d people.Details, now time.Time) (*people.Employee, error) {
	return a.Add(ctx, by, d, now)
}

func (a scimAdmin) Details(ctx context.Context, id string) (*people.Employee, people.Details, error) {
	e, err := a.store.ByID(ctx, id)
	if err != nil {
		return nil, people.Details{}, err
	}
	d, err := people.DetailsOf(a.DB.WithContext(ctx), e)
	return e, d, err
}
