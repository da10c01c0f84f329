package httpserver

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// inviteForm shows the set-password page for a valid invitation link, or
// explains (410 Gone) that the link is spent.
func (s *Server) inviteForm(c echo.Context) error {
	inviteHeaders(c)
	emp, err := s.Auth.Invitation(c.Request().Context(), c.Param("token"))
	if apperr.CodeOf(err) == apperr.Gone {
		return s.renderInviteInvalid(c)
	}
	if err != nil {
		return err
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		return s.passwordNotForYou(c)
	}
	return s.renderInvite(c, http.StatusOK, emp, nil)
}

// acceptInvite sets the password from the form, uses up the link and signs
// the person in.
func (s *Server) acceptInvite(c echo.Context) error {
	inviteHeaders(c)
	ctx, token := c.Request().Context(), c.Param("token")
	emp, err := s.Auth.Invitation(ctx, token)
	if apperr.CodeOf(err) == apperr.Gone {
		return s.renderInviteInvalid(c)
	}
	if err != nil {
		return err
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		return s.passwordNotForYou(c)
	}
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	var problems []views.AuthProblem
	if err := auth.CheckPassword(password, emp.Email, emp.FirstName, emp.LastName); err != nil {
		msg := err.Error()
		if password == "" {
			msg = "Enter a new password."
		}
		problems = append(problems, views.AuthProblem{FieldID: "password", Message: msg})
	} else if confirm == "" {
		problems = append(problems, views.AuthProblem{FieldID: "password_confirm", Message: "Type the password again, to be sure it is what you meant."})
	} else if confirm != password {
		problems = append(problems, views.AuthProblem{FieldID: "password_confirm", Message: "The two passwords are different. Type the same password in both boxes."})
	}
	if len(problems) > 0 {
		return s.renderInvite(c, http.StatusUnprocessableEntity, emp, problems)
	}

	signedIn, err := s.Accounts.AcceptLink(ctx, token, password)
	if apperr.CodeOf(err) == apperr.Gone {
		return s.renderInviteInvalid(c)
	}
	if p, ok := formProblem(err); ok {
		// The password breaks a rule (auth.PasswordError).
		return s.renderInvite(c, http.StatusUnprocessableEntity, emp, []views.AuthProblem{{FieldID: "password", Message: p.Message}})
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, signedIn); err != nil {
		return err
	}
	return redirectSeeOther(c, "/")
}

// inviteHeaders: the page's URL holds the token, so it must not be cached
// or sent on as a Referer, not even to this site's own stylesheets.
func inviteHeaders(c echo.Context) {
	noStore(c)
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
}

// isResetPath says whether the request came through a password-reset link
// (/reset/:token) rather than an invitation (/invite/:token): the same
// handlers serve both, with their own words.
func isResetPath(c echo.Context) bool { return strings.HasPrefix(c.Path(), notify.ResetPath+"/") }

func (s *Server) renderInvite(c echo.Context, status int, emp *people.Employee, problems []views.AuthProblem) error {
	title := "Set your password"
	if isResetPath(c) {
		title = "Choose a new password"
	}
	if len(problems) > 0 {
		title = "Error: " + title
	}
	view := views.InviteView{
		Token: c.Param("token"), FirstName: emp.FirstName, Email: emp.Email,
		MinLength: auth.MinPasswordLen, MaxLength: auth.MaxPasswordLen, Problems: problems,
		Reset: isResetPath(c),
	}
	return render(c, status, views.InvitePage(s.page(c, title, ""), view))
}

func (s *Server) renderInviteInvalid(c echo.Context) error {
	return render(c, http.StatusGone, views.InviteInvalidPage(s.page(c, "Link expired or used", ""), isResetPath(c)))
}
