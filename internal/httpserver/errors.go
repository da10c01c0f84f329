package httpserver

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/csvimport"
	"github.com/onramp-lms/onramp/internal/scim"
	"github.com/onramp-lms/onramp/web/views"
)

// handleError is the one place an error becomes a response: a page for
// browsers, JSON for API calls (docs/api.md's format: a sentence in
// "error", and "problems" when there are several). Domain errors say what
// went wrong with an apperr code; statusOf turns the code into a status.
// Internal details go to the log, never to the page.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, message, problems, more := s.errorResponse(err)
	if status >= 500 {
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "error", err.Error())
	}
	heading, text := errorWords(status)
	if message != "" {
		text = message
	}
	if isSCIM(c) {
		_ = scimJSON(c, status, &scim.Error{Status: status, Detail: scimStatusDetail(status)})
		return
	}
	if isAPI(c) {
		_ = c.JSON(status, apiError{Error: text, Problems: apiProblems(problems, more)})
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

// errorResponse is the status, the sentence that may be shown ("" for the
// status's own words), the problems of err and how many more there were.
func (s *Server) errorResponse(err error) (status int, message string, problems []apperr.Problem, more int) {
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "", nil, 0
	case errors.As(err, &he):
		// The router's own answers (no route, wrong method) and the few
		// that are about HTTP itself.
		if m, ok := he.Message.(string); ok && m != http.StatusText(he.Code) && he.Code < 500 {
			message = m
		}
		return he.Code, message, nil, 0
	}
	ae := apperr.As(err)
	if ae == nil || ae.Code == apperr.Internal {
		return http.StatusInternalServerError, "", nil, 0
	}
	return statusOf(ae.Code), ae.Message, ae.Problems, ae.More
}

// The words of the 404 and 400 pages (errorWords), which errNoPage and
// errUnreadableForm carry so that a handler returning them shows the same
// page as the router's own answers.
const (
	notFoundText   = "There is nothing at this address. Check the link, or go back to your training."
	badRequestText = "Go back, check what you entered, and try again."
)

var (
	// errNoPage: the address names nothing Onramp serves (a step without
	// its video, a file a course does not use, a sign-in provider that is
	// not configured).
	errNoPage = apperr.New(apperr.NotFound, notFoundText)
	// errUnreadableForm: the submitted form could not be read.
	errUnreadableForm = apperr.New(apperr.Malformed, badRequestText)

	// Errors for which the page says only what its status's own words say
	// (errorWords): their message is empty on purpose, so a handler refusing
	// with them chooses a code, never a status or a sentence.
	// errUnreadableRequest: the form or body could not be read (400).
	errUnreadableRequest = apperr.New(apperr.Malformed, "")
	// errNoAccess: the person is signed in but may not see this (403).
	errNoAccess = apperr.New(apperr.Forbidden, "")
)

// statusOf is the HTTP status of an apperr code.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Malformed:
		return http.StatusBadRequest
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

// apiProblems is problems as docs/api.md shows them: the item's index in
// the request's list, its employee_id, the field, the value and a message;
// a last "… and N more problems" when the list was cut.
func apiProblems(problems []apperr.Problem, more int) []apiProblem {
	if len(problems) == 0 && more == 0 {
		return nil
	}
	out := make([]apiProblem, len(problems), len(problems)+1)
	for i, p := range problems {
		out[i] = apiProblem{Index: p.Index, EmployeeID: p.Key, Field: p.Field, Value: p.Value, Message: p.Message}
	}
	if more > 0 {
		out = append(out, apiProblem{Message: csvimport.MoreLine(more)})
	}
	return out
}

func errorWords(status int) (heading, text string) {
	switch status {
	case http.StatusBadRequest:
		return "Something in the request was not right", badRequestText
	case http.StatusUnauthorized:
		return "Please sign in", "Your session has ended. Sign in again to carry on; your progress is saved."
	case http.StatusForbidden:
		return "You don't have access to this page", "This page belongs to someone else or needs a different role. If you think you should see it, ask your HR team."
	case http.StatusNotFound:
		return "Page not found", notFoundText
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

// invalidProblems is the problems of an Invalid error and how many more
// there were, for a page that lists them (an import's rows, a form's
// fields); ok is false for any other error.
func invalidProblems(err error) (problems []apperr.Problem, more int, ok bool) {
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.Invalid {
		return nil, 0, false
	}
	if len(ae.Problems) == 0 && ae.More == 0 {
		return []apperr.Problem{{Message: ae.Message}}, 0, true
	}
	return ae.Problems, ae.More, true
}

// formProblem is the first problem of an Invalid error, for a form that
// shows it next to its field; ok is false for any other error.
func formProblem(err error) (p apperr.Problem, ok bool) {
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.Invalid {
		return apperr.Problem{}, false
	}
	if len(ae.Problems) > 0 {
		return ae.Problems[0], true
	}
	return apperr.Problem{Message: ae.Message}, true
}
