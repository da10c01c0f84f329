package httpserver

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"

	"github.com/onramp-lms/onramp/web/views"
)

// handleError is the one place an error becomes a response: a page for
// browsers, JSON for API calls. Internal details go to the log, never to the page.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	message := ""
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok && m != http.StatusText(status) {
			message = m
		}
	case errors.As(err, &mbe):
		status = http.StatusRequestEntityTooLarge
	case apperr.As(err) != nil:
		// Until the error-helper branch maps every code in one place.
		status, message = apperrStatus(apperr.CodeOf(err)), apperr.MessageOf(err)
	}
	if status >= 500 {
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "error", err.Error())
		message = ""
	}
	heading, text := errorWords(status)
	if message != "" {
		text = message
	}
	if isAPI(c) {
		_ = c.JSON(status, map[string]string{"error": text})
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := render(c, status, views.ErrorPage(s.page(c, heading, ""), status, heading, text)); rerr != nil {
		s.Log.Error("render error page", "error", rerr.Error())
		_ = c.String(status, text)
	}
}

func errorWords(status int) (heading, text string) {
	switch status {
	case http.StatusBadRequest:
		return "Something in the request was not right", "Go back, check what you entered, and try again."
	case http.StatusUnauthorized:
		return "Please sign in", "Your session has ended. Sign in again to carry on; your progress is saved."
	case http.StatusForbidden:
		return "You don't have access to this page", "This page belongs to someone else or needs a different role. If you think you should see it, ask your HR team."
	case http.StatusNotFound:
		return "Page not found", "There is nothing at this address. Check the link, or go back to your training."
	case http.StatusMethodNotAllowed:
		return "That action isn't possible here", "Go back and use the buttons on the page."
	case http.StatusRequestEntityTooLarge:
		return "That upload is too large", "Send a smaller file."
	case http.StatusTooManyRequests:
		return "Too many attempts", "Wait a few minutes and try again."
	default:
		if status >= 500 {
			return "Something went wrong on our side", "Your work so far is saved. Try again in a minute; if it keeps happening, tell your HR team the time it happened."
		}
		return http.StatusText(status), ""
	}
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}

// apperrStatus is the HTTP status of an apperr code.
func apperrStatus(c apperr.Code) int {
	switch c {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.TooMany:
		return http.StatusTooManyRequests
	case apperr.Gone:
		return http.StatusGone
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
