package auth

import (
	"context"
	"time"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Errors a caller shows to the person in words of its own.
var (
	// ErrInvalidCredentials: wrong e-mail or password (never says which).
	ErrInvalidCredentials = apperr.New(apperr.Unauthorized, "the e-mail address or password is not right")
	// ErrThrottled: too many failed sign-ins; try again later.
	ErrThrottled = apperr.New(apperr.TooMany, "too many failed sign-ins; wait a few minutes and try again")
	// ErrNoSession: the session is unknown, expired or ended.
	ErrNoSession = apperr.New(apperr.Unauthorized, "not signed in")
	// ErrInvitationInvalid: the set-password link is unknown, used or expired.
	ErrInvitationInvalid = apperr.New(apperr.Gone, "this link has expired or has already been used")
	// ErrWeakPassword: the new password does not meet the rules.
	ErrWeakPassword = apperr.New(apperr.Invalid, "choose a password of at least 12 characters")
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
	// ResetTTL is how long a "forgot your password" link is valid
	// (DefaultResetTTL when zero).
	ResetTTL time.Duration
	// Sleep waits before checking a password on an address under attack
	// (see SlowDown); nil waits on a real timer. Tests record instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Cost is the argon2id cost of the passwords it sets and checks:
	// CostProduction (the zero value) everywhere but in tests.
	Cost Cost
}
