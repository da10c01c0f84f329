// Package app is the one place that wires Onramp together: config →
// database (migrated) → content catalog → services → HTTP server →
// background work. The CLI and the end-to-end tests both build an App.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/content"
	"github.com/onramp-lms/onramp/internal/account"
	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/httpserver"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/metrics"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/internal/scheduler"
	"github.com/onramp-lms/onramp/internal/scim"
	"github.com/onramp-lms/onramp/internal/sso"
)

// App is a running Onramp: its settings, database, services and server.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Clock    clock.Clock
	DB       *db.DB
	Catalog  *catalog.Catalog
	People   *people.Store
	Auth     *auth.Service
	Cycles   *compliance.Store
	Learning *learning.Service
	// Orientation is classroom sessions, attendance and check-offs.
	Orientation *orientation.Service
	// Notify composes, queues and delivers e-mail.
	Notify *notify.Service
	// Engine applies assignment rules and moves cycles along.
	Engine *compliance.Engine
	// Staff is every change to people, with its follow-ups: the one way
	// in for HR's pages, the command line, the API and SCIM.
	Staff *people.Service
	// SCIM is SCIM 2.0 provisioning; it changes people through Staff.
	SCIM *scim.Service
	// Scheduler runs the background pass (rules, cycles, outbox).
	Scheduler *scheduler.Scheduler
	Server    *httpserver.Server
	// SSO is OpenID Connect sign-in; nil when it is not configured.
	SSO *sso.Service
	// SAML is SAML 2.0 sign-in; nil when it is not configured.
	SAML *sso.SAML
}

// ContentError is returned by Open when the course content has problems.
type ContentError struct {
	Problems []catalog.Problem
}

func (e *ContentError) Error() string {
	return fmt.Sprintf("content has %d problem(s); run `onramp content check` to see them (first: %s)", len(e.Problems), e.Problems[0])
}

// ContentFS returns the content tree the settings select: the directory when
// one is set, the embedded content otherwise.
func ContentFS(cfg config.Config) fs.FS {
	if cfg.ContentDir != "" {
		return os.DirFS(cfg.ContentDir)
	}
	return content.FS
}

// Open connects to the database, applies pending migrations, loads and syncs
// the content, and builds every service and the HTTP server. clk may be nil
// for the real clock.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clk == nil {
		clk = clock.Real{}
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, clk, d)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock, d *db.DB) (*App, error) {
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	cat, problems := catalog.Load(ContentFS(cfg))
	if len(problems) > 0 {
		return nil, &ContentError{Problems: problems}
	}
	if err := cat.Sync(ctx, d, clk.Now()); err != nil {
		return nil, fmt.Errorf("sync content: %w", err)
	}
	a := &App{Config: cfg, Log: log, Clock: clk, DB: d, Catalog: cat}
	a.People = &people.Store{DB: d}
	a.Cycles = &compliance.Store{DB: d}
	a.Auth = &auth.Service{DB: d, Clock: clk, People: a.People, IdleTimeout: cfg.SessionIdle, MaxAge: cfg.SessionMax, InviteTTL: cfg.InviteTTL, ResetTTL: cfg.ResetTTL}
	ns, err := notify.New(notify.Config{SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, BaseURL: cfg.BaseURL, DefaultTimeZone: cfg.TimeZone, OrgName: cfg.OrgName}, d, log)
	if err != nil {
		return nil, err
	}
	a.Notify = ns
	policy := compliance.DefaultReminderPolicy
	policy.DueSoonDays = cfg.DueSoonDays
	notifier := &notify.Notifier{Renderer: ns.Renderer, Catalog: cat, Policy: policy}
	// A set-password link in a new person's first e-mail only helps where
	// people sign in with passwords (not with single sign-on only).
	if cfg.InviteNewPeople && cfg.PasswordAllowed(false) {
		notifier.Invite = inviteNewPeople(a.Auth)
	}
	a.Engine = &compliance.Engine{DB: d, Notifier: notifier, Log: log, Nudges: cfg.Nudges, Policy: policy, Standings: report.RefreshEmployees,
		AssignmentStandings: report.RefreshAssignments}
	a.Staff = &people.Service{DB: d, Engine: a.Engine, EndSessions: a.Auth.EndEmployeeSessions, Log: log}
	a.SCIM = &scim.Service{DB: d, People: a.Staff}
	// Change tracking from the start: on a new database the people an
	// import adds are then queued as they are written (and dequeued as the
	// import applies their rules), instead of everyone being queued by the
	// first pass that finds the triggers missing.
	if err := compliance.EnsureChangeTracking(ctx, d); err != nil {
		return nil, err
	}
	if err := d.Tx(ctx, func(tx *gorm.DB) error { return compliance.SyncCourseRules(tx, cat.Courses, clk.Now()) }); err != nil {
		return nil, fmt.Errorf("sync course rules: %w", err)
	}
	a.Learning = &learning.Service{DB: d, Clock: clk, Catalog: cat, Cycles: a.Cycles, People: a.People, Notifier: notifier, Mail: ns.Renderer}
	// One refusal audit for both protocols, so a flood is collapsed
	// whichever callback it hits.
	refusals := &sso.RefusalAudit{DB: d, Clock: clk, Log: log}
	a.Orientation = &orientation.Service{DB: d, Clock: clk, Catalog: cat, Learning: a.Learning, BaseURL: cfg.BaseURL, From: cfg.MailFrom, Org: cfg.OrgName}
	if cfg.OIDC.Enabled() {
		a.SSO = &sso.Service{Config: cfg.OIDC, RedirectURL: cfg.BaseURL.String() + sso.CallbackPath, DB: d, Clock: clk, Refusals: refusals}
	}
	if cfg.SAML.Enabled() {
		accounts := a.SSO
		if accounts == nil {
			accounts = &sso.Service{DB: d, Clock: clk, Refusals: refusals}
		}
		if a.SAML, err = sso.NewSAML(cfg.SAML, cfg.BaseURL, cfg.DataDir, d, clk, accounts, refusals); err != nil {
			return nil, err
		}
	}
	prune := func(ctx context.Context) error {
		if err := a.Auth.PruneExpired(ctx); err != nil {
			return err
		}
		if a.SAML != nil {
			if err := a.SAML.Prune(ctx); err != nil {
				return err
			}
		}
		return refusals.Flush(ctx)
	}
	m := metrics.New(d.SQL())
	a.Scheduler = &scheduler.Scheduler{
		DB: d, Clock: clk, Log: log, Engine: a.Engine,
		Deliver: ns.Deliverer.Deliver,
		Prune:   prune,
		Extra: func(ctx context.Context, now time.Time) error {
			_, err := a.Orientation.SendReminders(ctx, now)
			return err
		},
		Observe: func(elapsed time.Duration, rep scheduler.Report, err error) {
			m.ObserveSchedulerPass(elapsed, err)
			for i := 0; i < rep.Sent; i++ {
				m.EmailSent()
			}
			for i := 0; i < rep.Failed; i++ {
				m.EmailFailed()
			}
			if counts, err := ns.Outbox.CountByState(context.Background()); err == nil {
				for state, n := range counts {
					m.SetOutboxDepth(string(state), n)
				}
			}
		},
	}
	var logo []byte
	if cfg.OrgLogo != "" {
		if logo, err = os.ReadFile(cfg.OrgLogo); err != nil {
			return nil, fmt.Errorf("ONRAMP_ORG_LOGO: %w", err)
		}
	}
	a.Server = httpserver.New(httpserver.Deps{
		OrgLogo: logo,
		Metrics: m,
		Config:  cfg, Log: log, Clock: clk, Catalog: cat,
		People: a.People, Auth: a.Auth, Cycles: a.Cycles, Learning: a.Learning,
		Outbox: ns.Outbox, SMTPConfigured: ns.Deliverer.Mailer != nil,
		Engine: a.Engine, Staff: a.Staff, SCIM: a.SCIM, Mail: ns.Renderer,
		SSO: a.SSO, SAML: a.SAML, Orientation: a.Orientation,
		Reports:   &report.Reader{DB: d},
		Audit:     &audit.Trail{DB: d},
		APITokens: &apitoken.Store{DB: d},
		Jobs:      &jobs.Store{DB: d},
		Evidence:  &evidence.Service{DB: d, Catalog: cat},
		Accounts:  &account.Service{DB: d, Clock: clk, Auth: a.Auth, Mail: ns.Renderer},
		Health:    d,
	})
	return a, nil
}

