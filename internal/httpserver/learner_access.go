package httpserver

import (
	"context"

	"github.com/onramp-lms/onramp/internal/people"
)

// maySeePerson reports whether viewer may see personID's training records:
// the person themself, anyone up their manager chain (people.Store.Manages),
// or an HR admin.
func (s *Server) maySeePerson(ctx context.Context, viewer *people.Employee, personID string) (bool, error) {
	if viewer == nil {
		return false, nil
	}
	if viewer.ID == personID || viewer.Can(people.RoleHRAdmin) {
		return true, nil
	}
	return s.People.Manages(ctx, viewer.ID, personID)
}
