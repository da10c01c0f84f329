package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/db"
)

// ErrNotFound is returned when no outbox row has the given ID.
var ErrNotFound = errors.New("outbox message not found")

// ErrNotDead is returned by Retry for a row that is not dead: only a message
// Onramp gave up on can be put back.
var ErrNotDead = errors.New("only a message that was given up on can be retried")

// Entry is one row of the outbox: a message and how its delivery is going.
type Entry struct {
	ID                  string
	DedupeKey           string
	Kind                Kind
	RecipientEmployeeID *string
	ToAddress           string
	ToName              string
	Subject             string
	TextBody            string
	HTMLBody            string
	Attachments         []Attachment `gorm:"serializer:json"`
	State               State
	// Attempts counts the tries so far, including one in progress.
	Attempts      int
	NextAttemptAt time.Time
	// ClaimedUntil is when a sender's claim on a sending row expires, in
	// real (wall-clock) time.
	ClaimedUntil *time.Time
	// FirstFailedAt is when the first try of the current series failed
	// (nil if none has); the message goes dead DeadAfter later.
	FirstFailedAt *time.Time
	LastError     string
	// MessageID is recorded with the first outcome; it is derived from the
	// dedupe key, so it is the same on every try.
	MessageID string
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    *time.Time
}

// TableName tells GORM the table.
func (Entry) TableName() string { return "outbox" }

// Enqueue writes m to the outbox inside the caller's transaction, so the
// message exists if and only if the change that caused it is committed. A
// message whose dedupe key is already in the outbox is not written again:
// created is false and err is nil.
func Enqueue(tx *gorm.DB, m Message) (created bool, err error) {
	if err := m.validate(); err != nil {
		return false, err
	}
	at := m.At.UTC()
	e := Entry{
		ID:            db.NewID(),
		DedupeKey:     m.DedupeKey,
		Kind:          m.Kind,
		ToAddress:     m.ToAddress,
		ToName:        m.ToName,
		Subject:       m.Subject,
		TextBody:      m.Text,
		HTMLBody:      m.HTML,
		Attachments:   m.Attachments,
		State:         StatePending,
		NextAttemptAt: at,
		CreatedAt:     at,
		UpdatedAt:     at,
	}
	if e.Attachments == nil {
		e.Attachments = []Attachment{}
	}
	if m.RecipientEmployeeID != "" {
		id := m.RecipientEmployeeID
		e.RecipientEmployeeID = &id
	}
	res := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "dedupe_key"}},
		DoNothing: true,
	}).Create(&e)
	if res.Error != nil {
		return false, fmt.Errorf("enqueue %s message %s: %w", m.Kind, m.DedupeKey, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (m Message) validate() error {
	switch {
	case m.DedupeKey == "":
		return fmt.Errorf("enqueue %s message: no dedupe key", m.Kind)
	case m.Kind == "":
		return fmt.Errorf("enqueue message %s: no kind", m.DedupeKey)
	case m.At.IsZero():
		// A message stamped with the wall clock would be invisible to a
		// delivery pass running on a test's or a time-travelling clock.
		return fmt.Errorf("enqueue %s message %s: no At time (set it from the Clock)", m.Kind, m.DedupeKey)
	case strings.TrimSpace(m.Subject) == "" || m.Text == "":
		return fmt.Errorf("enqueue %s message %s: no subject or text", m.Kind, m.DedupeKey)
	}
	if _, err := mail.ParseAddress(m.ToAddress); err != nil {
		return fmt.Errorf("enqueue %s message %s: recipient address %q is not an e-mail address", m.Kind, m.DedupeKey, m.ToAddress)
	}
	return nil
}

// Outbox reads the outbox for HR's delivery log and puts dead messages back.
type Outbox struct {
	DB *db.DB
}

// Filter narrows List. Zero fields match everything.
type Filter struct {
	State State
	Kind  Kind
	// RecipientEmployeeID lists one person's messages.
	RecipientEmployeeID string
}

// List returns outbox rows matching f, newest first, without their bodies
// and attachments (Get has them).
func (o *Outbox) List(ctx context.Context, f Filter, limit, offset int) ([]Entry, error) {
	if limit <= 0 {
		limit = 50
	}
	q := o.DB.WithContext(ctx).Model(&Entry{}).
		Omit("text_body", "html_body", "attachments")
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.RecipientEmployeeID != "" {
		q = q.Where("recipient_employee_id = ?", f.RecipientEmployeeID)
	}
	var out []Entry
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Offset(offset).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// Get returns one outbox row with its bodies and attachments.
func (o *Outbox) Get(ctx context.Context, id string) (Entry, error) {
	var e Entry
	err := o.DB.WithContext(ctx).Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get outbox message %s: %w", id, err)
	}
	return e, nil
}

// CountByState counts the outbox rows in each state; every state is present,
// zero or not, so a metrics gauge can report all of them.
func (o *Outbox) CountByState(ctx context.Context) (map[State]int, error) {
	var rows []struct {
		State State
		N     int
	}
	err := o.DB.WithContext(ctx).Raw(`SELECT state, COUNT(*) AS n FROM outbox GROUP BY state`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count outbox by state: %w", err)
	}
	out := make(map[State]int, len(States))
	for _, s := range States {
		out[s] = 0
	}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// Retry puts a dead message back in the queue, due at now, with a fresh
// series of attempts. Its last error stays visible until the next try.
func (o *Outbox) Retry(ctx context.Context, id string, now time.Time) error {
	now = now.UTC()
	res := o.DB.WithContext(ctx).Exec(
		`UPDATE outbox SET state = ?, attempts = 0, next_attempt_at = ?, claimed_until = NULL, first_failed_at = NULL, updated_at = ?
		 WHERE id = ? AND state = ?`,
		StatePending, now, now, id, StateDead)
	if res.Error != nil {
		return fmt.Errorf("retry outbox message %s: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := o.Get(ctx, id); err != nil {
		return err
	}
	return ErrNotDead
}
