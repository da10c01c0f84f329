package httpserver

import (
	"context"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/web"
)

func (s *Server) opsRoutes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/*", echo.WrapHandler(staticFiles()))
}

// Cache lifetimes of static files: a content-hashed URL names bytes that
// never change, so it is kept for a year; a plain URL (or a hash from an
// earlier build, in a page someone kept) gets the file as it is now, kept
// for five minutes, so a deploy reaches it soon.
const (
	staticImmutable = "public, max-age=31536000, immutable"
	staticShort     = "public, max-age=300"
)

// staticFiles serves the embedded files under /static/, by hashed name
// (see web.Asset) and by plain name.
func staticFiles() http.Handler {
	root, err := fs.Sub(web.Static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, hash, current, ok := web.Lookup(strings.TrimPrefix(r.URL.Path, web.StaticPrefix))
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", staticShort)
		if current {
			h.Set("Cache-Control", staticImmutable)
		}
		h.Set("ETag", `"`+hash+`"`)
		http.ServeFileFS(w, r, root, file)
	})
}

// healthz answers 200 while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 when the database answers and no migration is pending.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Health.Ping(ctx); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	n, err := s.Health.Pending(ctx)
	if err != nil {
		return c.String(http.StatusServiceUnavailable, "migration state unknown\n")
	}
	if n > 0 {
		return c.String(http.StatusServiceUnavailable, "migrations pending\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
