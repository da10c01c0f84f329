package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// ErrNotFound is returned when no outbox row has the given ID.
var ErrNotFound = apperr.New(apperr.NotFound, "There is no outbox message with this ID.")

// ErrNotDead is returned by Retry for a row that is not dead: only a message
// Onramp gave up on can be put back.
var ErrNotDead = apperr.New(apperr.Conflict, "That message is not given up on, so there is nothing to retry: it is waiting, being sent, or already sent.")

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
	// Payload is the message's content as JSON, rendered into Subject,
	// TextBody, HTMLBody and Attachments when it is delivered (see
	// Renderer.RenderEntry); empty for a row stored with its bodies.
	Payload string
	State   State
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

	// payloadType and payloadBody are Payload's parts as the Notifier
	// encoded them (withSetPassword); not stored.
	payloadType Kind
	payloadBody []byte
}

// TableName tells GORM the table.
func (Entry) TableName() string { return "outbox" }

// Enqueue writes m to the outbox inside the caller's transaction, so the
// message exists if and only if the change that caused it is committed. A
// message whose dedupe key is already in the outbox (or was carried by a
// digest) is not written again: created is false and err is nil. A message
// with a Payload is stored without its bodies, which delivery renders.
func Enqueue(tx *gorm.DB, m Message) (created bool, err error) {
	if err := m.validate(); err != nil {
		return false, err
	}
	e := m.entry(db.NewID())
	claimed, err := claimKeys(tx, []keyClaim{{Key: m.DedupeKey, OutboxID: e.ID}}, e.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("enqueue %s message %s: %w", m.Kind, m.DedupeKey, err)
	}
	if !claimed[m.DedupeKey] {
		return false, nil
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

// entry is the outbox row for m: its payload without bodies, or its
// bodies.
func (m Message) entry(id string) Entry {
	at := m.At.UTC()
	e := Entry{
		ID:            id,
		DedupeKey:     m.DedupeKey,
		Kind:          m.Kind,
		ToAddress:     m.ToAddress,
		ToName:        m.ToName,
		Subject:       m.Subject,
		TextBody:      m.Text,
		HTMLBody:      m.HTML,
		Attachments:   m.Attachments,
		Payload:       m.Payload,
		payloadType:   m.payloadType,
		payloadBody:   m.payloadBody,
		State:         StatePending,
		NextAttemptAt: at,
		CreatedAt:     at,
		UpdatedAt:     at,
	}
	if m.Payload != "" {
		e.TextBody, e.HTMLBody, e.Attachments = "", "", nil
	}
	if e.Attachments == nil {
		e.Attachments = []Attachment{}
	}
	if m.RecipientEmployeeID != "" {
		rid := m.RecipientEmployeeID
		e.RecipientEmployeeID = &rid
	}
	return e
}

// keyClaim records that the event with dedupe key Key is carried by the
// outbox row OutboxID.
type keyClaim struct {
	Key      string
	OutboxID string
}

// claimBatch keeps one statement's parameters well under every driver's
// limit.
const claimBatch = 300

// claimKeys writes each event's dedupe key to outbox_keys unless it is
// there already, and returns the keys written: those events are this
// transaction's to queue, the others were queued before. On PostgreSQL a
// concurrent transaction claiming the same key waits for this one and then
// finds it taken, so an event is queued once however the calls race.
//
// Keys are inserted in sorted order, so two transactions claiming
// overlapping sets wait on each other in the same order and cannot
// deadlock.
func claimKeys(tx *gorm.DB, claims []keyClaim, at time.Time) (map[string]bool, error) {
	claims = slices.Clone(claims)
	slices.SortFunc(claims, func(a, b keyClaim) int { return strings.Compare(a.Key, b.Key) })
	out := make(map[string]bool, len(claims))
	for start := 0; start < len(claims); start += claimBatch {
		part := claims[start:min(start+claimBatch, len(claims))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO outbox_keys (dedupe_key, outbox_id, created_at) VALUES ")
		args := make([]any, 0, 3*len(part))
		for i, c := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?)")
			args = append(args, c.Key, c.OutboxID, at)
		}
		sb.WriteString(" ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key")
		var got []string
		if err := tx.Raw(sb.String(), args...).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("record dedupe keys: %w", err)
		}
		for _, k := range got {
			out[k] = true
		}
	}
	return out, nil
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
	case strings.TrimSpace(m.Subject) == "" || (m.Text == "" && m.Payload == ""):
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
	// Renderer renders a row's payload for Get; New sets it.
	Renderer *Renderer
}

