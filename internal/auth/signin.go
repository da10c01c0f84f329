package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Throttling: failures counted over ThrottleWindow. An address with
// MaxFailuresPerEmail failures, or an IP with MaxFailuresPerIP, is refused
// until the oldest of them leaves the window.
const (
	ThrottleWindow      = 15 * time.Minute
	MaxFailuresPerEmail = 5
	MaxFailuresPerIP    = 20
)

// loginAttempt is a row of login_attempts. Throttled attempts are recorded
// too but do not count as failures, so someone who keeps trying while locked
// out does not extend their own lock-out.
type loginAttempt struct {
	ID          string
	Email       string
	IP          string
	AttemptedAt time.Time
	Succeeded   bool
	Throttled   bool
}

func (loginAttempt) TableName() string { return "login_attempts" }

// Authenticate checks an e-mail address and password, throttling repeated
// failures per address and per IP. Every attempt is recorded.
//
// A wrong password, an unknown address, an account without a password and
// an inactive account all give ErrInvalidCredentials after the same amount
// of work, so the answer never tells which addresses exist.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*people.Employee, error) {
	email = truncate(people.NormalizeEmail(email), 320)
	ip = truncate(ip, 64)
	now := s.Clock.Now()
	attempt := loginAttempt{ID: db.NewID(), Email: email, IP: ip, AttemptedAt: now}

	throttled, err := s.throttled(ctx, email, ip, now)
	if err != nil {
		return nil, err
	}
	if throttled {
		attempt.Throttled = true
		if err := s.record(ctx, attempt); err != nil {
			return nil, err
		}
		return nil, ErrThrottled
	}

	emp, err := s.People.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, people.ErrNotFound) {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	hash := dummyHash()
	usable := emp != nil && emp.Active() && emp.PasswordHash != ""
	if usable {
		hash = emp.PasswordHash
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", email, err)
	}
	attempt.Succeeded = ok && usable
	if err := s.record(ctx, attempt); err != nil {
		return nil, err
	}
	if !attempt.Succeeded {
		return nil, ErrInvalidCredentials
	}
	if NeedsRehash(emp.PasswordHash) {
		s.rehash(ctx, emp, password, now)
	}
	return emp, nil
}

// throttled reports whether the address or the IP has too many recent failures.
func (s *Service) throttled(ctx context.Context, email, ip string, now time.Time) (bool, error) {
	since := now.Add(-ThrottleWindow)
	count := func(column, value string) (int64, error) {
		var n int64
		err := s.DB.WithContext(ctx).Model(&loginAttempt{}).
			Where(column+" = ? AND attempted_at > ? AND succeeded = ? AND throttled = ?", value, since, false, false).
			Count(&n).Error
		if err != nil {
			return 0, fmt.Errorf("count failed sign-ins: %w", err)
		}
		return n, nil
	}
	byEmail, err := count("email", email)
	if err != nil {
		return false, err
	}
	if byEmail >= MaxFailuresPerEmail {
		return true, nil
	}
	byIP, err := count("ip", ip)
	if err != nil {
		return false, err
	}
	return byIP >= MaxFailuresPerIP, nil
}

func (s *Service) record(ctx context.Context, a loginAttempt) error {
	if err := s.DB.WithContext(ctx).Create(&a).Error; err != nil {
		return fmt.Errorf("record sign-in attempt: %w", err)
	}
	return nil
}

// rehash upgrades an old hash to today's parameters. It is best effort: the
// person is signed in either way, and the next sign-in tries again.
func (s *Service) rehash(ctx context.Context, emp *people.Employee, password string, now time.Time) {
	h, err := HashPassword(password)
	if err != nil {
		return
	}
	err = s.DB.WithContext(ctx).Model(&people.Employee{}).
		Where("id = ? AND password_hash = ?", emp.ID, emp.PasswordHash).
		Updates(map[string]any{"password_hash": h, "updated_at": now}).Error
	if err == nil {
		emp.PasswordHash = h
	}
}
