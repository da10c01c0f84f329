package httpserver

import (
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/web/views"
)

// forgotAnswerTime is how long every accepted "forgot your password"
// request takes to answer at least, whether a link was made and queued or
// nothing was done, so the time does not tell which addresses exist.
const forgotAnswerTime = 400 * time.Millisecond

// forgotForm asks for the e-mail address to send a reset link to.
func (s *Server) forgotForm(c echo.Context) error {
	noStore(c)
	return render(c, http.StatusOK, views.ForgotPage(s.page(c, "Forgot your password?", ""), views.ForgotView{}))
}

// forgot sends a reset link to the address when it belongs to an active
// person, through the outbox, and answers the same page whatever the
// address (only a client asking too often is told to wait).
func (s *Server) forgot(c echo.Context) error {
	noStore(c)
	start := time.Now()
	email := strings.TrimSpace(c.FormValue("email"))
	view := views.ForgotView{Email: email}
	if email == "" {
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "Enter the e-mail address you sign in with."}}
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "Enter an e-mail address like name@hospital.example."}}
	}
	if len(view.Problems) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.ForgotPage(s.page(c, "Error: Forgot your password?", ""), view))
	}
	ctx := c.Request().Context()
	err := s.Accounts.RequestPasswordReset(ctx, email, c.RealIP())
	if apperr.CodeOf(err) == apperr.TooMany {
		view.Problems = []views.AuthProblem{{FieldID: "email", FormLevel: true,
			Message: "There have been too many requests from your connection. Wait 15 minutes and try again, or ask your HR team for a set-password link."}}
		return render(c, http.StatusTooManyRequests, views.ForgotPage(s.page(c, "Error: Forgot your password?", ""), view))
	}
	if err != nil {
		return err
	}
	if err := s.Auth.PadTo(ctx, start, forgotAnswerTime); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ForgotSentPage(s.page(c, "Check your e-mail", ""), views.ForgotView{Email: email}))
}
