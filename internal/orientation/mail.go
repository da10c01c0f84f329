package orientation

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
)

// The e-mails about sessions (outbox kinds).
const (
	kindBooked           notify.Kind = "session_booked"
	kindWaitlisted       notify.Kind = "session_waitlisted"
	kindMovedUp          notify.Kind = "session_moved_up"
	kindUpdated          notify.Kind = "session_updated"
	kindCancelled        notify.Kind = "session_booking_cancelled"
	kindSessionCancelled notify.Kind = "session_cancelled"
	kindWaitlistEnded    notify.Kind = "session_waitlist_ended"
	kindReminder         notify.Kind = "session_reminder"
)

// Kinds lists the outbox kinds this package writes.
var Kinds = []notify.Kind{kindBooked, kindWaitlisted, kindMovedUp, kindUpdated, kindCancelled, kindSessionCancelled, kindWaitlistEnded, kindReminder}

// words are each kind's subject start, first sentence and calendar method
// ("" for none).
var words = map[notify.Kind]struct{ subject, lead, method string }{
	kindBooked:           {"Booked", "You are booked on this session. The invitation for your calendar is attached.", notify.MethodRequest},
	kindWaitlisted:       {"On the wait-list", "The session is full, so you are on its wait-list. If a place opens you move up on your own and we e-mail you the invitation.", ""},
	kindMovedUp:          {"A place opened: you are booked", "A place opened on this session and you moved up from the wait-list: you are booked. The invitation for your calendar is attached.", notify.MethodRequest},
	kindUpdated:          {"Changed", "This session has changed: check the new time and place below. The updated invitation is attached.", notify.MethodRequest},
	kindCancelled:        {"Cancelled: your booking", "Your place on this session is cancelled. The attachment removes it from your calendar. Book another session from the course page.", notify.MethodCancel},
	kindSessionCancelled: {"Cancelled", "This session has been cancelled. The attachment removes it from your calendar. Book another session from the course page.", notify.MethodCancel},
	kindWaitlistEnded:    {"Wait-list ended", "You are no longer on the wait-list of this session. Book another session from the course page.", ""},
	kindReminder:         {"Tomorrow", "A reminder: you are booked on this session tomorrow.", ""},
}

var htmlBody = template.Must(template.New("session").Parse(`<!doctype html>
<html lang="en"><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello {{.Name}},</p>
<p>{{.Lead}}</p>
<table role="presentation">
<tr><th align="left">Session</th><td>{{.Title}}</td></tr>
<tr><th align="left">When</th><td>{{.When}}</td></tr>
<tr><th align="left">Where</th><td>{{.Where}}</td></tr>
<tr><th align="left">Trainer</th><td>{{.Trainer}}</td></tr>
</table>
<p><a href="{{.Link}}">See the course's sessions</a></p>
<p style="color:#555">Sent by Onramp for {{.Org}}.</p>
</body></html>`))

type mailView struct {
	Name, Lead, Title, When, Where, Trainer, Link, Org string
}

// sessionsURL is the learner's page of a course's sessions.
func (s *Service) sessionsURL(courseID string) string {
	u := *s.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/courses/" + courseID + "/sessions"
	return u.String()
}

