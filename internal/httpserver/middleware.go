package httpserver

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"
)

// recoverPanics turns a panic in a handler into a logged 500 page.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.Log.Error("panic in handler", "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// logRequests writes one structured line per request. Query strings are
// left out: they can carry tokens.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		attrs := []any{
			"method", req.Method, "route", c.Path(), "status", res.Status,
			"bytes", res.Size, "duration_ms", time.Since(start).Milliseconds(), "ip", c.RealIP(),
		}
		if v := viewerOf(c); v.Employee != nil {
			attrs = append(attrs, "employee", v.Employee.ID)
		}
		if err != nil && res.Status >= 500 {
			attrs = append(attrs, "error", err.Error())
		}
		s.Log.Log(req.Context(), level, "request", attrs...)
		return nil
	}
}

// securityHeaders sets the headers every response carries. The CSP allows no
// inline script or style, so pages must use files under /static.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// limitBody refuses request bodies over max bytes with 413. A route in
// larger (by its path as registered) gets its own limit instead: it must
// be set here, before the CSRF check reads the form, not on the route.
func limitBody(max int64, larger map[string]int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			limit := max
			if n, ok := larger[c.Path()]; ok {
				limit = n
			}
			req := c.Request()
			if req.ContentLength > limit {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			// Without a Content-Length (chunked) the size shows only as the
			// body is read. A form is read here, once, so going over the
			// limit is a 413 like the one above: read later (by the CSRF
			// check or a handler's FormValue), the error would be swallowed
			// and the request refused for the wrong reason (a missing CSRF
			// token, no file chosen).
			if req.ContentLength < 0 && hasBody(req.Method) {
				if err := parseForm(req); err != nil {
					if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
						return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
					}
				}
			}
			return next(c)
		}
	}
}

func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete
}

// parseForm reads a url-encoded or multipart form body (as echo would, with
// its 32 MiB in memory before files spill to disk); other bodies are left
// for their handlers.
func parseForm(req *http.Request) error {
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		return req.ParseMultipartForm(32 << 20)
	case "application/x-www-form-urlencoded":
		return req.ParseForm()
	}
	return nil
}
