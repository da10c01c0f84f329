package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Throttling: failures counted over ThrottleWindow.
//
//   - A client (IP address) with MaxFailuresPerClient failures on one e-mail
//     address is refused for that address until the oldest of them leaves
//     the window. Other clients are not: failures from an attacker never
//     lock the owner of the address out.
//   - A client with MaxFailuresPerIP failures on any addresses is refused
//     for every address.
//   - An address with more than SlowDownAfter failures from all clients
//     together is slowed down instead: every attempt on it waits before the
//     password is checked, SlowDownBase doubled for each further failure, at
//     most MaxSlowDown. The owner still signs in with the right password.
const (
	ThrottleWindow       = 15 * time.Minute
	MaxFailuresPerClient = 5
	MaxFailuresPerIP     = 20
	SlowDownAfter        = 5
	SlowDownBase         = 500 * time.Millisecond
	MaxSlowDown          = 5 * time.Second
)

// SlowDown is the wait before checking a password for an address with
// failures failed sign-ins in the window (from every client together).
func SlowDown(failures int64) time.Duration {
	if failures < SlowDownAfter {
		return 0
	}
	d := SlowDownBase
	for i := int64(SlowDownAfter); i < failures && d < MaxSlowDown; i++ {
		d *= 2
	}
	return min(d, MaxSlowDown)
}

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
	// Kind is attemptSignIn or attemptReset: "forgot your password"
	// requests are throttled here too but are never failed sign-ins.
	Kind string
}

// The kinds of attempt login_attempts records.
const (
	attemptSignIn = "sign_in"
	attemptReset  = "reset"
)

func (loginAttempt) TableName() string { return "login_attempts" }

// Authenticate checks an e-mail address and password, throttling repeated
// failures per address and client, and per client, and slowing down
// attempts on an address many clients fail on (see ThrottleWindow). Every
// attempt is recorded.
//
// A wrong password, an unknown address, an account without a password and
// an inactive account all give ErrInvalidCredentials after the same amount
// of work, so the answer never tells which addresses exist.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*people.Employee, error) {
	email = truncate(people.NormalizeEmail(email), 320)
	ip = truncate(ip, 64)
	now := s.Clock.Now()
	attempt := loginAttempt{ID: db.NewID(), Email: email, IP: ip, AttemptedAt: now, Kind: attemptSignIn}

	delay, throttled, err := s.throttled(ctx, email, ip, now)
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
	if delay > 0 {
		if err := s.sleep(ctx, delay); err != nil {
			return nil, err
		}
	}

	emp, err := s.People.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, people.ErrNotFound) {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	hash := s.Cost.dummyHash()
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
	if s.Cost.NeedsRehash(emp.PasswordHash) {
		s.rehash(ctx, emp, password, now)
	}
	return emp, nil
}

// throttled reports whether this client is refused for the address (too
// many failures on it from this client, or on any address from this
// client), and otherwise how long to wait for failures from all clients.
func (s *Service) throttled(ctx context.Context, email, ip string, now time.Time) (time.Duration, bool, error) {
	since := now.Add(-ThrottleWindow)
	var byEmail struct {
		Failures       int64 // from every client
		ClientFailures int64 // from this client
	}
	err := s.DB.WithContext(ctx).Model(&loginAttempt{}).
		Select("COUNT(*) AS failures, COALESCE(SUM(CASE WHEN ip = ? THEN 1 ELSE 0 END), 0) AS client_failures", ip).
		Where("email = ? AND attempted_at > ? AND succeeded = ? AND throttled = ? AND kind = ?", email, since, false, false, attemptSignIn).
		Scan(&byEmail).Error
	if err != nil {
		return 0, false, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if byEmail.ClientFailures >= MaxFailuresPerClient {
		return 0, true, nil
	}
	var byIP int64
	err = s.DB.WithContext(ctx).Model(&loginAttempt{}).
		Where("ip = ? AND attempted_at > ? AND succeeded = ? AND throttled = ? AND kind = ?", ip, since, false, false, attemptSignIn).
		Count(&byIP).Error
	if err != nil {
		return 0, false, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if byIP >= MaxFailuresPerIP {
		return 0, true, nil
	}
	return SlowDown(byEmail.Failures), false, nil
}

// sleep waits d (Service.Sleep when set, for tests), or until ctx ends.
func (s *Service) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) record(ctx context.Context, a loginAttempt) error {
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&a).Error }); err != nil {
		return fmt.Errorf("record sign-in attempt: %w", err)
	}
	return nil
}

// rehash upgrades an old hash to today's parameters. It is best effort: the
// person is signed in either way, and the next sign-in tries again.
func (s *Service) rehash(ctx context.Context, emp *people.Employee, password string, now time.Time) {
	h, err := s.Cost.Hash(password)
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
