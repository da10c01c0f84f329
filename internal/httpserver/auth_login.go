package httpserver

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// loginForm shows the sign-in form, or sends someone already signed in on
// to where they were going.
func (s *Server) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if viewerOf(c).Employee != nil {
		return redirectSeeOther(c, next)
	}
	noStore(c)
	p := s.page(c, "Sign in", "")
	p.Flash = s.takeNotice(c)
	return render(c, http.StatusOK, views.LoginPage(p, s.loginView(views.LoginView{Next: next})))
}

// login checks the e-mail address and password and, when they are right,
// starts a brand-new session and goes on to next.
func (s *Server) login(c echo.Context) error {
	view := views.LoginView{
		Email: strings.TrimSpace(c.FormValue("email")),
		Next:  safeNext(c.FormValue("next")),
	}
	password := c.FormValue("password")
	if s.Config.PasswordLogin == config.PasswordOff {
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "Signing in with a password is turned off. Sign in with " + s.ssoNames() + ".", FormLevel: true}}
		return s.renderLogin(c, http.StatusForbidden, view)
	}
	if view.Email == "" {
		view.Problems = append(view.Problems, views.AuthProblem{FieldID: "email", Message: "Enter your e-mail address."})
	}
	if password == "" {
		view.Problems = append(view.Problems, views.AuthProblem{FieldID: "password", Message: "Enter your password."})
	}
	if len(view.Problems) > 0 {
		return s.renderLogin(c, http.StatusUnprocessableEntity, view)
	}

	emp, err := s.Auth.Authenticate(c.Request().Context(), view.Email, password, c.RealIP())
	switch {
	case apperr.CodeOf(err) == apperr.TooMany:
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "There have been too many failed sign-ins. Wait 15 minutes and try again, or ask your HR team for a new set-password link.", FormLevel: true}}
		return s.renderLogin(c, http.StatusTooManyRequests, view)
	case apperr.CodeOf(err) == apperr.Unauthorized:
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "The e-mail address or password is not right. Check both and try again.", FormLevel: true}}
		return s.renderLogin(c, http.StatusUnauthorized, view)
	case err != nil:
		return err
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		// The same answer as a wrong password: whether this password is
		// right must not be learnt from an account that cannot use it.
		view.Problems = []views.AuthProblem{{FieldID: "email", Message: "The e-mail address or password is not right, or this account cannot sign in with a password: only HR administrators can. Everyone else signs in with " + s.ssoNames() + ".", FormLevel: true}}
		return s.renderLogin(c, http.StatusUnauthorized, view)
	}
	if err := s.startSession(c, emp); err != nil {
		return err
	}
	return redirectSeeOther(c, view.Next)
}

func (s *Server) renderLogin(c echo.Context, status int, view views.LoginView) error {
	noStore(c)
	title := "Sign in"
	if len(view.Problems) > 0 {
		title = "Error: " + title
	}
	return render(c, status, views.LoginPage(s.page(c, title, ""), s.loginView(view)))
}

// loginView adds the sign-in choices the settings allow.
func (s *Server) loginView(v views.LoginView) views.LoginView {
	if s.SSO != nil {
		v.SSOName = s.Config.OIDC.Name
	}
	if s.SAML != nil {
		v.SAMLName = s.Config.SAML.Name
	}
	v.PasswordLogin = s.Config.PasswordLogin
	return v
}