// Filter narrows List. Zero fields match everything.
type Filter struct {
	State State
	Kind  Kind
	// RecipientEmployeeID lists one person's messages.
	RecipientEmployeeID string
}

// Position is e's place in the delivery log, whose order is newest first:
// by creation time, then by ID (a scheduler pass queues all its messages
// at one moment).
func (e Entry) Position() db.Position { return db.Position{At: e.CreatedAt.UTC(), ID: e.ID} }

// ErrBadPosition is a page link's position that is not one Onramp wrote.
var ErrBadPosition = apperr.New(apperr.Malformed, "That page link is not right: start again from the newest messages.")

// ParsePosition reads a page link's position, or says it is not right
// (ErrBadPosition).
func ParsePosition(s string) (db.Position, error) {
	p, err := db.ParsePosition(s)
	if err != nil {
		return db.Position{}, ErrBadPosition
	}
	return p, nil
}

// Paging says which page of the delivery log List reads: the newest rows
// (neither set), the rows just older than Before, or the rows just newer
// than After. Limit is the page's size (50 if ≤ 0).
type Paging struct {
	Before, After *db.Position
	Limit         int
}

// List returns a page of the outbox rows matching f, newest first, without
// their bodies and attachments (Get has them), and whether more rows match
// beyond the page in the direction it was read (older ones, or with After
// newer ones). It reads an index in the log's order from the page's
// position (keyset pagination), so a page costs the same however many
// messages were ever sent and however far back it is.
func (o *Outbox) List(ctx context.Context, f Filter, p Paging) (rows []Entry, more bool, err error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	q := o.DB.WithContext(ctx).Model(&Entry{}).
		Omit("text_body", "html_body", "attachments", "payload")
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.RecipientEmployeeID != "" {
		q = q.Where("recipient_employee_id = ?", f.RecipientEmployeeID)
	}
	order := "created_at DESC, id DESC"
	switch {
	case p.Before != nil:
		q = q.Where("(created_at, id) < (?, ?)", p.Before.At.UTC(), p.Before.ID)
	case p.After != nil:
		q = q.Where("(created_at, id) > (?, ?)", p.After.At.UTC(), p.After.ID)
		order = "created_at, id"
	}
	if err := q.Order(order).Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("list outbox: %w", err)
	}
	if more = len(rows) > limit; more {
		rows = rows[:limit]
	}
	if p.Before == nil && p.After != nil {
		slices.Reverse(rows)
	}
	return rows, more, nil
}

// Get returns one outbox row with its bodies and attachments: a row kept as
// a payload is rendered exactly as delivery renders it.
func (o *Outbox) Get(ctx context.Context, id string) (Entry, error) {
	var e Entry
	err := o.DB.WithContext(ctx).Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get outbox message %s: %w", id, err)
	}
	if e.Payload != "" {
		if o.Renderer == nil {
			return Entry{}, fmt.Errorf("get outbox message %s: no renderer for its payload", id)
		}
		if err := o.Renderer.RenderEntry(&e); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

// CountByState says how many outbox rows stand in each state; every state is
// present, zero or not, so a metrics gauge can report all of them. It reads
// the counts the outbox's triggers keep (migration 00043,
// migrations/outbox_counts.go), a few rows however many messages were
// ever sent.
func (o *Outbox) CountByState(ctx context.Context) (map[State]int, error) {
	var rows []struct {
		State State
		N     int
	}
	err := o.DB.WithContext(ctx).Raw(`SELECT state, CAST(SUM(messages) AS BIGINT) AS n FROM (
		SELECT state, messages FROM outbox_counts UNION ALL SELECT state, messages FROM outbox_count_changes) k
		GROUP BY state`).Scan(&rows).Error
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
	var retried int64
	err := o.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(
			`UPDATE outbox SET state = ?, attempts = 0, next_attempt_at = ?, claimed_until = NULL, first_failed_at = NULL, updated_at = ?
			 WHERE id = ? AND state = ?`,
			StatePending, now, now, id, StateDead)
		retried = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("retry outbox message %s: %w", id, err)
	}
	if retried == 1 {
		return nil
	}
	if _, err := o.Get(ctx, id); err != nil {
		return err
	}
	return ErrNotDead
}
