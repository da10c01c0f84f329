package auth

import (
	"context"
	"fmt"
	"time"
)

// attemptRetention is how long sign-in attempts are kept: long past the
// throttle window, short enough not to become a record of everyone's habits.
const attemptRetention = 24 * time.Hour

// PruneExpired deletes sessions past their absolute or idle timeout and
// sign-in attempts older than a day. The scheduler calls it periodically.
func (s *Service) PruneExpired(ctx context.Context) error {
	now := s.Clock.Now()
	q := s.DB.WithContext(ctx).Where("expires_at <= ?", now)
	if s.IdleTimeout > 0 {
		q = s.DB.WithContext(ctx).Where("expires_at <= ? OR last_seen_at <= ?", now, now.Add(-s.IdleTimeout))
	}
	if err := q.Delete(&session{}).Error; err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	if err := s.DB.WithContext(ctx).Where("attempted_at < ?", now.Add(-attemptRetention)).Delete(&loginAttempt{}).Error; err != nil {
		return fmt.Errorf("prune sign-in attempts: %w", err)
	}
	return nil
}
