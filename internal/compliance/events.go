package compliance

import (
	"time"

	"gorm.io/gorm"
)

// EventKind names something that happened to a cycle that people should
// hear about.
type EventKind string

// The events the engine raises; each becomes at most one message.
const (
	EventAssigned   EventKind = "assigned"
	EventWindowOpen EventKind = "window_open"
	EventReminder   EventKind = "reminder" // Stage says which: due_14, due_3, due_today, overdue_N
	EventEscalation EventKind = "escalation"
	EventExpired    EventKind = "expired"
	EventCompleted  EventKind = "completed"
)

// Event is raised inside the transaction that caused it, so the message it
// leads to is written in that same transaction.
type Event struct {
	Kind EventKind
	// Stage is the reminder stage for EventReminder.
	Stage string
	// Cycle is the cycle concerned (nil for an escalation digest).
	Cycle *Cycle
	// ManagerID and Cycles are set for an escalation digest: one message to
	// one manager about several overdue people.
	ManagerID string
	Cycles    []*Cycle
	// More counts the manager's other overdue cycles this digest stands
	// for without listing them (EscalationListed are listed at most).
	More int
	// NewCycle says Cycle was inserted by the transaction raising the event
	// (a course assigned, a refresher opened): no message about it can have
	// been queued before, so the notifier need not claim the event's own key
	// to send it once. The cycle's row, unique per assignment and number,
	// is the claim: a retried or concurrent transaction that raises the same
	// event must insert the same cycle first, and cannot.
	NewCycle bool
	// Claimed says, like NewCycle, that the transaction raising the event
	// wrote the row that makes it happen once, so the notifier claims no
	// key for it in outbox_keys: an expiry (the cycle's status moved from
	// completed to expired by a write that fails if the row had moved:
	// updateByIDIf), a nudge (its nudge_log row, one per person, course and
	// month), an escalation digest (its cycles' escalations rows, taken by
	// the send: writeDigests). Reminders are not marked: an older Onramp
	// recorded the reminder a course's assignment announced in outbox_keys
	// only, so their keys still decide.
	Claimed bool
}

// Notifier turns events into outbox messages inside the caller's transaction.
// NotifyAll takes every event one transaction (one batch of a pass) raised,
// so that a person given several courses, or several reminders on one day,
// can get one message listing them instead of one message each.
type Notifier interface {
	Notify(tx *gorm.DB, ev Event, now time.Time) error
	NotifyAll(tx *gorm.DB, evs []Event, now time.Time) error
}

func notify(n Notifier, tx *gorm.DB, ev Event, now time.Time) error {
	if n == nil {
		return nil
	}
	return n.Notify(tx, ev, now)
}

func notifyAll(n Notifier, tx *gorm.DB, evs []Event, now time.Time) error {
	if n == nil || len(evs) == 0 {
		return nil
	}
	return n.NotifyAll(tx, evs, now)
}
