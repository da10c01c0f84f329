package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Kind is which message of the reminder policy an e-mail is.
type Kind string

// The kinds of message Onramp sends.
const (
	// KindAssigned tells a person a course was assigned to them, with an .ics
	// for the due date.
	KindAssigned Kind = "assigned"
	// KindWindowOpen tells a person their refresher can be taken now.
	KindWindowOpen Kind = "window_open"
	// KindDueSoon reminds a person a course is due in a few days (14 and 3 by
	// default; the scheduler decides).
	KindDueSoon Kind = "due_soon"
	// KindDueToday reminds a person a course is due today.
	KindDueToday Kind = "due_today"
	// KindOverdue tells a person a course is overdue (repeating, capped).
	KindOverdue Kind = "overdue"
	// KindEscalation is the digest a manager gets listing the people on their
	// team who are overdue.
	KindEscalation Kind = "escalation"
	// KindExpired tells a person their certificate has expired.
	KindExpired Kind = "expired"
	// KindCompleted confirms a completion, with the certificate link.
	KindCompleted Kind = "completed"
	// KindNudge is the monthly refresher nudge: one guideline, one question.
	KindNudge Kind = "nudge"
)

// Kinds lists every kind, in the order a person meets them.
var Kinds = []Kind{
	KindAssigned, KindWindowOpen, KindDueSoon, KindDueToday, KindOverdue,
	KindEscalation, KindExpired, KindCompleted, KindNudge,
}

// State is where an outbox row is on its way out.
type State string

// The outbox states.
const (
	// StatePending has never been tried.
	StatePending State = "pending"
	// StateSending is claimed by a sender until its claim expires.
	StateSending State = "sending"
	// StateSent was accepted by the mail server.
	StateSent State = "sent"
	// StateFailed failed and will be retried at its next attempt time.
	StateFailed State = "failed"
	// StateDead was given up on: rejected permanently, or still failing 24
	// hours (DeadAfter) after its first failed try.
	// HR sees it and can retry it.
	StateDead State = "dead"
)

// States lists every state, in the order a message passes through them.
var States = []State{StatePending, StateSending, StateSent, StateFailed, StateDead}

// Message is one e-mail to put in the outbox. Compose builds one from a
// typed Content; Enqueue writes it.
type Message struct {
	// DedupeKey makes the message exist once: a second Enqueue with the same
	// key does nothing. Build it with Key or DigestKey.
	DedupeKey string
	Kind      Kind
	// RecipientEmployeeID is the employee the message goes to, if it goes to
	// one; their time zone decides the quiet hours. Empty for none.
	RecipientEmployeeID string
	ToAddress           string
	ToName              string
	Subject             string
	Text                string
	HTML                string
	Attachments         []Attachment
	// Payload, when set, is the message's content as JSON (see Compose):
	// the outbox keeps it instead of Text, HTML and Attachments, and
	// renders it when the message is delivered.
	Payload string
	// At is when the change that caused the message happened, from the
	// caller's Clock. The message may be delivered from then on.
	At time.Time

	// payloadType and payloadBody are Payload's parts (encodePayload).
	payloadType Kind
	payloadBody []byte
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	// Data is the content; JSON carries it as base64.
	Data []byte `json:"data"`
}

// Recipient is who a message goes to.
type Recipient struct {
	// EmployeeID is empty when the recipient is not an employee.
	EmployeeID string
	Name       string
	Address    string
}

// Key builds the dedupe key of a reminder from what PRODUCT.md says
// identifies it: the assignment, the cycle, the kind and the step (for
// example "14" for "due in 14 days", "2" for the second overdue reminder, or
// "" when a kind has one step). Parts are joined with ":", which no ID or
// kind contains.
func Key(assignmentID, cycleID string, kind Kind, step string) string {
	return strings.Join([]string{assignmentID, cycleID, string(kind), step}, ":")
}

// DigestKey builds the dedupe key of a digest to one person (a manager's
// escalation): the recipient, the kind and the set of cycles it reports, in
// any order. The same people reported again give the same key, so a digest is
// not sent twice; the scheduler must still remember which cycles it has
// escalated, so that a later digest lists only the new ones.
func DigestKey(recipientEmployeeID string, kind Kind, cycleIDs []string) string {
	ids := append([]string(nil), cycleIDs...)
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return Key("employee-"+recipientEmployeeID, "", kind, hex.EncodeToString(sum[:16]))
}

// MessageID returns the Message-ID header value for a dedupe key:
// <first 32 hex digits of sha256(key)@host>. It is the same on every retry,
// so a receiver that saw the message once can tell a repeat.
func MessageID(dedupeKey, host string) string {
	if host == "" {
		host = "onramp.invalid"
	}
	sum := sha256.Sum256([]byte(dedupeKey))
	return "<" + hex.EncodeToString(sum[:])[:32] + "@" + host + ">"
}
