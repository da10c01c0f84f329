package orientation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"

	"github.com/onramp-lms/onramp/internal/db"
)

// Booking statuses.
const (
	StatusBooked           = "booked"
	StatusWaitlisted       = "waitlisted"
	StatusCancelledBooking = "cancelled"
)

// Attendance values.
const (
	Attended = "attended"
	NoShow   = "no_show"
)

// Booking is one person's place (or wait-list place) on a session, with
// the snapshot of who they were and their attendance.
type Booking struct {
	ID            string
	SessionID     string
	EmployeeID    string
	Status        string
	WaitlistedAt  *time.Time
	BookedBy      string
	Sequence      int
	EmployeeName  string
	JobTitle      string
	Department    string
	Attendance    string
	Late          bool
	LeftEarly     bool
	CheckedInAt   *time.Time
	CheckInMethod string
	MarkedBy      string
	MarkedByName  string
	MarkedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Email is the person's address, filled by the queries that join it.
	Email string `gorm:"-"`
}

// TableName tells GORM the table.
func (Booking) TableName() string { return "session_bookings" }

// bookingsOf returns a session's bookings in the given statuses, with the
// people's e-mail addresses: the booked, then the wait-list first come
// first.
func bookingsOf(tx *gorm.DB, sessionID string, statuses ...string) ([]*Booking, error) {
	var rows []struct {
		Booking
		Addr string
	}
	err := tx.Table("session_bookings AS b").Select("b.*, e.email AS addr").
		Joins("JOIN employees e ON e.id = b.employee_id").
		Where("b.session_id = ? AND b.status IN ?", sessionID, statuses).
		// Booked (no waitlisted_at) first on both databases: PostgreSQL
		// sorts NULL last, SQLite first.
		Order("CASE WHEN b.waitlisted_at IS NULL THEN 0 ELSE 1 END, b.waitlisted_at, b.created_at, b.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	out := make([]*Booking, len(rows))
	for i := range rows {
		b := rows[i].Booking
		b.Email = rows[i].Addr
		out[i] = &b
	}
	return out, nil
}

// MayBookFor reports whether actor may book (or cancel) for employeeID:
// themselves, HR anyone, a manager the people below them.
func (s *Service) MayBookFor(ctx context.Context, actor *people.Employee, employeeID string) (bool, error) {
	switch {
	case actor == nil:
		return false, nil
	case actor.ID == employeeID || actor.Can(people.RoleHRAdmin):
		return true, nil
	case actor.Can(people.RoleManager):
		return report.Manages(ctx, s.DB, actor.ID, employeeID)
	}
	return false, nil
}

// Book gives employeeID a place on the session, or a place on its
// wait-list when it is full. Only the person, their managers and HR may;
// the course must be assigned to the person. The confirmation (with the
// invitation) is queued in the same transaction.
func (s *Service) Book(ctx context.Context, actor *people.Employee, sessionID, employeeID string) (*Booking, error) {
	ok, err := s.MayBookFor(ctx, actor, employeeID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrMayNotBook
	}
	now := s.Clock.Now()
	var b *Booking
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		switch {
		case sess.Cancelled():
			return ErrCancelled
		case !sess.StartsAt.After(now):
			return ErrStarted
		}
		var emp people.Employee
		if err := tx.Where("id = ? AND status = ?", employeeID, people.StatusActive).Take(&emp).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotAssigned
			}
			return fmt.Errorf("load employee: %w", err)
		}
		if _, err := learning.CurrentCycleIn(tx, emp.ID, sess.CourseID); err != nil {
			if errors.Is(err, learning.ErrNotAssigned) {
				return ErrNotAssigned
			}
			return err
		}
		// One upcoming place per course (and module) at a time.
		var other int64
		if err := tx.Table("session_bookings AS b").Joins("JOIN training_sessions s ON s.id = b.session_id").
			Where("b.employee_id = ? AND b.status IN ? AND s.course_id = ? AND s.module_id = ? AND s.status = ? AND s.starts_at > ? AND s.id <> ?",
				emp.ID, []string{StatusBooked, StatusWaitlisted}, sess.CourseID, sess.ModuleID, StatusScheduled, now, sess.ID).
			Count(&other).Error; err != nil {
			return fmt.Errorf("look for other bookings: %w", err)
		}
		if other > 0 {
			return ErrOtherBooking
		}
		var booked int64
		if err := tx.Model(&Booking{}).Where("session_id = ? AND status = ?", sess.ID, StatusBooked).Count(&booked).Error; err != nil {
			return fmt.Errorf("count places: %w", err)
		}
		var existing Booking
		err = tx.Where("session_id = ? AND employee_id = ?", sess.ID, emp.ID).Take(&existing).Error
		switch {
		case err == nil:
			if existing.Status != StatusCancelledBooking {
				b = &existing
				return nil // already booked or waiting: nothing changes
			}
			b = &existing
		case errors.Is(err, gorm.ErrRecordNotFound):
			b = &Booking{ID: db.NewID(), SessionID: sess.ID, EmployeeID: emp.ID, CreatedAt: now}
		default:
			return fmt.Errorf("load booking: %w", err)
		}
		b.Email = emp.Email
		b.EmployeeName, b.JobTitle, b.Department = emp.FullName(), emp.JobTitle, emp.Department
		b.BookedBy, b.UpdatedAt, b.WaitlistedAt = actor.ID, now, nil
		kind := kindBooked
		b.Status = StatusBooked
		if int(booked) >= sess.Capacity {
			b.Status, b.WaitlistedAt, kind = StatusWaitlisted, &now, kindWaitlisted
		}
		if err := tx.Save(b).Error; err != nil {
			return fmt.Errorf("save booking: %w", err)
		}
		if err := s.sendCalendar(tx, sess, b, kind, now); err != nil {
			return err
		}
		what := "Booked"
		if b.Status == StatusWaitlisted {
			what = "Put on the wait-list of"
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "book",
			EntityType: "session_booking", EntityID: b.ID,
			Summary: fmt.Sprintf("%s %s the session of %s on %s.", what, emp.FullName(), s.courseTitle(sess), sess.When()),
			Details: map[string]any{"session_id": sess.ID, "employee_id": emp.ID, "status": b.Status},
		})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// CancelBooking cancels employeeID's place (or wait-list place) on a
