package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
)

// Delivery pass defaults.
const (
	DefaultBatchSize = 50
	DefaultLease     = 5 * time.Minute
)

// interruptedError is what a message reclaimed from a sender that stopped
// mid-try says, until its next outcome replaces it.
const interruptedError = "the previous try was interrupted before its outcome was recorded; it may have been delivered (the Message-ID is the same, so a receiver can tell)"

// Deliverer sends what is due in the outbox.
type Deliverer struct {
	DB *db.DB
	// Mailer sends; nil means no mail server is configured and messages wait
	// in the outbox.
	Mailer Mailer
	From   Address
	// Host goes into Message-IDs (the host of ONRAMP_BASE_URL).
	Host string
	// Renderer renders rows kept as a payload just before they are sent.
	Renderer *Renderer
	// DefaultLocation decides quiet hours for recipients without a valid
	// time zone of their own: the organisation's. Nil means UTC.
	DefaultLocation *time.Location
	Log             *slog.Logger
	// BatchSize is how many rows one claim takes (DefaultBatchSize if 0).
	BatchSize int
	// Lease is how long a claim holds before another sender may take the
	// row over (DefaultLease if 0). A pass stops starting new sends after
	// half of it, so a live sender never outlasts its own claim.
	Lease time.Duration
	// Wall tells the real time, which claims expire by (clock.Real if
	// nil). It is never the pass's now: a pass run as of another instant
	// (`scheduler run-once --now`) and killed mid-try must not hold its
	// rows until that instant.
	Wall clock.Clock

	locations sync.Map // time zone name → *time.Location
}

// Deliver sends every message due at now: claims due rows in batches, sends
// each, and records the outcome at once. Messages whose recipient is in
// quiet hours wait for the morning; failures are retried with backoff. err
// is a database error; a mail error is recorded on its row.
func (d *Deliverer) Deliver(ctx context.Context, now time.Time) (sent, failed int, err error) {
	if d.Mailer == nil {
		return 0, 0, nil
	}
	now = now.UTC()
	lease := d.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	batch := d.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	// Stop claiming and starting sends well before our claims expire, in
	// real time, because that is the time another instance waits.
	sendCtx, cancel := context.WithTimeout(ctx, lease/2)
	defer cancel()

	// down is set when the mail server cannot be reached: every other due
	// message of the pass is charged the same failed try without another
	// connection, so an outage advances every message's timetable.
	var down error
	defer func() {
		if down != nil {
			d.logger().WarnContext(ctx, "mail server unreachable; every due e-mail was charged a failed try", "failed", failed, "error", down)
		}
	}()
	for sendCtx.Err() == nil {
		rows, err := d.claim(ctx, now, lease, batch)
		if err != nil {
			return sent, failed, err
		}
		if len(rows) == 0 {
			return sent, failed, nil
		}
		for i := range rows {
			e := &rows[i]
			if sendCtx.Err() != nil {
				return sent, failed, d.release(ctx, now, rows[i:], nil)
			}
			outcome, err := d.deliverOne(sendCtx, now, e, &down)
			if err != nil {
				// The database failed: give the rest back rather than leave
				// them claimed until the lease runs out.
				return sent, failed, errors.Join(err, d.release(ctx, now, rows[i+1:], nil))
			}
			switch outcome {
			case outcomeSent:
				sent++
			case outcomeFailed:
				failed++
			}
		}
		if len(rows) < batch {
			return sent, failed, nil
		}
	}
	return sent, failed, nil
}

type outcome int

const (
	outcomeSent outcome = iota
	outcomeFailed
	outcomeDeferred
)

