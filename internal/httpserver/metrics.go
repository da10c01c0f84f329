package httpserver

import (
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/metrics"
)

// unmatchedRoute labels requests that matched no route, so probes for
// random paths cannot create new series.
const unmatchedRoute = "unmatched"

// metricsRoutes times every request and serves GET /metrics. The timing
// middleware runs before routing (Pre), so it wraps everything else,
// including panic recovery and the error handler, and sees the final status.
func (s *Server) metricsRoutes(e *echo.Echo) {
	if s.Metrics == nil {
		s.Metrics = metrics.New(nil)
	}
	e.Pre(s.measureRequests(e))
	e.GET("/metrics", echo.WrapHandler(s.Metrics.Handler()))
}

// measureRequests records each request's duration by method, route pattern
// (never the raw path: IDs and tokens would make a series each) and status.
func (s *Server) measureRequests(e *echo.Echo) echo.MiddlewareFunc {
	var (
		once  sync.Once
		known map[string]bool // method + " " + route pattern
	)
	routeOf := func(c echo.Context) string {
		// Routes are all registered before the first request.
		once.Do(func() {
			known = map[string]bool{}
			for _, r := range e.Routes() {
				known[r.Method+" "+r.Path] = true
			}
		})
		// On a miss Echo still sets Path to the nearest node's pattern;
		// only a registered pattern for this method counts as the route.
		if p := c.Path(); p != "" && known[c.Request().Method+" "+p] {
			return p
		}
		return unmatchedRoute
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				// Answer now, so the status recorded is the one sent.
				c.Error(err)
			}
			s.Metrics.ObserveRequest(methodLabel(c.Request().Method), routeOf(c), c.Response().Status, time.Since(start))
			return nil
		}
	}
}

// methodLabel keeps the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
