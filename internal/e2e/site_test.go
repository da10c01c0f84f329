package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// startOfJourneys is when every site's clock starts: a Monday morning.
var startOfJourneys = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// password is every account's password in these tests (long enough for the
// site's rules, not the e-mail address).
const password = "correct horse battery staple 42"

// site is one running Onramp for one journey: the real app on a fresh
// database (SQLite, or PostgreSQL when ONRAMP_TEST_DATABASE_URL is set)
// behind a test HTTP server, an in-process SMTP server, and a clock that
// starts at startOfJourneys and then runs at the wall clock's pace, so the
// server sees a video's real seconds pass while a test can still jump a year.
//
// It is apptest.New with a running clock; apptest's clock stands still,
// which a video in a real browser cannot work with.
type site struct {
	t     *testing.T
	App   *app.App
	Clock *clock.Offset
	HTTP  *httptest.Server
	Mail  *smtptest.Server
	// URL is the site's base URL, as in its e-mails (ONRAMP_BASE_URL).
	URL string
}

// newSite starts an Onramp serving the fixture course basic
// (internal/catalog/testdata/basic) and stops it when the test ends;
// configure changes settings before it opens.
func newSite(t *testing.T, configure ...func(*config.Config)) *site {
	t.Helper()
	s := &site{t: t, Clock: clock.NewOffset(startOfJourneys), Mail: smtptest.Start(t)}
	s.HTTP = httptest.NewUnstartedServer(nil)
	s.URL = "http://" + s.HTTP.Listener.Addr().String()
	base, _ := url.Parse(s.URL)
	cfg := config.Defaults()
	cfg.DatabaseURL = apptest.NewDatabaseURL(t)
	cfg.ContentDir = filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	cfg.BaseURL = base
	cfg.DataDir = t.TempDir()
	cfg.SMTPURL = s.Mail.URL()
	cfg.MailFrom = "Training <training@hospital.test>"
	for _, f := range configure {
		f(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, nil, s.Clock)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	s.App = a
	s.HTTP.Config.Handler = a.Server
	s.HTTP.Start()
	t.Cleanup(func() {
		s.HTTP.Close()
		_ = a.Close()
	})
	return s
}

// person describes an employee to create.
type person struct {
	Email, First, Last string
	Role               people.Role
	Department         string
	JobTitle           string
	// NoPassword leaves the account without one (a new hire who has not
	// followed their invitation yet).
	NoPassword bool
	ManagerID  *string
	// HiredDaysAgo sets the hire date relative to the clock.
	HiredDaysAgo int
}

// addPerson creates an active employee.
func (s *site) addPerson(p person) *people.Employee {
	s.t.Helper()
	if p.Role == "" {
		p.Role = people.RoleLearner
	}
	if p.Department == "" {
		p.Department = "Nursing"
	}
	if p.JobTitle == "" {
		p.JobTitle = "Registered Nurse"
	}
	hired := s.Clock.Now().AddDate(0, 0, -p.HiredDaysAgo).Truncate(24 * time.Hour)
	emp := &people.Employee{
		Email: p.Email, FirstName: p.First, LastName: p.Last, Role: p.Role,
		Department: p.Department, JobTitle: p.JobTitle, ManagerID: p.ManagerID, HireDate: &hired,
	}
	if !p.NoPassword {
		h, err := auth.HashPassword(password)
		if err != nil {
			s.t.Fatalf("hash password: %v", err)
		}
		emp.PasswordHash = h
	}
	err := s.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, emp, s.Clock.Now()) })
	if err != nil {
		s.t.Fatalf("create employee: %v", err)
	}
	return emp
}

// invitationLink returns a set-password link for the employee, as HR's
// invitation would carry it.
func (s *site) invitationLink(emp *people.Employee) string {
	s.t.Helper()
	var token string
	err := s.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		token, err = s.App.Auth.CreateInvitation(tx, emp.ID)
		return err
	})
	if err != nil {
		s.t.Fatalf("create invitation: %v", err)
	}
	return s.URL + "/invite/" + token
}

// runScheduler runs one scheduler pass now: rules assign courses, cycles
// move along, and queued e-mail goes to the SMTP server.
func (s *site) runScheduler() {
	s.t.Helper()
	if _, err := s.App.Scheduler.RunOnce(context.Background(), s.Clock.Now()); err != nil {
		s.t.Fatalf("scheduler pass: %v", err)
	}
}

// assign gives the employee a cycle of course basic due on the given day.
func (s *site) assign(emp *people.Employee, due time.Time) *compliance.Cycle {
	s.t.Helper()
	var cy *compliance.Cycle
	err := s.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		cy, err = compliance.Assign(tx, emp.ID, "basic", s.Clock.Now(), due, "assigned by the browser test")
		return err
	})
	if err != nil {
		s.t.Fatalf("assign: %v", err)
	}
	return cy
}

// mailTo returns the delivered messages to an address whose subject
// starts with prefix.
func (s *site) mailTo(address, subjectPrefix string) []*smtptest.Message {
	var out []*smtptest.Message
	for _, m := range s.Mail.Messages() {
		if len(m.To) == 1 && m.To[0] == address && len(m.Subject) >= len(subjectPrefix) && m.Subject[:len(subjectPrefix)] == subjectPrefix {
			out = append(out, m)
		}
	}
	return out
}