// session that has not started. The first person waiting moves up, in the
// same transaction, and is told.
func (s *Service) CancelBooking(ctx context.Context, actor *people.Employee, sessionID, employeeID string) error {
	ok, err := s.MayBookFor(ctx, actor, employeeID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrMayNotBook
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		if !sess.StartsAt.After(now) {
			return ErrStarted
		}
		bs, err := bookingsOf(tx, sess.ID, StatusBooked, StatusWaitlisted)
		if err != nil {
			return err
		}
		var b *Booking
		for _, x := range bs {
			if x.EmployeeID == employeeID {
				b = x
			}
		}
		if b == nil {
			return ErrNotBooked
		}
		kind := kindCancelled
		if b.Status == StatusWaitlisted {
			kind = kindWaitlistEnded
		}
		b.Status, b.UpdatedAt = StatusCancelledBooking, now
		if err := tx.Model(b).Updates(map[string]any{"status": b.Status, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("cancel booking: %w", err)
		}
		if err := s.sendCalendar(tx, sess, b, kind, now); err != nil {
			return err
		}
		if err := s.promote(tx, sess, now); err != nil {
			return err
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "cancel",
			EntityType: "session_booking", EntityID: b.ID,
			Summary: fmt.Sprintf("Cancelled %s's place on the session of %s on %s.", b.EmployeeName, s.courseTitle(sess), sess.When()),
			Details: map[string]any{"session_id": sess.ID, "employee_id": b.EmployeeID},
		})
	})
}

// promote moves people up from the wait-list, first come first, while
// there are free places; each is told, with the invitation.
func (s *Service) promote(tx *gorm.DB, sess *Session, now time.Time) error {
	if sess.Cancelled() || !sess.StartsAt.After(now) {
		return nil
	}
	var booked int64
	if err := tx.Model(&Booking{}).Where("session_id = ? AND status = ?", sess.ID, StatusBooked).Count(&booked).Error; err != nil {
		return fmt.Errorf("count places: %w", err)
	}
	free := sess.Capacity - int(booked)
	if free <= 0 {
		return nil
	}
	waiting, err := bookingsOf(tx, sess.ID, StatusWaitlisted)
	if err != nil {
		return err
	}
	for i, b := range waiting {
		if i >= free {
			break
		}
		b.Status, b.UpdatedAt = StatusBooked, now
		if err := tx.Model(b).Updates(map[string]any{"status": StatusBooked, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("move up from the wait-list: %w", err)
		}
		if err := s.sendCalendar(tx, sess, b, kindMovedUp, now); err != nil {
			return err
		}
		if err := audit.Record(tx, audit.Event{
			At: now, Action: "book", EntityType: "session_booking", EntityID: b.ID,
			Summary: fmt.Sprintf("%s moved up from the wait-list of the session of %s on %s.", b.EmployeeName, s.courseTitle(sess), sess.When()),
			Details: map[string]any{"session_id": sess.ID, "employee_id": b.EmployeeID},
		}); err != nil {
			return err
		}
	}
	return nil
}

// Roster returns a session's bookings (booked, then waiting), with the
// people's e-mail addresses.
func (s *Service) Roster(ctx context.Context, sessionID string) ([]*Booking, error) {
	return bookingsOf(s.DB.WithContext(ctx), sessionID, StatusBooked, StatusWaitlisted)
}

// Attendees returns everyone booked whose attendance was taken or is to
// be taken (the sign-in sheet and the record), by name.
func (s *Service) Attendees(ctx context.Context, sessionID string) ([]*Booking, error) {
	var out []*Booking
	err := s.DB.WithContext(ctx).Where("session_id = ? AND status = ?", sessionID, StatusBooked).
		Order("employee_name, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load attendees: %w", err)
	}
	return out, nil
}

// PersonBooking is one of a person's bookings with its session.
type PersonBooking struct {
	Booking *Booking
	Session *Session
}

// BookingsOf returns a person's bookings (not cancelled) for a course, or
// every course when courseID is "", newest session first: two queries.
func (s *Service) BookingsOf(ctx context.Context, employeeID, courseID string) ([]PersonBooking, error) {
	q := s.DB.WithContext(ctx).Where("employee_id = ? AND status IN ?", employeeID, []string{StatusBooked, StatusWaitlisted})
	var bs []*Booking
	if err := q.Order("created_at DESC").Limit(200).Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	if len(bs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.SessionID
	}
	var sessions []*Session
	sq := s.DB.WithContext(ctx).Where("id IN ?", ids)
	if courseID != "" {
		sq = sq.Where("course_id = ?", courseID)
	}
	if err := sq.Order("starts_at DESC").Find(&sessions).Error; err != nil {
		return nil, fmt.Errorf("load sessions: %w", err)
	}
	byID := map[string]*Booking{}
	for _, b := range bs {
		byID[b.SessionID] = b
	}
	out := make([]PersonBooking, 0, len(sessions))
	for _, se := range sessions {
		out = append(out, PersonBooking{Booking: byID[se.ID], Session: se})
	}
	return out, nil
}