// deliverOne tries e. When *down holds the error of a mail server found
// unreachable earlier in the pass, e is charged that failed try without
// connecting again; a try that finds the server unreachable sets *down.
func (d *Deliverer) deliverOne(ctx context.Context, now time.Time, e *Entry, down *error) (outcome, error) {
	if until, quiet := QuietUntil(now, d.location(ctx, e)); quiet {
		if e.FirstFailedAt != nil && !now.Before(e.FirstFailedAt.Add(DeadAfter)) {
			// Its time is up, and the last try would fall in quiet hours.
			// This claim's try did not happen: it is not counted.
			return outcomeFailed, d.markDead(context.WithoutCancel(ctx), now, e, gaveUp(e.Attempts-1, e.LastError))
		}
		return outcomeDeferred, d.release(ctx, now, []Entry{*e}, &until)
	}
	if e.MessageID == "" {
		e.MessageID = MessageID(e.DedupeKey, d.Host)
	}
	if e.Attempts > MaxAttempts {
		// Only a row whose every try was interrupted gets here.
		return outcomeFailed, d.markDead(ctx, now, e, fmt.Sprintf("gave up after %d tries, the last of them interrupted; it may have been delivered", MaxAttempts))
	}
	sendErr := *down
	if sendErr == nil {
		if err := d.render(e); err != nil {
			return outcomeFailed, d.markDead(context.WithoutCancel(ctx), now, e, err.Error())
		}
		email := &Email{
			MessageID:   e.MessageID,
			Date:        now,
			From:        d.From,
			To:          Address{Name: e.ToName, Address: e.ToAddress},
			Subject:     e.Subject,
			Text:        e.TextBody,
			HTML:        e.HTMLBody,
			Attachments: e.Attachments,
		}
		sendErr = d.Mailer.Send(ctx, email)
	}
	if sendErr == nil || IsDelivered(sendErr) {
		if sendErr != nil {
			d.logger().WarnContext(ctx, "e-mail delivered; the mail server misbehaved afterwards (not retried)", "outbox_id", e.ID, "kind", e.Kind, "error", sendErr)
		}
		// Recorded at once: the window in which a crash could make us send
		// this again is this one UPDATE.
		return outcomeSent, d.markSent(context.WithoutCancel(ctx), now, e)
	}
	ctx = context.WithoutCancel(ctx)
	if *down == nil {
		d.logger().WarnContext(ctx, "e-mail not delivered", "outbox_id", e.ID, "kind", e.Kind, "attempt", e.Attempts, "error", sendErr)
	}
	if IsPermanent(sendErr) {
		return outcomeFailed, d.markDead(ctx, now, e, "rejected: "+sendErr.Error())
	}
	if err := d.markFailed(ctx, now, e, sendErr.Error()); err != nil {
		return outcomeFailed, err
	}
	if IsUnreachable(sendErr) {
		*down = sendErr
	}
	return outcomeFailed, nil
}

// gaveUp is the last error of a message given up on DeadAfter after its
// first failed try.
func gaveUp(tries int, last string) string {
	return fmt.Sprintf("gave up %d hours after the first failed try (%d tries); the last: %s", int(DeadAfter/time.Hour), tries, last)
}

