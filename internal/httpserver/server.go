package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/account"
	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/metrics"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/internal/scim"
	"github.com/onramp-lms/onramp/internal/sso"
)

// Deps is everything the handlers use, built once by package app.
type Deps struct {
	Config   config.Config
	Log      *slog.Logger
	Clock    clock.Clock
	Catalog  *catalog.Catalog
	People   *people.Store
	Auth     *auth.Service
	Cycles   *compliance.Store
	Learning *learning.Service
	// Outbox is the e-mail delivery log HR reads; SMTPConfigured says
	// whether messages can leave at all.
	Outbox         *notify.Outbox
	SMTPConfigured bool
	// Engine re-evaluates the assignment rules for people HR changes, in
	// the transaction of the change.
	Engine *compliance.Engine
	// Staff makes every change to people, with its follow-ups (rules,
	// report standings, audit, e-mail).
	Staff *people.Service
	// SCIM answers /scim/v2; it changes people through Staff.
	SCIM *scim.Service
	// Mail composes the e-mails handlers put in the outbox.
	Mail    *notify.Renderer
	Metrics *metrics.Metrics
	// OrgLogo is the organisation's logo file (ONRAMP_ORG_LOGO), a PNG or
	// JPEG; nil for none.
	OrgLogo []byte
	// SSO is OpenID Connect sign-in; nil when it is not configured.
	SSO *sso.Service
	// SAML is SAML 2.0 sign-in; nil when it is not configured.
	SAML *sso.SAML
	// Orientation is classroom sessions, attendance and check-offs.
	Orientation *orientation.Service
	// Reports answers the dashboard, report, team and filter questions.
	Reports *report.Reader
	// Audit reads the audit trail and records stand-alone entries (exports).
	Audit *audit.Trail
	// APITokens creates, lists, revokes and checks API tokens.
	APITokens *apitoken.Store
	// Evidence reads transcripts, completions and content versions and
	// writes evidence packs.
	Evidence *evidence.Service
	// Accounts sends set-password links (invitations and resets) with their
	// e-mails and audit entries, and accepts them.
	Accounts *account.Service
	// Health answers /readyz: does the database answer, are migrations
	// pending.
	Health Health
	// Jobs reads the work HR started that goes on in the background (rule
	// changes, staff imports), for its pages.
	Jobs *jobs.Store
	// JobWait is how long a request that starts a job (a rule change, a
	// staff import) waits for it before it sends HR to the job's page (the
	// work goes on in the background); zero means DefaultJobWait, and a
	// negative wait never waits.
	JobWait time.Duration
}

// Health is what /readyz asks of the database.
type Health interface {
	Ping(ctx context.Context) error
	// Pending counts the migrations not yet applied.
	Pending(ctx context.Context) (int, error)
}

// Server is the HTTP server.
type Server struct {
	Deps
	echo *echo.Echo
}

// New builds the router with every route and middleware.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	s := &Server{Deps: d, echo: e}
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientIP(d.Config.TrustedProxies)
	e.Use(s.recoverPanics, s.logRequests, securityHeaders, limitBody(2<<20, map[string]int64{staffImportPath: staffImportMaxBytes}))
	e.Use(s.loadViewer, s.checkCSRF)
	s.metricsRoutes(e)
	s.opsRoutes(e)
	s.authRoutes(e)
	s.ssoRoutes(e)
	s.samlRoutes(e)
	s.ssoCreate()
	s.learnerRoutes(e)
	s.adminRoutes(e)
	s.peopleRoutes(e)
	s.rulesRoutes(e)
	s.reportRoutes(e)
	s.auditRoutes(e)
	s.apiRoutes(e)
	s.scimRoutes(e)
	s.orientationRoutes(e)
	return s
}

// ServeHTTP lets the server be used as an http.Handler (and in httptest).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Listen opens the TCP listener for addr. Opening it before any background
// work starts lets a busy port or a bad address stop start-up at once.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish for up to 15 seconds.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln (and closes it) until ctx is cancelled, then shuts
// down gracefully, letting requests in flight finish for up to 15 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	// Jobs (rule changes, staff imports) finish their batches if they can
	// in the same time; one cut off is safe to leave (internal/jobs).
	if err := jobs.Drain(shutCtx); err != nil {
		s.Log.Warn("jobs still running at shutdown; see their pages", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Routes lists every registered route as "METHOD /path/:param", for the
// access tests and the docs.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
