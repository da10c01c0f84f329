package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/people"
)

// touchInterval is how stale last_seen_at may get before a request writes
// it again: one write a minute per active person instead of one per request.
// The idle timeout can therefore end a session up to this much early.
const touchInterval = time.Minute

// session is a row of the sessions table.
type session struct {
	ID         string
	EmployeeID string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

func (session) TableName() string { return "sessions" }

// CreateSession starts a new session for the employee and returns the token
// for the cookie. Only its SHA-256 is stored.
func (s *Service) CreateSession(ctx context.Context, employeeID, ip, userAgent string) (token string, err error) {
	now := s.Clock.Now()
	token = randomToken()
	row := session{
		ID: hashToken(token), EmployeeID: employeeID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.MaxAge),
		IP: truncate(ip, 64), UserAgent: truncate(userAgent, 512),
	}
	// In a transaction of its own (db.Tx), as every write here: it takes
	// the write lock as soon as a scheduler pass leaves it free.
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error }); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// SessionEmployee returns the active employee for a session token, touching
// the session's last-seen time. It returns ErrNoSession when the token is
// unknown, idle too long, past its absolute age, or the employee is inactive.
// The string returned is the session's ID (the token's hash), safe to log.
func (s *Service) SessionEmployee(ctx context.Context, token string) (*people.Employee, string, error) {
	if !wellFormed(token) {
		return nil, "", ErrNoSession
	}
	id := hashToken(token)
	var row session
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", ErrNoSession
	}
	if err != nil {
		return nil, "", fmt.Errorf("load session: %w", err)
	}
	now := s.Clock.Now()
	if s.expired(row, now) {
		return nil, "", s.dropSession(ctx, id)
	}
	emp, err := s.People.ByID(ctx, row.EmployeeID)
	if errors.Is(err, people.ErrNotFound) || (err == nil && !emp.Active()) {
		return nil, "", s.dropSession(ctx, id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("load session: %w", err)
	}
	if now.Sub(row.LastSeenAt) >= touchInterval {
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&session{}).Where("id = ?", id).Update("last_seen_at", now).Error
		})
		if err != nil {
			return nil, "", fmt.Errorf("touch session: %w", err)
		}
	}
	return emp, id, nil
}

// expired applies both timeouts: idle (since the last request) and absolute
// (since sign-in).
func (s *Service) expired(row session, now time.Time) bool {
	if !now.Before(row.ExpiresAt) {
		return true
	}
	return s.IdleTimeout > 0 && !now.Before(row.LastSeenAt.Add(s.IdleTimeout))
}

// dropSession deletes a session found dead and reports ErrNoSession.
func (s *Service) dropSession(ctx context.Context, id string) error {
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Delete(&session{}).Error }); err != nil {
		return fmt.Errorf("end expired session: %w", err)
	}
	return ErrNoSession
}

// EndSession deletes the session behind token. Ending a session that does
// not exist is not an error.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if !wellFormed(token) {
		return nil
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", hashToken(token)).Delete(&session{}).Error }); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndEmployeeSessions signs the employee out everywhere, inside tx: used when
// a password is set and when someone is deactivated.
func (s *Service) EndEmployeeSessions(tx *gorm.DB, employeeID string) error {
	if err := tx.Where("employee_id = ?", employeeID).Delete(&session{}).Error; err != nil {
		return fmt.Errorf("end sessions of %s: %w", employeeID, err)
	}
	return nil
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	// Cut on a rune boundary so the column holds valid UTF-8.
	for max > 0 && max < len(s) && s[max]&0xC0 == 0x80 {
		max--
	}
	return s[:max]
}
