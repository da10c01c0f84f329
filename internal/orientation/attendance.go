package orientation

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// Check-in methods.
const (
	MethodTrainer = "trainer"
	MethodQR      = "qr"
)

// Mark is the trainer's record for one booking.
type Mark struct {
	BookingID string
	// Attendance is Attended, NoShow or "" (not taken).
	Attendance string
	Late       bool
	LeftEarly  bool
}

// CheckInOpen reports whether attendees may check in at now: from Grace
// before the start to Grace after the end.
func (s *Session) CheckInOpen(now time.Time) bool {
	return !now.Before(s.StartsAt.Add(-Grace)) && !now.After(s.EndsAt.Add(Grace))
}

// Code is the check-in code of the session for the minute holding t: an
// HMAC of the session ID and the minute, keyed by the session's secret,
// as 8 base32 characters.
func (s *Session) Code(t time.Time) string {
	minute := t.UTC().Unix() / 60
	mac := hmac.New(sha256.New, []byte(s.CheckinSecret))
	mac.Write([]byte(s.ID + "\n" + strconv.FormatInt(minute, 10)))
	return base32.StdEncoding.EncodeToString(mac.Sum(nil))[:8]
}

// validCode accepts the code of the current minute, and of the one before
// (a code scanned as the minute turns); older codes are refused.
func (s *Session) validCode(code string, now time.Time) bool {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, t := range []time.Time{now, now.Add(-time.Minute)} {
		if subtle.ConstantTimeCompare([]byte(code), []byte(s.Code(t))) == 1 {
			return true
		}
	}
	return false
}

// sessionSteps are the `session` steps attending completes: those of the
// session's module, or of the whole course.
func (s *Service) sessionSteps(sess *Session) []learning.StepRef {
	c := s.Catalog.Course(sess.CourseID)
	if c == nil {
		return nil
	}
	mods := c.AllModules()
	if m := c.Module(sess.ModuleID); m != nil {
		mods = []*catalog.Module{m}
	}
	return learning.StepsOfType(mods, catalog.StepSession)
}

// TakeAttendance records the trainer's marks (HR or the session's trainer,
// from Grace before the start). Everyone marked attended has the session's
// steps completed, in the same transaction; the job title snapshot is
// taken again as it stands that day.
func (s *Service) TakeAttendance(ctx context.Context, actor *people.Employee, sessionID string, marks []Mark) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		if !sess.MayRun(actor) {
			return ErrForbidden
		}
		if now.Before(sess.StartsAt.Add(-Grace)) {
			return ErrTooEarly
		}
		if sess.Cancelled() {
			return ErrCancelled
		}
		bs, err := bookingsOf(tx, sess.ID, StatusBooked)
		if err != nil {
			return err
		}
		byID := map[string]*Booking{}
		for _, b := range bs {
			byID[b.ID] = b
		}
		var changed []string
		for _, m := range marks {
			b := byID[m.BookingID]
			if b == nil {
				continue // cancelled meanwhile, or not of this session
			}
			switch m.Attendance {
			case Attended, NoShow, "":
			default:
				continue
			}
			if m.Attendance != Attended {
				m.Late, m.LeftEarly = false, false
			}
			if b.Attendance == m.Attendance && b.Late == m.Late && b.LeftEarly == m.LeftEarly {
				continue
			}
			if err := s.mark(tx, sess, b, m, MethodTrainer, actor, now); err != nil {
				return err
			}
			changed = append(changed, b.EmployeeName+": "+attendanceWords(m))
		}
		if len(changed) == 0 {
			return nil
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "attendance",
			EntityType: "training_session", EntityID: sess.ID,
			Summary: fmt.Sprintf("Took attendance of the session of %s on %s: %s.", s.courseTitle(sess), sess.When(), strings.Join(changed, "; ")),
		})
	})
}

func attendanceWords(m Mark) string {
	switch m.Attendance {
	case Attended:
		w := "attended"
		if m.Late {
			w += ", arrived late"
		}
		if m.LeftEarly {
			w += ", left early"
		}
		return w
	case NoShow:
		return "no-show"
	}
	return "not taken"
}

