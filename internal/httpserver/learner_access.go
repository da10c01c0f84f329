package httpserver

import (
	"context"
	"errors"

	"github.com/onramp-lms/onramp/internal/people"
)

// maxManagerDepth bounds the walk up the manager chain, so a loop in the
// HR data cannot hang a request.
const maxManagerDepth = 32

// maySeePerson reports whether viewer may see personID's training records:
// the person themself, anyone up their manager chain, or an HR admin.
func (s *Server) maySeePerson(ctx context.Context, viewer *people.Employee, personID string) (bool, error) {
	if viewer == nil {
		return false, nil
	}
	if viewer.ID == personID || viewer.Can(people.RoleHRAdmin) {
		return true, nil
	}
	id := personID
	for range maxManagerDepth {
		emp, err := s.People.ByID(ctx, id)
		if errors.Is(err, people.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if emp.ManagerID == nil || *emp.ManagerID == "" {
			return false, nil
		}
		if *emp.ManagerID == viewer.ID {
			return true, nil
		}
		id = *emp.ManagerID
	}
	return false, nil
}
