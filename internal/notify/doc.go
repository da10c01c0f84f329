// Package notify is Onramp's e-mail: the outbox every message goes through,
// the delivery pass that sends it over SMTP, and the messages themselves.
//
// # Writing a message
//
// The compliance engine hands every event of one transaction (one batch of
// a scheduler pass) to Notifier.NotifyAll, inside that transaction:
//
//	err := notifier.NotifyAll(tx, events, clk.Now())
//
// NotifyAll writes one message per person: a person with one event gets the
// message that event always made (Assigned, WindowOpen, DueSoon, DueToday,
// Overdue, Expired, Completed or Nudge); a person with several gets a
// Digest listing them, most urgent first, each with what, why, by when and
// its own link, and one due-dates.ics with an all-day event per assigned
// course. A course assigned (or a refresher opened) together with its
// due-soon reminder is one item saying both ("It is due soon: in 2 days."),
// never "Required training" and "Reminder" in the same pass: an assignment
// whose due date is already within the reminders says so, in the stage the
// engine recorded on the new cycle (Cycle.ReminderStage), and the reminder
// raised beside it in the same call is left out; the recorded stage keeps
// any later pass from raising it again. A manager's
// escalations are one digest (Escalation) listing everyone overdue, kept
// apart from the manager's own training.
//
// Day one: with Notifier.Invite set (ONRAMP_INVITE_NEW_PEOPLE=on, the
// default), a message NotifyAll writes to a person who has no password and
// no set-password link that still works carries a new link above its own
// content ("First, set your password"). The link is made (auth's
// InviteIfNone: one query and one insert per call) in the same transaction
// as the message, so however the person was created (staff import, API,
// "Add person"), their first e-mail lets them sign in, and later e-mails
// add no link while that one works. The token is stored hashed in
// invitations; the live link is in the outbox row's payload only, rendered
// at delivery (and in HR's view of the outbox), and stops working once used
// or after ONRAMP_INVITE_TTL.
//
// Send once: every event keeps its dedupe key (assignment, cycle, kind,
// step; see Key), and NotifyAll writes each key to outbox_keys, in the same
// transaction as the message that carries it (INSERT ... ON CONFLICT DO
// NOTHING RETURNING). An event whose key is already there is left out, so a
// call retried after a rollback, or the same events raised again (alone or
// grouped differently), queue nothing twice; on PostgreSQL a concurrent
// transaction claiming the same key waits and then finds it taken. An event
// about a cycle its own transaction inserted (a course assigned, a
// refresher opened: compliance.Event.NewCycle) is the exception: the new
// cycle's row is its claim, so its key is not written, nor the key of the
// reminder it announces (the row's reminder_stage records that one), which
// spares outbox_keys a row per assignment and per announced reminder. So
// are the events whose rows the engine wrote so that they happen once
// (compliance.Event.Claimed): an expiry (the cycle's move from completed to
// expired, a write that fails if the row moved since it was read), a nudge
// (its nudge_log row) and an escalation digest (the escalations rows it
// took). What still claims keys: reminders, a completion, and the messages
// of Enqueue. A
// message's own dedupe key (UNIQUE in the outbox, and the source of its
// Message-ID) is its event's key, or for a digest DigestKey of its events'
// keys. Because the row is part of the caller's transaction, a message
// exists if and only if its cause was committed.
//
// Render at delivery: the outbox row keeps the kind, the recipient, the
// subject (for HR's log) and a payload, the typed content as JSON, not the
// rendered bodies. The delivery pass renders it just before sending
// (Renderer.RenderEntry), with the row's dedupe key and created time, never
// the delivery time: every try, and HR's view of it (Outbox.Get), is the
// same message. Rows from before migration 00013 have no payload and are
// sent with the bodies they were stored with. For 20 courses assigned at
// once the outbox keeps about 7 KB for the person instead of 67 KB (see
// TestTwentyAssignmentsMakeOneSmallMessage); rendering a 20-course digest
// costs about 2 ms at delivery (BenchmarkRenderAtDelivery).
//
// Other messages (an invitation, say) are composed and queued directly:
//
//	msg, err := svc.Renderer.Compose(key, to, content, clk.Now()) // or ComposeInvitation
//	created, err := notify.Enqueue(tx, msg)
//
// Enqueue keeps a payload when the message has one (Compose sets it) and
// the bodies otherwise, and claims the key in outbox_keys like NotifyAll.
//
// The templates in templates/ make a plain-text and an HTML part for every
// kind, each saying what, why and by when, with links built from
// ONRAMP_BASE_URL. Deciding when to send which message is the scheduler's
// work, not this package's.
//
// # Delivery
//
// Deliverer.Deliver(ctx, now) runs a pass: it claims due rows in batches
// (pending or failed rows whose next_attempt_at has come, and sending rows
// whose claim has expired), sends each, and records each outcome at once.
// A claim sets state=sending and claimed_until=(real time)+5 minutes, by the
// wall clock whatever instant the pass runs as, in a short
// transaction: on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, so
// several instances share the work without sending anything twice; on
// SQLite inside a transaction that holds the write lock from BEGIN. A claim
// counts as a try, so a message that keeps killing its sender dies instead
// of looping. A pass stops starting sends after half the lease (in real
// time), so a live sender never outlives its own claim.
//
// Without a Mailer (no ONRAMP_SMTP_URL, as in the demo) a pass sends nothing
// and messages stay pending, visible to HR at /admin/outbox. Nothing is
// dropped silently: every message ends sent or dead, and dead ones are shown
// with their last error until HR retries them (Outbox.Retry).
//
// Failures: a 5xx reply to the recipient or the content is permanent and the
// message goes dead at once. Anything else (4xx, a dropped connection, a
// server that cannot be reached or refuses the login, a 5xx to MAIL FROM,
// which is about the sender's configuration, not the message) is retried
// after Backoff(attempts): 1, 2, 4, 8, 16, 32, 64 and 128 minutes, then
// every 4 hours, but never later than 24 hours (DeadAfter) after the first
// failed try (first_failed_at). That try is the last: if it fails too, the
// message is dead, 24 hours after its first failed try, quiet hours
// included. Counted from the first failed try, the tries are at:
//
//	0, 1 m, 3 m, 7 m, 15 m, 31 m, 1 h 03, 2 h 07, 4 h 15,
//	8 h 15, 12 h 15, 16 h 15, 20 h 15, 24 h (dead if it fails)
//
// less those that fall in quiet hours (each moves to 07:00). When the server
// cannot be reached at all (refused or timed-out connection, 421 greeting,
// failed TLS or login), the pass charges that same failed try to every other
// due message without connecting again, so an outage moves every waiting
// message along its timetable: after the server returns, each is retried
// within 4 hours; after 24 hours of outage, it is dead.
//
// A message the server accepted (250 to the end of DATA) is sent, whatever
// fails afterwards: go-mail's RSET, QUIT, a connection dropped right after
// the 250. That error is logged, never retried.
//
// Quiet hours: nothing is sent from 20:00 to 07:00 in the recipient's time
// zone (the employee's time_zone, else the organisation's). A message due in
// quiet hours is put back, untried, until 07:00 local.
//
// # Exactly once, and the one window where it is not
//
// The Message-ID is <sha256(dedupe key)[:32]@host of ONRAMP_BASE_URL>, the
// same on every try. A message is marked sent by one UPDATE right after the
// server accepts it. If the process dies between the server's "250 OK" and
// that UPDATE, the row stays sending; when its claim expires the next pass
// sends it again (saying so in last_error). That window is one database
// round trip; SMTP offers no way to close it, and the stable Message-ID lets
// a receiving system recognise the repeat. A process killed anywhere else
// (before the claim, after it but before the SMTP DATA is accepted, after
// the UPDATE) sends each message once.
//
// This package owns the outbox and outbox_keys tables
// (migrations/00004_outbox.sql, 00013_outbox_payload.sql), and reads
// outbox_counts, which the outbox's triggers keep (migrations/outbox_counts.go,
// 00043): how many messages stand in each state. It does not know
// about HTTP: HR's pages call Outbox.List, Outbox.Get, Outbox.Retry and
// Outbox.CountByState. The smtptest package is the in-process SMTP server
// tests use.
package notify