// mark writes one booking's attendance and, for an attendee, completes the
// session's steps.
func (s *Service) mark(tx *gorm.DB, sess *Session, b *Booking, m Mark, method string, actor *people.Employee, now time.Time) error {
	var emp people.Employee
	if err := tx.Where("id = ?", b.EmployeeID).Take(&emp).Error; err != nil {
		return fmt.Errorf("load attendee: %w", err)
	}
	upd := map[string]any{
		"attendance": m.Attendance, "late": m.Late, "left_early": m.LeftEarly, "marked_by": actor.ID,
		"marked_by_name": actor.FullName(), "marked_at": now, "updated_at": now,
		// The snapshot OSHA asks for: name and job title at the time.
		"employee_name": emp.FullName(), "job_title": emp.JobTitle, "department": emp.Department,
	}
	if m.Attendance == Attended && b.CheckedInAt == nil {
		upd["checked_in_at"], upd["check_in_method"] = now, method
	}
	if err := tx.Model(&Booking{}).Where("id = ?", b.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	if m.Attendance != Attended {
		if b.Attendance == Attended {
			return s.unattend(tx, sess, b, &emp, actor, now)
		}
		return nil
	}
	_, err := s.Learning.CompleteByOthers(tx, &emp, sess.CourseID, s.sessionSteps(sess), now)
	if errors.Is(err, learning.ErrNotAssigned) || errors.Is(err, learning.ErrCycleClosed) {
		// Attendance is recorded; there is no open cycle to complete.
		return nil
	}
	return err
}

// CheckIn records that the signed-in attendee is in the room: the code
// must be the one shown now, the person must be booked, and the session
// running (CheckInOpen). It completes the session's steps.
func (s *Service) CheckIn(ctx context.Context, emp *people.Employee, sessionID, code string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		if !sess.CheckInOpen(now) {
			return ErrCheckInClosed
		}
		if sess.Cancelled() {
			return ErrCancelled
		}
		if !sess.validCode(code, now) {
			return ErrBadCode
		}
		var b Booking
		err = tx.Where("session_id = ? AND employee_id = ? AND status = ?", sess.ID, emp.ID, StatusBooked).Take(&b).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrCheckInNoPlace
		}
		if err != nil {
			return fmt.Errorf("load booking: %w", err)
		}
		if b.Attendance == Attended {
			return nil
		}
		late := now.After(sess.StartsAt.Add(Grace))
		if err := s.mark(tx, sess, &b, Mark{BookingID: b.ID, Attendance: Attended, Late: late}, MethodQR, emp, now); err != nil {
			return err
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: emp.ID, ActorName: emp.FullName(), Action: "attendance",
			EntityType: "session_booking", EntityID: b.ID,
			Summary: fmt.Sprintf("%s checked in to the session of %s on %s with the room's QR code.", emp.FullName(), s.courseTitle(sess), sess.When()),
		})
	})
}

// unattend takes back the session's steps completed when the person was
// marked attended (and the course's completion, if that finished it)
// when the trainer now marks them a no-show or clears the mark, unless
// another session they attended delivers the same steps.
func (s *Service) unattend(tx *gorm.DB, sess *Session, b *Booking, emp, actor *people.Employee, now time.Time) error {
	var other int64
	if err := tx.Table("session_bookings AS b").Joins("JOIN training_sessions s ON s.id = b.session_id").
		Where("b.employee_id = ? AND b.id <> ? AND b.status = ? AND b.attendance = ? AND s.course_id = ? AND (s.module_id = ? OR s.module_id = '')",
			emp.ID, b.ID, StatusBooked, Attended, sess.CourseID, sess.ModuleID).Count(&other).Error; err != nil {
		return fmt.Errorf("look for other attendance: %w", err)
	}
	if other > 0 {
		return nil
	}
	why := fmt.Sprintf("%s corrected the attendance of the session of %s on %s", actor.FullName(), s.courseTitle(sess), sess.When())
	_, err := s.Learning.UndoByOthers(tx, actor, emp, sess.CourseID, s.sessionSteps(sess), now, why)
	if errors.Is(err, learning.ErrNotAssigned) || errors.Is(err, learning.ErrCycleClosed) {
		return nil
	}
	return err
}
