package httpserver

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/people"
)

// Viewer is who is making the request: the signed-in employee (nil when
// anonymous), their session, and the CSRF token their forms must carry.
type Viewer struct {
	Employee  *people.Employee
	SessionID string
	CSRFToken string
}

const viewerKey = "onramp.viewer"

// viewerOf returns the request's viewer; never nil.
func viewerOf(c echo.Context) *Viewer {
	if v, ok := c.Get(viewerKey).(*Viewer); ok && v != nil {
		return v
	}
	return &Viewer{}
}

func setViewer(c echo.Context, v *Viewer) { c.Set(viewerKey, v) }

// requireSignedIn sends anonymous visitors to the sign-in page, remembering
// where they were going (a local path only, so no open redirect).
func requireSignedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if viewerOf(c).Employee == nil {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(safeNext(c.Request().URL.RequestURI())))
			}
			return apperr.New(apperr.Unauthorized, "Please sign in again.")
		}
		return next(c)
	}
}

// requireRole refuses (403) a signed-in person whose role is below r.
func requireRole(r people.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return requireSignedIn(func(c echo.Context) error {
			if !viewerOf(c).Employee.Can(r) {
				return errNoAccess
			}
			return next(c)
		})
	}
}
