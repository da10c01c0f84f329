package httpserver

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// learnerDashboard lists what the learner must do: overdue first, then by
// due date, finished courses last.
func (s *Server) learnerDashboard(c echo.Context) error {
	emp := viewerOf(c).Employee
	cards, err := s.courseCards(c.Request().Context(), emp)
	if err != nil {
		return err
	}
	// The first HR admin of a new installation has no training and no
	// staff yet: the HR overview, with its getting-started list, is where
	// to begin.
	if len(cards) == 0 && emp.Can(people.RoleHRAdmin) {
		empty, err := s.People.OnlyHR(c.Request().Context())
		if err != nil {
			return err
		}
		if empty {
			return c.Redirect(http.StatusSeeOther, "/admin")
		}
	}
	noStore(c)
	return render(c, http.StatusOK, views.LearnerDashboard(s.page(c, "Your training", "learn"), views.DashboardView{FirstName: emp.FirstName, Cards: cards}))
}

// courseCards builds a card for each of the employee's current cycles.
func (s *Server) courseCards(ctx context.Context, emp *people.Employee) ([]views.CourseCard, error) {
	cycles, err := s.Cycles.Current(ctx, emp.ID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	type ranked struct {
		card views.CourseCard
		rank int
		due  time.Time
	}
	var list []ranked
	for _, cy := range cycles {
		if cy.Status == compliance.StatusClosed {
			continue
		}
		j, err := s.Learning.JourneyForCycle(ctx, emp, cy)
		if err != nil {
			return nil, err
		}
		var cert *learning.Certificate
		if cy.Status == compliance.StatusCompleted {
			if cert, err = s.Learning.CertificateForCycle(ctx, cy.ID); err != nil {
				return nil, err
			}
		}
		rank := 1
		switch {
		case cy.Overdue(now):
			rank = 0
		case cy.Done() || cy.Status == compliance.StatusExpired:
			rank = 2
		}
		list = append(list, ranked{card: courseCard(j, cert, now), rank: rank, due: cy.DueAt})
	}
	sort.SliceStable(list, func(a, b int) bool {
		if list[a].rank != list[b].rank {
			return list[a].rank < list[b].rank
		}
		return list[a].due.Before(list[b].due)
	})
	cards := make([]views.CourseCard, len(list))
	for i, r := range list {
		cards[i] = r.card
	}
	return cards, nil
}

// WaitingLabel is the status of a course whose quiz has no attempts left.
const WaitingLabel = "Waiting for another attempt"

// courseCard describes one cycle in words: status, dates, progress and
// the one thing to do next.
func courseCard(j *learning.Journey, cert *learning.Certificate, now time.Time) views.CourseCard {
	cy := j.Cycle
	card := views.CourseCard{CourseID: cy.CourseID, Title: cy.CourseID, Derivation: cy.Derivation}
	if j.Course != nil {
		card.Title, card.Summary, card.URL = j.Course.Title, j.Course.Summary, courseURL(j.Course.ID)
		card.Done, card.Total = j.Counts()
		card.Minutes = j.Course.Minutes(cy.Path == compliance.PathRefresher)
		if cy.Path == compliance.PathRefresher {
			card.Cycle = j.Course.RefresherLabel()
		}
	}
	due := formatDay(cy.DueAt)
	status := cy.DisplayStatus(now)
	card.Status = string(status)
	switch status {
	case compliance.StatusOverdue:
		card.Badge, card.When = compliance.StatusLabel(status), "Was due "+due
	case compliance.StatusInProgress:
		card.Badge, card.When = compliance.StatusLabel(status), "Due "+due
		if card.Done == 0 {
			// Opened but nothing done yet: honestly not started.
			card.Badge = compliance.StatusLabel(compliance.StatusOpen)
		}
	case compliance.StatusOpen:
		card.Badge = "Due " + due
	case compliance.StatusUpcoming:
		card.Badge, card.When = "Not open yet", "Opens "+formatDay(cy.WindowOpensAt)+", due "+due
	case compliance.StatusCompleted:
		card.Badge = compliance.StatusLabel(status)
		if cy.ExpiresAt != nil {
			card.Badge += " — expires " + formatDay(*cy.ExpiresAt)
		}
		card.When = "Completed " + formatDayPtr(cy.CompletedAt)
	case compliance.StatusExempt:
		card.Badge = compliance.StatusLabel(status)
	case compliance.StatusExpired:
		card.Badge = compliance.StatusLabel(status)
		if cy.ExpiresAt != nil {
			card.When = "Expired " + formatDay(*cy.ExpiresAt)
		}
	default:
		card.Badge = compliance.StatusLabel(status)
	}
	if cert != nil {
		card.CertificateURL = certificateURL(cert.Code)
	}
	if j.Course == nil {
		return card
	}
	if stuck := j.Stuck(); len(stuck) > 0 && !j.ReadOnly() {
		// Every attempt at a quiz is used: nothing to continue until HR
		// or the manager grants another.
		card.Waiting = true
		card.Badge = WaitingLabel
		card.ActionText = "See your attempts"
		card.ActionURL = stepURL(j.Course.ID, stuck[0].ModuleID, stuck[0].StepID)
		return card
	}
	switch {
	case cy.Done() || j.ReadOnly():
		card.ActionText, card.ActionURL = "Review", card.URL
	case !j.Started():
		card.ActionText = "Start"
	default:
		card.ActionText = "Continue"
	}
	if card.ActionURL == "" {
		card.ActionURL = card.URL
		if m, _ := j.Resume(); m != nil {
			card.ActionURL = moduleURL(j.Course.ID, m.ID)
		}
	}
	return card
}
