package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// adminPersonDeactivateForm asks HR to confirm a deactivation, saying what
// it will do.
func (s *Server) adminPersonDeactivateForm(c echo.Context) error {
	return s.personStatusForm(c, true, http.StatusOK, "")
}

// adminPersonReactivateForm asks HR to confirm a reactivation.
func (s *Server) adminPersonReactivateForm(c echo.Context) error {
	return s.personStatusForm(c, false, http.StatusOK, "")
}

// adminPersonDeactivate makes the person inactive, once confirmed: signed
// out, open cycles closed, an audit entry, all in one transaction.
func (s *Server) adminPersonDeactivate(c echo.Context) error {
	return s.changePersonStatus(c, true)
}

// adminPersonReactivate makes the person active again, once confirmed.
func (s *Server) adminPersonReactivate(c echo.Context) error {
	return s.changePersonStatus(c, false)
}

func (s *Server) changePersonStatus(c echo.Context, deactivate bool) error {
	emp, err := s.personFromPath(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		what := "reactivate"
		if deactivate {
			what = "deactivate"
		}
		return s.personStatusForm(c, deactivate, http.StatusUnprocessableEntity, "Tick the box to confirm that you want to "+what+" "+emp.FullName()+".")
	}
	ctx, now, by := c.Request().Context(), s.Clock.Now(), peopleActor(c)
	done := "reactivated"
	if deactivate {
		done = "deactivated"
		_, err = s.Staff.Deactivate(ctx, by, emp.ID, now)
	} else {
		_, err = s.Staff.Reactivate(ctx, by, emp.ID, now)
	}
	// A refusal (already active or inactive, oneself, the last HR admin)
	// is shown on the confirmation page, with its code's status.
	if code := apperr.CodeOf(err); code == apperr.Conflict {
		return s.personStatusForm(c, deactivate, statusOf(code), peopleSentence(apperr.MessageOf(err)))
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, personURL(emp.ID)+"?done="+done)
}

// personStatusForm renders the confirmation, with problem when the last
// attempt did not go ahead.
func (s *Server) personStatusForm(c echo.Context, deactivate bool, status int, problem string) error {
	ctx := c.Request().Context()
	emp, err := s.personFromPath(c)
	if err != nil {
		return err
	}
	v := views.PersonStatusView{ID: emp.ID, Name: emp.FullName(), Email: emp.Email, Deactivate: deactivate, Problem: problem}
	if v.Problem == "" {
		switch {
		case deactivate && !emp.Active():
			v.Problem = peopleSentence(people.ErrAlreadyInactive.Error())
		case !deactivate && emp.Active():
			v.Problem = peopleSentence(people.ErrAlreadyActive.Error())
		case deactivate && emp.ID == peopleActor(c).ID:
			v.Problem = peopleSentence(people.ErrDeactivateSelf.Error())
		}
	}
	if deactivate {
		n, err := s.People.ActiveReports(ctx, emp.ID)
		if err != nil {
			return err
		}
		v.Reports = int(n)
		if v.OpenCycles, err = s.Cycles.OpenCycleCount(ctx, emp.ID); err != nil {
			return err
		}
	}
	title := "Reactivate " + emp.FullName()
	if deactivate {
		title = "Deactivate " + emp.FullName()
	}
	if v.Problem != "" {
		title = "Error: " + title
	}
	return render(c, status, views.AdminPersonStatus(s.page(c, title, "admin"), v))
}

// peopleSentence capitalises an error's text and ends it with a full stop.
func peopleSentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	return s + "."
}
