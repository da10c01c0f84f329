package httpserver

import (
	"github.com/labstack/echo/v4"
)

// authRoutes: sign-in, sign-out and the set-password invitation.
//
//	GET  /login          the sign-in form (303 to next or / when signed in)
//	POST /login          sign in: 303 to next; 401 wrong, 422 incomplete, 429 throttled
//	POST /logout         sign out: 303 to /login
//	GET  /invite/:token  the set-password form, or 410 when the link is spent
//	POST /invite/:token  set the password and sign in: 303 to /; 422 or 410
func (s *Server) authRoutes(e *echo.Echo) {
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
