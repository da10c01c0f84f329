package auth

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Errors a caller shows to the person in words of its own.
var (
	// ErrInvalidCredentials: wrong e-mail or password (never says which).
	ErrInvalidCredentials = errors.New("the e-mail address or password is not right")
	// ErrThrottled: too many failed sign-ins; try again later.
	ErrThrottled = errors.New("too many failed sign-ins; wait a few minutes and try again")
	// ErrNoSession: the session is unknown, expired or ended.
	ErrNoSession = errors.New("not signed in")
	// ErrInvitationInvalid: the set-password link is unknown, used or expired.
	ErrInvitationInvalid = errors.New("this link has expired or has already been used")
	// ErrWeakPassword: the new password does not meet the rules.
	ErrWeakPassword = errors.New("choose a password of at least 12 characters")
)

// Service signs people in and keeps them signed in.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	People *people.Store
	// IdleTimeout ends a session after this long without a request.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in.
	MaxAge time.Duration
	// InviteTTL is how long a set-password link is valid.
	InviteTTL time.Duration
}

// Authenticate checks an e-mail address and password, throttling repeated
// failures per address and per IP. Every attempt is recorded.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*people.Employee, error) {
	panic("auth: Authenticate not written yet")
}

// CreateSession starts a new session for the employee and returns the token
// for the cookie. Only its SHA-256 is stored.
func (s *Service) CreateSession(ctx context.Context, employeeID, ip, userAgent string) (token string, err error) {
	panic("auth: CreateSession not written yet")
}

// SessionEmployee returns the active employee for a session token, touching
// the session's last-seen time. It returns ErrNoSession when the token is
// unknown, idle too long, past its absolute age, or the employee is inactive.
func (s *Service) SessionEmployee(ctx context.Context, token string) (*people.Employee, string, error) {
	panic("auth: SessionEmployee not written yet")
}

// EndSession deletes the session behind token.
func (s *Service) EndSession(ctx context.Context, token string) error {
	panic("auth: EndSession not written yet")
}

// CreateInvitation makes a single-use set-password token for the employee
// inside tx and returns it (only its hash is stored).
func (s *Service) CreateInvitation(tx *gorm.DB, employeeID string) (token string, err error) {
	panic("auth: CreateInvitation not written yet")
}

// Invitation returns the employee a valid, unused invitation token belongs to.
func (s *Service) Invitation(ctx context.Context, token string) (*people.Employee, error) {
	panic("auth: Invitation not written yet")
}

// AcceptInvitation sets the employee's password and uses up the token, in
// one transaction; every other session of the employee is ended.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) (*people.Employee, error) {
	panic("auth: AcceptInvitation not written yet")
}

// HashPassword hashes a password with argon2id at OWASP's parameters.
func HashPassword(password string) (string, error) {
	panic("auth: HashPassword not written yet")
}
