package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// learnerAcknowledge records a policy signature: the ticked box and the
// typed full name, with the time, IP and browser. A refused signature
// shows the form again with what to fix (422).
func (s *Server) learnerAcknowledge(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	if l := j.Locked(m, st); l != nil {
		return lockedError(l)
	}
	sig := learning.Signature{
		Agreed:    c.FormValue("agree") != "",
		TypedName: c.FormValue("full_name"),
		IP:        c.RealIP(),
		UserAgent: c.Request().UserAgent(),
	}
	_, _, err = s.Learning.Acknowledge(c.Request().Context(), j, m, st, sig)
	switch {
	case err == nil:
		return redirectSeeOther(c, afterStep(j, m, st))
	case apperr.CodeOf(err) == apperr.Invalid:
		// The box not ticked or the name not matching: the form again,
		// with what to fix next to each field.
		ack := &views.AckPanel{TypedName: sig.TypedName, Agreed: sig.Agreed}
		if !sig.Agreed {
			ack.AgreeError = "Tick the box to confirm you have read and understood the policy."
		}
		if !learning.NamesMatch(sig.TypedName, j.Employee.FullName()) {
			ack.NameError = "The name you typed doesn't match the name on your account (" + j.Employee.FullName() + "). Type your full name exactly as shown."
			if learning.CollapseSpaces(sig.TypedName) == "" {
				ack.NameError = "Type your full name to sign: " + j.Employee.FullName() + "."
			}
		}
		v, verr := s.stepView(c, j, m, st, ack)
		if verr != nil {
			return verr
		}
		noStore(c)
		return render(c, http.StatusUnprocessableEntity, views.LearnerStep(s.page(c, "Fix your signature: "+st.Title, "learn"), v))
	default:
		return err
	}
}