// inviteNewPeople adapts auth's set-password links to notify: the first
// e-mail to a person without a password carries one.
func inviteNewPeople(s *auth.Service) func(tx *gorm.DB, ids []string) (map[string]notify.SetPassword, error) {
	return func(tx *gorm.DB, ids []string) (map[string]notify.SetPassword, error) {
		links, err := s.InviteIfNone(tx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]notify.SetPassword, len(links))
		for id, l := range links {
			out[id] = notify.SetPassword{Token: l.Token, ExpiresAt: l.ExpiresAt}
		}
		return out, nil
	}
}

// Listen opens the listener for the configured address. Serve calls it;
// commands call it themselves to report the address only once it is theirs.
func (a *App) Listen() (net.Listener, error) { return httpserver.Listen(a.Config.Addr) }

// Serve listens on the configured address and serves until ctx is
// cancelled; see ServeListener. A busy port or a bad address is returned
// before any background work starts.
func (a *App) Serve(ctx context.Context) error {
	ln, err := a.Listen()
	if err != nil {
		return err
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener runs the HTTP server on ln and, unless its interval is 0,
// the scheduler until ctx is cancelled; it returns once both have stopped.
// The listener is open before the scheduler starts, so a process that cannot
// serve never sends e-mail. If the server stops on its own, the scheduler is
// stopped too.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	a.Log.Info("serving", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL.String(), "demo", a.Config.Demo)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if every := a.Config.SchedulerInterval; every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Scheduler.Run(ctx, every)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.keepDashboardWarm(ctx, dashboardCheck)
	}()
	err := a.Server.Serve(ctx, ln)
	cancel()
	wg.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// dashboardCheck is how often the server looks whether the day changed.
const dashboardCheck = 30 * time.Second

// keepDashboardWarm counts the HR dashboard's figures at start and again
// each time the day changes, checking every so often: the two moments when
// a dashboard request would otherwise wait for a count of the whole
// organisation (seconds at 100,000 people) instead of seeing the day's
// previous counts while new ones are made. Between them, requests keep the
// counts current themselves.
func (a *App) keepDashboardWarm(ctx context.Context, every time.Duration) {
	var warmed time.Time
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		now := a.Clock.Now()
		if day := compliance.Day(now); !day.Equal(warmed) {
			if err := report.WarmDashboard(ctx, a.DB, now); err != nil {
				if ctx.Err() != nil {
					return
				}
				a.Log.Warn("dashboard counts", "err", err)
			} else {
				warmed = day
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
