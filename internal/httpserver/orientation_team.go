package httpserver

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/web/views"
)

// teamSessionsURL is the manager's page of the team's sessions.
const teamSessionsURL = "/team/sessions"

// teamSessions shows a manager who in their team is booked on which
// session, waiting, attended or not (sessions of the last 90 days and
// upcoming), and lets them book a team member on an upcoming session.
func (s *Server) teamSessions(c echo.Context) error {
	ctx := c.Request().Context()
	me := viewerOf(c).Employee
	now := s.Clock.Now()
	team, err := s.Orientation.TeamOf(ctx, me.ID, now.AddDate(0, 0, -90))
	if err != nil {
		return err
	}
	upcoming, err := s.Orientation.List(ctx, orientation.Filter{From: now, Scheduled: true})
	if err != nil {
		return err
	}
	v := views.TeamSessionsView{}
	for _, m := range team.Members {
		v.Members = append(v.Members, views.Option{Value: m.Email, Label: m.FullName() + " (" + m.JobTitle + ")"})
	}
	for _, pb := range team.Bookings {
		b, se := pb.Booking, pb.Session
		row := views.TeamBookingRow{
			SessionID: se.ID, EmployeeID: b.EmployeeID, Name: b.EmployeeName, JobTitle: b.JobTitle,
			Session: s.Orientation.Title(se), When: se.When(), Where: se.Where(), Upcoming: se.StartsAt.After(now) && !se.Cancelled(),
		}
		switch {
		case se.Cancelled():
			row.Status = "Session cancelled"
		case b.Status == orientation.StatusWaitlisted:
			row.Status = "On the wait-list"
		case b.Attendance != "":
			row.Status = capitalise(orientation.AttendanceWords(b))
			row.Attended = b.Attendance == orientation.Attended
		case row.Upcoming:
			row.Status = "Booked"
		default:
			row.Status = "Booked; attendance not taken"
		}
		v.Bookings = append(v.Bookings, row)
	}
	for _, l := range upcoming {
		if l.StartsAt.After(now) {
			r := s.sessionRow(l)
			r.URL = "" // the roster is the trainer's and HR's
			v.Upcoming = append(v.Upcoming, r)
		}
	}
	p := s.page(c, "My team's sessions", "team")
	switch c.QueryParam("done") {
	case orientation.StatusBooked:
		p.Flash = "Booked. They get the invitation by e-mail."
	case orientation.StatusWaitlisted:
		p.Flash = "The session is full: they are on its wait-list, and move up on their own if a place opens."
	case "cancelled":
		p.Flash = "Their place is cancelled, and they are told by e-mail."
	}
	noStore(c)
	return render(c, http.StatusOK, views.TeamSessions(p, v))
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
