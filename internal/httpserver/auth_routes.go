package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/web/views"
)

// authRoutes: sign-in, sign-out and the set-password invitation.
//
//	GET  /login          the sign-in form (303 to next or / when signed in)
//	POST /login          sign in: 303 to next; 401 wrong, 422 incomplete, 429 throttled
//	POST /logout         sign out: 303 to /login
//	GET  /invite/:token  the set-password form, or 410 when the link is spent
//	POST /invite/:token  set the password and sign in: 303 to /; 422 or 410
//	GET  /forgot-password  "Forgot your password?": asks for the e-mail address
//	POST /forgot-password  e-mails a reset link when the address is an active
//	                       person's; the same 200 page either way; 422, 429
//	GET  /reset/:token   the choose-a-new-password form, or 410
//	POST /reset/:token   set the new password, end every session, sign in: 303 to /
func (s *Server) authRoutes(e *echo.Echo) {
	e.GET(views.OrgLogoPath, s.orgLogo)
	e.GET("/forgot-password", s.forgotForm)
	e.POST("/forgot-password", s.forgot)
	e.GET("/reset/:token", s.inviteForm)
	e.POST("/reset/:token", s.acceptInvite)
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/invite/:token", s.inviteForm)
	e.POST("/invite/:token", s.acceptInvite)
}

// noStore keeps pages with tokens and personal details out of caches.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
