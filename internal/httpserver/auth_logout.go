package httpserver

import (
	"github.com/labstack/echo/v4"
)

// noticeSignedOut is the one notice the sign-in page shows after a redirect.
// Only this code travels in the cookie, never the text, so the cookie cannot
// put words on the page.
const noticeSignedOut = "signed-out"

// logout ends the session on the server and sends the person to the
// sign-in page, which says they have signed out.
func (s *Server) logout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	s.setCookie(c, "onramp_notice", noticeSignedOut, 60)
	return redirectSeeOther(c, "/login")
}

// takeNotice returns the sign-in page's one-off notice and forgets it.
func (s *Server) takeNotice(c echo.Context) string {
	ck, err := c.Cookie(s.cookieName("onramp_notice"))
	if err != nil {
		return ""
	}
	s.setCookie(c, "onramp_notice", "", -1)
	if ck.Value == noticeSignedOut {
		return "You have signed out."
	}
	return ""
}
