package httpserver

import (
	"encoding/base64"

	"github.com/labstack/echo/v4"
)

// The rules and cycles pages confirm a change on the page the browser is
// sent to next, through a short-lived cookie read once.
const rulesFlashCookie = "onramp_rules_flash"

func (s *Server) setRulesFlash(c echo.Context, message string) {
	s.setCookie(c, rulesFlashCookie, base64.RawURLEncoding.EncodeToString([]byte(message)), 60)
}

// takeRulesFlash returns the message left by the previous request, once.
func (s *Server) takeRulesFlash(c echo.Context) string {
	ck, err := c.Cookie(s.cookieName(rulesFlashCookie))
	if err != nil || ck.Value == "" {
		return ""
	}
	s.setCookie(c, rulesFlashCookie, "", -1)
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}
