package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/web/views"
)

// personProgress shows one person's current courses and certificates to
// them, to their managers up the chain, and to HR; anyone else gets 403.
func (s *Server) personProgress(c echo.Context) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	ok, err := s.maySeePerson(ctx, viewer, c.Param("id"))
	if err != nil {
		return err
	}
	if !ok {
		return errNoAccess
	}
	person, err := s.People.ByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	cards, err := s.courseCards(ctx, person)
	if err != nil {
		return err
	}
	certs, err := s.Learning.Certificates(ctx, person.ID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	v := views.PersonProgressView{
		ID: person.ID, Name: person.FullName(), JobTitle: person.JobTitle, Department: person.Department,
		Self: person.ID == viewer.ID, Cards: cards,
	}
	for _, ct := range certs {
		v.Certificates = append(v.Certificates, views.CertificateRow{
			Course: ct.CourseTitle, Completed: formatDay(ct.CompletedAt), Expires: formatDayPtr(ct.ExpiresAt),
			Valid: !ct.Expired(now), URL: certificateURL(ct.Code),
		})
	}
	if !v.Self {
		// Managers and HR read the dates' reasons about the person.
		for i := range v.Cards {
			v.Cards[i].Derivation = compliance.AboutPerson(v.Cards[i].Derivation, person.FullName())
		}
		may, err := s.Learning.MayGrant(ctx, viewer, person.ID)
		if err != nil {
			return err
		}
		if may {
			stuck, err := s.Learning.StuckFor(ctx, person.ID)
			if err != nil {
				return err
			}
			v.Stuck, v.ProgressURL = stuckItems(stuck), progressURL(person.ID)
		}
	}
	title := person.FullName() + ": training progress"
	if v.Self {
		title = "Your progress"
	}
	p := s.page(c, title, "")
	if c.QueryParam("done") == "granted" {
		p.Flash = personNotice("granted")
	}
	noStore(c)
	return render(c, http.StatusOK, views.PersonProgress(p, v))
}