// sendCalendar queues the e-mail of kind about sess for b's person, with
// an invitation (REQUEST) or a cancellation (CANCEL) when the kind has
// one; each calendar message raises the booking's SEQUENCE.
func (s *Service) sendCalendar(tx *gorm.DB, sess *Session, b *Booking, kind notify.Kind, now time.Time) error {
	w := words[kind]
	if b.Email == "" {
		if err := tx.Table("employees").Select("email").Where("id = ?", b.EmployeeID).Scan(&b.Email).Error; err != nil {
			return fmt.Errorf("load e-mail: %w", err)
		}
	}
	title := s.courseTitle(sess)
	org := s.Org
	if org == "" {
		org = "your organisation"
	}
	first := b.EmployeeName
	if i := strings.IndexByte(first, ' '); i > 0 {
		first = first[:i]
	}
	v := mailView{Name: first, Lead: w.lead, Title: title, When: sess.When(), Where: sess.Where(), Trainer: sess.TrainerName, Link: s.sessionsURL(sess.CourseID), Org: org}
	var h bytes.Buffer
	if err := htmlBody.Execute(&h, v); err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	text := fmt.Sprintf("Hello %s,\n\n%s\n\nSession: %s\nWhen: %s\nWhere: %s\nTrainer: %s\n\nSee the course's sessions: %s\n\nSent by Onramp for %s.\n",
		v.Name, v.Lead, v.Title, v.When, v.Where, v.Trainer, v.Link, org)
	key := fmt.Sprintf("session:%s:%s:%s:%s", sess.ID, b.EmployeeID, kind, db.NewID())
	if kind == kindReminder {
		// Once per person and start time, however often the pass runs.
		key = fmt.Sprintf("session:%s:%s:%s:%d", sess.ID, b.EmployeeID, kind, sess.StartsAt.Unix())
	}
	m := notify.Message{
		DedupeKey: key, Kind: kind, RecipientEmployeeID: b.EmployeeID, ToAddress: b.Email, ToName: b.EmployeeName,
		Subject: w.subject + ": " + title + ", " + sess.When(), Text: text, HTML: h.String(), At: now,
	}
	if w.method != "" {
		b.Sequence++
		if err := tx.Model(&Booking{}).Where("id = ?", b.ID).Update("sequence", b.Sequence).Error; err != nil {
			return fmt.Errorf("raise sequence: %w", err)
		}
		on, oe := s.organizer()
		ev := notify.MeetingEvent{
			UID: "session-" + sess.ID + "-" + b.EmployeeID + "@" + s.BaseURL.Hostname(), Sequence: b.Sequence, Stamp: now,
			Start: sess.StartsAt, End: sess.EndsAt, Summary: title, Location: sess.Where(), URL: v.Link,
			Description:   fmt.Sprintf("%s\nTrainer: %s (%s)", title, sess.TrainerName, sess.TrainerQualification),
			OrganizerName: on, OrganizerEmail: oe, AttendeeName: b.EmployeeName, AttendeeEmail: b.Email,
		}
		name := "session.ics"
		if w.method == notify.MethodCancel {
			name = "cancelled.ics"
		}
		m.Attachments = []notify.Attachment{{Name: name, ContentType: notify.MeetingContentType(w.method), Data: notify.MeetingCalendar(w.method, ev)}}
	}
	if _, err := notify.Enqueue(tx, m); err != nil {
		return err
	}
	return nil
}

// SendReminders queues the day-before reminders whose time has come: it
// reads only the sessions whose reminder_at has passed (an index), and
// clears reminder_at in the same transaction, so each is sent once. It is
// part of the scheduler pass.
func (s *Service) SendReminders(ctx context.Context, now time.Time) (int, error) {
	var ids []string
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Session{}).Where("reminder_at <= ? AND status = ?", now, StatusScheduled).
			Order("reminder_at").Limit(500).Pluck("id", &ids).Error
	}); err != nil {
		return 0, fmt.Errorf("due reminders: %w", err)
	}
	sent := 0
	for _, id := range ids {
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			sess, err := lockSession(tx, id)
			if err != nil {
				return err
			}
			if sess.ReminderAt == nil || sess.ReminderAt.After(now) || sess.Cancelled() {
				return nil
			}
			if err := tx.Model(&Session{}).Where("id = ?", id).Update("reminder_at", nil).Error; err != nil {
				return fmt.Errorf("clear reminder: %w", err)
			}
			if !sess.StartsAt.After(now) {
				return nil // too late for "tomorrow"
			}
			bs, err := bookingsOf(tx, id, StatusBooked)
			if err != nil {
				return err
			}
			for _, b := range bs {
				if err := s.sendCalendar(tx, sess, b, kindReminder, now); err != nil {
					return err
				}
				sent++
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
