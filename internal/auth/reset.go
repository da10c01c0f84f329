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

// "Forgot your password?" requests are throttled over ThrottleWindow, like
// sign-ins:
//
//   - a client (IP address) with MaxResetsPerIP requests is refused
//     (ErrThrottled) for every address until the oldest leaves the window;
//   - an address that was sent MaxResetsPerAddress links in the window gets
//     no more, silently: the answer must not tell which addresses exist, and
//     the owner's mailbox must not be flooded.
const (
	MaxResetsPerIP      = 10
	MaxResetsPerAddress = 3
)

// DefaultResetTTL is how long a reset link works when ResetTTL is not set.
const DefaultResetTTL = time.Hour

// ResetSender queues the e-mail carrying a reset link for emp inside tx
// (and records it in the audit trail).
type ResetSender func(tx *gorm.DB, emp *people.Employee, link Link) error

// RequestPasswordReset handles "forgot your password" for email from ip.
// For an active person it makes a single-use reset link valid for
// ResetTTL (earlier unused links stop working) and hands it to send in the
// same transaction. An unknown address, a deactivated person or an address
// that had enough links already does nothing and returns nil: the caller
// answers every request the same way. Only a client asking too often gets
// ErrThrottled. Every request is recorded in login_attempts (kind reset),
// never as a failed sign-in.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string, send ResetSender) error {
	email = truncate(people.NormalizeEmail(email), 320)
	ip = truncate(ip, 64)
	now := s.Clock.Now()
	since := now.Add(-ThrottleWindow)
	attempt := loginAttempt{ID: db.NewID(), Email: email, IP: ip, AttemptedAt: now, Kind: attemptReset}

	var byIP int64
	err := s.DB.WithContext(ctx).Model(&loginAttempt{}).
		Where("ip = ? AND attempted_at > ? AND kind = ? AND throttled = ?", ip, since, attemptReset, false).
		Count(&byIP).Error
	if err != nil {
		return fmt.Errorf("count reset requests: %w", err)
	}
	if byIP >= MaxResetsPerIP {
		attempt.Throttled = true
		if err := s.record(ctx, attempt); err != nil {
			return err
		}
		return ErrThrottled
	}
	// Links sent to the address: requests that made one are recorded as
	// succeeded.
	var sent int64
	err = s.DB.WithContext(ctx).Model(&loginAttempt{}).
		Where("email = ? AND attempted_at > ? AND kind = ? AND succeeded = ?", email, since, attemptReset, true).
		Count(&sent).Error
	if err != nil {
		return fmt.Errorf("count reset links: %w", err)
	}
	emp, err := s.People.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, people.ErrNotFound) {
		return fmt.Errorf("forgot password: %w", err)
	}
	if emp == nil || !emp.Active() || sent >= MaxResetsPerAddress {
		return s.record(ctx, attempt)
	}
	ttl := s.ResetTTL
	if ttl <= 0 {
		ttl = DefaultResetTTL
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		token, expires, err := s.newLink(tx, emp.ID, PurposeReset, ttl)
		if err != nil {
			return err
		}
		if err := send(tx, emp, Link{Token: token, ExpiresAt: expires}); err != nil {
			return err
		}
		attempt.Succeeded = true
		if err := tx.Create(&attempt).Error; err != nil {
			return fmt.Errorf("record reset request: %w", err)
		}
		return nil
	})
}

// PadTo waits until at least d has passed since start (on the real clock),
// so that an answer takes about the same time whatever work was done.
func (s *Service) PadTo(ctx context.Context, start time.Time, d time.Duration) error {
	if left := d - time.Since(start); left > 0 {
		return s.sleep(ctx, left)
	}
	return nil
}
