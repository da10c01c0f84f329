package orientation

import (
	"context"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// Team is what a manager sees of their team's classroom sessions.
type Team struct {
	// Members are the active people below the manager, by name (at most
	// MaxTeam): those the manager may book.
	Members []*people.Employee
	// Bookings are the team's places and wait-list places on sessions
	// ending at or after the day asked for, by session start then name.
	Bookings []PersonBooking
}

// MaxTeam bounds the members and bookings a team page lists.
const MaxTeam = 1000

// TeamOf returns the people below managerID (directly or through others)
// and their bookings on sessions that end at or after since: who is booked
// where and when, waiting, attended or not. Three queries.
func (s *Service) TeamOf(ctx context.Context, managerID string, since time.Time) (*Team, error) {
	q := s.DB.WithContext(ctx)
	t := &Team{}
	if err := q.Raw(report.ChainCTE+`SELECT e.* FROM employees e WHERE e.id IN (SELECT id FROM chain) AND e.status = ?
		ORDER BY e.last_name, e.first_name, e.id LIMIT ?`, managerID, people.StatusActive, MaxTeam).Scan(&t.Members).Error; err != nil {
		return nil, fmt.Errorf("load the team: %w", err)
	}
	var bs []*Booking
	if err := q.Raw(report.ChainCTE+`SELECT b.* FROM session_bookings b JOIN training_sessions s ON s.id = b.session_id
		WHERE b.employee_id IN (SELECT id FROM chain) AND b.status IN ? AND s.ends_at >= ?
		ORDER BY s.starts_at, b.employee_name, b.id LIMIT ?`, managerID, []string{StatusBooked, StatusWaitlisted}, since, MaxTeam).Scan(&bs).Error; err != nil {
		return nil, fmt.Errorf("load the team's bookings: %w", err)
	}
	if len(bs) == 0 {
		return t, nil
	}
	ids := make([]string, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.SessionID)
	}
	var sessions []*Session
	if err := q.Where("id IN ?", ids).Find(&sessions).Error; err != nil {
		return nil, fmt.Errorf("load sessions: %w", err)
	}
	byID := map[string]*Session{}
	for _, se := range sessions {
		byID[se.ID] = se
	}
	for _, b := range bs {
		if se := byID[b.SessionID]; se != nil {
			t.Bookings = append(t.Bookings, PersonBooking{Booking: b, Session: se})
		}
	}
	return t, nil
}