// claim takes up to n due rows for this sender: pending or failed rows whose
// time has come (by the pass's now), and sending rows whose sender's claim
// has expired (by the wall clock: claimed_until is real time). Each
// claim counts as a try, so a message that keeps stopping its sender dies
// rather than loop.
func (d *Deliverer) claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Entry, error) {
	var rows []Entry
	err := d.DB.Tx(ctx, func(tx *gorm.DB) error {
		// On SQLite the transaction holds the write lock from BEGIN
		// (_txlock=immediate), so select-then-update is atomic. On
		// PostgreSQL FOR UPDATE SKIP LOCKED lets parallel senders each take
		// different rows without waiting on one another.
		q := `SELECT id, state FROM outbox
		      WHERE (state IN (?, ?) AND next_attempt_at <= ?) OR (state = ? AND claimed_until < ?)
		      ORDER BY next_attempt_at, id LIMIT ?`
		if d.DB.Dialect == db.Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		var due []struct {
			ID    string
			State State
		}
		wall := d.wallNow()
		if err := tx.Raw(q, StatePending, StateFailed, now, StateSending, wall, n).Scan(&due).Error; err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		ids := make([]string, 0, len(due))
		var reclaimed []string
		for _, r := range due {
			ids = append(ids, r.ID)
			if r.State == StateSending {
				reclaimed = append(reclaimed, r.ID)
			}
		}
		if err := tx.Exec(`UPDATE outbox SET state = ?, attempts = attempts + 1, claimed_until = ?, updated_at = ? WHERE id IN ?`,
			StateSending, wall.Add(lease), now, ids).Error; err != nil {
			return err
		}
		if len(reclaimed) > 0 {
			// An interrupted try counts as a failed one for the timetable.
			if err := tx.Exec(`UPDATE outbox SET last_error = ?, first_failed_at = COALESCE(first_failed_at, ?) WHERE id IN ?`, interruptedError, now, reclaimed).Error; err != nil {
				return err
			}
			d.logger().WarnContext(ctx, "e-mails reclaimed from a sender that stopped mid-try", "count", len(reclaimed))
		}
		return tx.Where("id IN ?", ids).Order("next_attempt_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim due e-mails: %w", err)
	}
	return rows, nil
}

// release gives claimed rows back without counting the try: due at until,
// or when they were due if until is nil.
func (d *Deliverer) release(ctx context.Context, now time.Time, rows []Entry, until *time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	// SET expressions all see the row as it was, so the CASE reads the
	// attempts before this statement takes the claim's try back.
	set := `state = CASE WHEN attempts <= 1 THEN ? ELSE ? END, attempts = attempts - 1, claimed_until = NULL, updated_at = ?`
	args := []any{StatePending, StateFailed, now}
	if until != nil {
		set += `, next_attempt_at = ?`
		args = append(args, until.UTC())
	}
	args = append(args, ids, StateSending)
	if err := d.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE outbox SET `+set+` WHERE id IN ? AND state = ?`, args...).Error
	}); err != nil {
		return fmt.Errorf("release claimed e-mails: %w", err)
	}
	return nil
}

func (d *Deliverer) markSent(ctx context.Context, now time.Time, e *Entry) error {
	err := d.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(
			`UPDATE outbox SET state = ?, sent_at = ?, message_id = ?, last_error = '', claimed_until = NULL, updated_at = ?
			 WHERE id = ? AND state = ?`,
			StateSent, now, e.MessageID, now, e.ID, StateSending).Error
	})
	if err != nil {
		return fmt.Errorf("record e-mail %s as sent: %w", e.ID, err)
	}
	return nil
}

// markFailed records a failed try and when the next is due: after
// Backoff, but no later than DeadAfter after the first failed try. A try
// failing at or after that moment was the last: the message is dead.
func (d *Deliverer) markFailed(ctx context.Context, now time.Time, e *Entry, reason string) error {
	first := now
	if e.FirstFailedAt != nil {
		first = e.FirstFailedAt.UTC()
	}
	deadline := first.Add(DeadAfter)
	if !now.Before(deadline) {
		return d.markDead(ctx, now, e, gaveUp(e.Attempts, reason))
	}
	next := now.Add(Backoff(e.Attempts))
	if next.After(deadline) {
		next = deadline
	}
	err := d.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(
			`UPDATE outbox SET state = ?, next_attempt_at = ?, first_failed_at = ?, last_error = ?, message_id = ?, claimed_until = NULL, updated_at = ?
			 WHERE id = ? AND state = ?`,
			StateFailed, next, first, truncateError(reason), e.MessageID, now, e.ID, StateSending).Error
	})
	if err != nil {
		return fmt.Errorf("record e-mail %s as failed: %w", e.ID, err)
	}
	return nil
}

func (d *Deliverer) markDead(ctx context.Context, now time.Time, e *Entry, reason string) error {
	d.logger().ErrorContext(ctx, "e-mail given up on; HR can retry it at /admin/outbox", "outbox_id", e.ID, "kind", e.Kind, "attempts", e.Attempts, "error", reason)
	err := d.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(
			`UPDATE outbox SET state = ?, last_error = ?, message_id = ?, claimed_until = NULL, updated_at = ?
			 WHERE id = ? AND state = ?`,
			StateDead, truncateError(reason), e.MessageID, now, e.ID, StateSending).Error
	})
	if err != nil {
		return fmt.Errorf("record e-mail %s as dead: %w", e.ID, err)
	}
	return nil
}

// location is the recipient's time zone, or the organisation's.
func (d *Deliverer) location(ctx context.Context, e *Entry) *time.Location {
	def := d.DefaultLocation
	if def == nil {
		def = time.UTC
	}
	if e.RecipientEmployeeID == nil {
		return def
	}
	var zone string
	err := d.DB.WithContext(ctx).Raw(`SELECT time_zone FROM employees WHERE id = ?`, *e.RecipientEmployeeID).Scan(&zone).Error
	if err != nil {
		d.logger().WarnContext(ctx, "employee time zone not read; using the organisation's", "employee_id", *e.RecipientEmployeeID, "error", err)
		return def
	}
	if zone == "" {
		return def
	}
	if loc, ok := d.locations.Load(zone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		d.logger().WarnContext(ctx, "employee time zone unknown; using the organisation's", "employee_id", *e.RecipientEmployeeID, "time_zone", zone)
		loc = def
	}
	d.locations.Store(zone, loc)
	return loc
}

// wallNow is the real time, by which claims expire.
func (d *Deliverer) wallNow() time.Time {
	if d.Wall == nil {
		return time.Now().UTC()
	}
	return d.Wall.Now().UTC()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// truncateError keeps an SMTP server's chatter from filling the row.
func truncateError(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
