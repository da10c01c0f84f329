package orientation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// Session statuses.
const (
	StatusScheduled = "scheduled"
	StatusCancelled = "cancelled"
)

// Grace is how long before a session starts and after it ends attendees
// may check in (and from when the trainer may take attendance).
const Grace = 15 * time.Minute

// Service schedules sessions, books people and takes attendance.
type Service struct {
	DB       *db.DB
	Clock    clock.Clock
	Catalog  *catalog.Catalog
	Learning *learning.Service
	// BaseURL builds the links in e-mails and the QR code.
	BaseURL *url.URL
	// From is the sender of Onramp's e-mail (ONRAMP_MAIL_FROM): the
	// organizer of the invitations.
	From string
	// Org is the organisation's name (ONRAMP_ORG_NAME), or "".
	Org string
}

// Session is one scheduled instructor-led session.
type Session struct {
	ID                   string
	CourseID             string
	ModuleID             string
	CourseVersionID      string
	StartsAt             time.Time
	EndsAt               time.Time
	TimeZone             string
	Place                string
	VideoURL             string
	Capacity             int
	TrainerEmployeeID    *string
	TrainerName          string
	TrainerQualification string
	Status               string
	Sequence             int
	ReminderAt           *time.Time
	CheckinSecret        string `json:"-"`
	CreatedBy            string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	CancelledAt          *time.Time
}

// TableName tells GORM the table.
func (Session) TableName() string { return "training_sessions" }

// Location is the session's time zone (UTC if unknown).
func (s *Session) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// When is the session's date and times in its own time zone.
func (s *Session) When() string {
	loc := s.Location()
	a, b := s.StartsAt.In(loc), s.EndsAt.In(loc)
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		return a.Format("Monday 2 January 2006, 15:04") + "–" + b.Format("15:04") + " (" + s.TimeZone + ")"
	}
	return a.Format("Monday 2 January 2006, 15:04") + " – " + b.Format("Monday 2 January 2006, 15:04") + " (" + s.TimeZone + ")"
}

// Where is the place and the video link, whichever are given.
func (s *Session) Where() string {
	switch {
	case s.Place != "" && s.VideoURL != "":
		return s.Place + " or online: " + s.VideoURL
	case s.VideoURL != "":
		return "Online: " + s.VideoURL
	}
	return s.Place
}

// Cancelled reports whether the session was cancelled.
func (s *Session) Cancelled() bool { return s.Status == StatusCancelled }

// Trainer is who runs the session: an employee (ID set) or an external
// trainer known by name.
func (s *Session) Trainer() string { return s.TrainerName }

// IsTrainer reports whether the employee is the session's trainer.
func (s *Session) IsTrainer(e *people.Employee) bool {
	return e != nil && s.TrainerEmployeeID != nil && *s.TrainerEmployeeID == e.ID
}

// MayRun reports whether e may see the roster and take attendance: HR and
// the session's trainer.
func (s *Session) MayRun(e *people.Employee) bool {
	return e != nil && (e.Can(people.RoleHRAdmin) || s.IsTrainer(e))
}

// ScheduleInput is HR's form for a session, as typed.
type ScheduleInput struct {
	CourseID string
	// ModuleID is "" for the whole course.
	ModuleID string
	// Date is YYYY-MM-DD, Start and End HH:MM in TimeZone.
	Date, Start, End string
	TimeZone         string
	Place            string
	VideoURL         string
	Capacity         string
	// TrainerEmail names an employee trainer; TrainerName an external one
	// (one of the two).
	TrainerEmail         string
	TrainerName          string
	TrainerQualification string
}

// Form field names, shared with the HTTP form and its error summary.
const (
	FieldCourse        = "course"
	FieldModule        = "module"
	FieldDate          = "date"
	FieldStart         = "start"
	FieldEnd           = "end"
	FieldTimeZone      = "time_zone"
	FieldPlace         = "place"
	FieldVideoURL      = "video_url"
	FieldCapacity      = "capacity"
	FieldTrainerEmail  = "trainer_email"
	FieldTrainerName   = "trainer_name"
	FieldQualification = "trainer_qualification"
)

// checked is a valid ScheduleInput.
type checked struct {
	course           *catalog.Course
	moduleID         string
	start, end       time.Time
	tz, place, video string
	capacity         int
	trainer          *people.Employee
	trainerName      string
	qualification    string
}

// check validates in and names every bad field.
func (s *Service) check(tx *gorm.DB, in ScheduleInput) (checked, error) {
	var out checked
	var probs []apperr.Problem
	bad := func(field, msg string) { probs = append(probs, apperr.Problem{Field: field, Message: msg}) }
	out.course = s.Catalog.Course(strings.TrimSpace(in.CourseID))
	if out.course == nil {
		bad(FieldCourse, "Choose the course the session is for.")
	} else {
		mods := out.course.AllModules()
		if id := strings.TrimSpace(in.ModuleID); id != "" {
			m := out.course.Module(id)
			if m == nil {
				bad(FieldModule, "Choose a module of "+out.course.Title+", or the whole course.")
			} else {
				mods = []*catalog.Module{m}
				out.moduleID = id
			}
		}
		if out.course != nil && len(learning.StepsOfType(mods, catalog.StepSession)) == 0 && len(probs) == 0 {
			bad(FieldModule, "This has no `session` step, so attending could not count: choose a course or module with a classroom session step.")
		}
	}
	out.tz = strings.TrimSpace(in.TimeZone)
	loc, err := time.LoadLocation(out.tz)
	if out.tz == "" || err != nil {
		bad(FieldTimeZone, "Enter a time zone such as Europe/London or America/New_York.")
		loc = time.UTC
	}
	day, derr := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), loc)
	if derr != nil {
		bad(FieldDate, "Enter the date as YYYY-MM-DD, e.g. 2026-12-08.")
	}
	clockOf := func(field, v, what string) (time.Duration, bool) {
		t, err := time.Parse("15:04", strings.TrimSpace(v))
		if err != nil {
			bad(field, "Enter the "+what+" time as HH:MM, e.g. 09:00.")
			return 0, false
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
	}
	st, ok1 := clockOf(FieldStart, in.Start, "start")
	en, ok2 := clockOf(FieldEnd, in.End, "end")
	if derr == nil && ok1 && ok2 {
		out.start = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(st).UTC()
		out.end = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(en).UTC()
		if !out.end.After(out.start) {
			bad(FieldEnd, "The end time must be after the start time.")
		} else if !out.start.After(s.Clock.Now()) {
			bad(FieldDate, "The session must start in the future.")
		}
	}
	out.place = strings.TrimSpace(in.Place)
	out.video = strings.TrimSpace(in.VideoURL)
	if out.video != "" {
		if u, err := url.Parse(out.video); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(FieldVideoURL, "Enter the video-call link as a full address starting with https://.")
		}
	}
	if out.place == "" && out.video == "" {
		bad(FieldPlace, "Enter the room, or a video-call link.")
	}
	out.capacity, err = strconv.Atoi(strings.TrimSpace(in.Capacity))
	if err != nil || out.capacity < 1 || out.capacity > 1000 {
		bad(FieldCapacity, "Enter how many people the session takes: a whole number from 1 to 1000.")
	}
	email := strings.TrimSpace(in.TrainerEmail)
	out.trainerName = strings.Join(strings.Fields(in.TrainerName), " ")
	switch {
	case email != "" && out.trainerName != "":
		bad(FieldTrainerEmail, "Give either an employee's e-mail or an external trainer's name, not both.")
	case email != "":
		var e people.Employee
		err := tx.Where("LOWER(email) = ? AND status = ?", strings.ToLower(email), people.StatusActive).Take(&e).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			bad(FieldTrainerEmail, "No active employee has the e-mail "+email+": check it, or name an external trainer instead.")
		case err != nil:
			return out, fmt.Errorf("find trainer: %w", err)
		default:
			out.trainer, out.trainerName = &e, e.FullName()
		}
	case out.trainerName == "":
		bad(FieldTrainerEmail, "Enter the trainer: an employee's e-mail, or an external trainer's name.")
	}
	out.qualification = strings.Join(strings.Fields(in.TrainerQualification), " ")
	if out.qualification == "" {
		bad(FieldQualification, "Enter the trainer's qualification as it stands on the day (e.g. RN, BSN; certified infection-control instructor).")
	}
	if len(probs) > 0 {
		return out, apperr.InvalidInput("The session was not saved: correct the fields below.", probs...)
	}
	return out, nil
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// reminderAt is when the day-before reminder is due, or nil when the
// session starts within a day (the confirmation is the reminder).
func reminderAt(start, now time.Time) *time.Time {
	at := start.Add(-24 * time.Hour)
	if !at.After(now) {
		return nil
	}
	return &at
}

// Schedule creates a session (HR only), with an audit entry.
func (s *Service) Schedule(ctx context.Context, actor *people.Employee, in ScheduleInput) (*Session, error) {
	if actor == nil || !actor.Can(people.RoleHRAdmin) {
		return nil, ErrForbidden
	}
	now := s.Clock.Now()
	var sess *Session
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.check(tx, in)
		if err != nil {
			return err
		}
		sess = &Session{
			ID: db.NewID(), CourseID: c.course.ID, ModuleID: c.moduleID, CourseVersionID: c.course.VersionID,
			StartsAt: c.start, EndsAt: c.end, TimeZone: c.tz, Place: c.place, VideoURL: c.video, Capacity: c.capacity,
			TrainerName: c.trainerName, TrainerQualification: c.qualification, Status: StatusScheduled,
			ReminderAt: reminderAt(c.start, now), CheckinSecret: randomSecret(), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
		}
		if c.trainer != nil {
			sess.TrainerEmployeeID = &c.trainer.ID
		}
		if err := tx.Create(sess).Error; err != nil {
			return fmt.Errorf("schedule session: %w", err)
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: audit.ActionCreate,
			EntityType: "training_session", EntityID: sess.ID,
			Summary: fmt.Sprintf("Scheduled a session of %s on %s, trainer %s (%s).", c.course.Title, sess.When(), sess.TrainerName, sess.TrainerQualification),
			Details: map[string]any{"course_id": sess.CourseID, "module_id": sess.ModuleID, "starts_at": sess.StartsAt, "ends_at": sess.EndsAt,
				"time_zone": sess.TimeZone, "place": sess.Place, "video_url": sess.VideoURL, "capacity": sess.Capacity,
				"trainer_employee_id": sess.TrainerEmployeeID, "trainer_name": sess.TrainerName, "trainer_qualification": sess.TrainerQualification},
		})
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// Update changes a session's time, place, capacity or trainer (HR only);
// every booked person gets the updated invitation (a higher SEQUENCE).
func (s *Service) Update(ctx context.Context, actor *people.Employee, id string, in ScheduleInput) error {
	if actor == nil || !actor.Can(people.RoleHRAdmin) {
		return ErrForbidden
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, id)
		if err != nil {
			return err
		}
		if sess.Cancelled() {
			return ErrCancelled
		}
		in.CourseID = sess.CourseID
		c, err := s.check(tx, in)
		if err != nil {
			return err
		}
		before := *sess
		sess.ModuleID, sess.StartsAt, sess.EndsAt, sess.TimeZone = c.moduleID, c.start, c.end, c.tz
		sess.Place, sess.VideoURL, sess.Capacity = c.place, c.video, c.capacity
		sess.TrainerName, sess.TrainerQualification, sess.TrainerEmployeeID = c.trainerName, c.qualification, nil
		if c.trainer != nil {
			sess.TrainerEmployeeID = &c.trainer.ID
		}
		sess.Sequence++
		sess.ReminderAt = reminderAt(c.start, now)
		sess.UpdatedAt = now
		if err := tx.Save(sess).Error; err != nil {
			return fmt.Errorf("update session: %w", err)
		}
		bookings, err := bookingsOf(tx, sess.ID, StatusBooked)
		if err != nil {
			return err
		}
		for _, b := range bookings {
			if err := s.sendCalendar(tx, sess, b, kindUpdated, now); err != nil {
				return err
			}
		}
		// More places may have opened.
		if err := s.promote(tx, sess, now); err != nil {
			return err
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: audit.ActionUpdate,
			EntityType: "training_session", EntityID: sess.ID,
			Summary: fmt.Sprintf("Changed the session of %s: now %s, %s, trainer %s.", s.courseTitle(sess), sess.When(), sess.Where(), sess.TrainerName),
			Details: map[string]any{"before": map[string]any{"starts_at": before.StartsAt, "ends_at": before.EndsAt, "place": before.Place, "video_url": before.VideoURL, "capacity": before.Capacity, "trainer_name": before.TrainerName},
				"after": map[string]any{"starts_at": sess.StartsAt, "ends_at": sess.EndsAt, "place": sess.Place, "video_url": sess.VideoURL, "capacity": sess.Capacity, "trainer_name": sess.TrainerName}},
		})
	})
}

// CancelSession cancels a session (HR only): everyone booked or waiting
// gets a cancellation (METHOD:CANCEL for those who had the invitation).
func (s *Service) CancelSession(ctx context.Context, actor *people.Employee, id string) error {
	if actor == nil || !actor.Can(people.RoleHRAdmin) {
		return ErrForbidden
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		sess, err := lockSession(tx, id)
		if err != nil {
			return err
		}
		if sess.Cancelled() {
			return nil
		}
		sess.Status, sess.CancelledAt, sess.ReminderAt, sess.UpdatedAt = StatusCancelled, &now, nil, now
		sess.Sequence++
		if err := tx.Save(sess).Error; err != nil {
			return fmt.Errorf("cancel session: %w", err)
		}
		bookings, err := bookingsOf(tx, sess.ID, StatusBooked, StatusWaitlisted)
		if err != nil {
			return err
		}
		for _, b := range bookings {
			kind := kindSessionCancelled
			if b.Status == StatusWaitlisted {
				kind = kindWaitlistEnded
			}
			if err := s.sendCalendar(tx, sess, b, kind, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&Booking{}).Where("session_id = ? AND status IN ?", sess.ID, []string{StatusBooked, StatusWaitlisted}).
			Updates(map[string]any{"status": StatusCancelledBooking, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("cancel bookings: %w", err)
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "cancel",
			EntityType: "training_session", EntityID: sess.ID,
			Summary: fmt.Sprintf("Cancelled the session of %s on %s (%d people told).", s.courseTitle(sess), sess.When(), len(bookings)),
		})
	})
}

func (s *Service) courseTitle(sess *Session) string {
	if c := s.Catalog.Course(sess.CourseID); c != nil {
		if m := c.Module(sess.ModuleID); m != nil {
			return c.Title + ": " + m.Title
		}
		return c.Title
	}
	return sess.CourseID
}

// Title is what the session is of: the course, and the module if one.
func (s *Service) Title(sess *Session) string { return s.courseTitle(sess) }

// lockSession reads a session for update: writing its row first holds
// other writers to the same session back until the transaction ends (a row
// lock on PostgreSQL, the write lock on SQLite), so two people cannot take
// the last place at once.
func lockSession(tx *gorm.DB, id string) (*Session, error) {
	res := tx.Exec(`UPDATE training_sessions SET sequence = sequence WHERE id = ?`, id)
	if res.Error != nil {
		return nil, fmt.Errorf("lock session: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	var sess Session
	if err := tx.Where("id = ?", id).Take(&sess).Error; err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	return &sess, nil
}

// Get returns a session.
func (s *Service) Get(ctx context.Context, id string) (*Session, error) {
	var sess Session
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	return &sess, nil
}

// Listed is a session with how many are booked and waiting.
type Listed struct {
	*Session
	Booked, Waiting int
}

// Full reports whether every place is taken.
func (l Listed) Full() bool { return l.Booked >= l.Capacity }

// Filter narrows List.
type Filter struct {
	CourseID string
	// From lists sessions ending at or after it (zero: all).
	From time.Time
	// Before lists sessions starting before it, newest first (keyset
	// paging backwards); zero: none.
	Before time.Time
	// TrainerID lists one trainer's sessions.
	TrainerID string
	// Scheduled leaves cancelled sessions out.
	Scheduled bool
	// AfterAt and AfterID page forwards by (starts_at, id) (the API).
	AfterAt time.Time
	AfterID string
	Limit   int
}

// List returns sessions with their counts: two queries whatever the
// number of sessions.
func (s *Service) List(ctx context.Context, f Filter) ([]Listed, error) {
	q := s.DB.WithContext(ctx).Model(&Session{})
	if f.CourseID != "" {
		q = q.Where("course_id = ?", f.CourseID)
	}
	if f.TrainerID != "" {
		q = q.Where("trainer_employee_id = ?", f.TrainerID)
	}
	if f.Scheduled {
		q = q.Where("status = ?", StatusScheduled)
	}
	order := "starts_at, id"
	if !f.From.IsZero() {
		q = q.Where("ends_at >= ?", f.From)
	}
	if f.AfterID != "" {
		q = q.Where("(starts_at > ? OR (starts_at = ? AND id > ?))", f.AfterAt, f.AfterAt, f.AfterID)
	}
	if !f.Before.IsZero() {
		q = q.Where("starts_at < ?", f.Before)
		order = "starts_at DESC, id DESC"
	}
	if f.Limit <= 0 || f.Limit > 1001 {
		f.Limit = 100
	}
	var rows []*Session
	if err := q.Order(order).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]Listed, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = Listed{Session: r}
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var counts []struct {
		SessionID string
		Status    string
		N         int
	}
	if err := s.DB.WithContext(ctx).Model(&Booking{}).Select("session_id, status, COUNT(*) AS n").
		Where("session_id IN ? AND status IN ?", ids, []string{StatusBooked, StatusWaitlisted}).
		Group("session_id, status").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count bookings: %w", err)
	}
	idx := map[string]int{}
	for i, id := range ids {
		idx[id] = i
	}
	for _, c := range counts {
		if c.Status == StatusBooked {
			out[idx[c.SessionID]].Booked = c.N
		} else {
			out[idx[c.SessionID]].Waiting = c.N
		}
	}
	return out, nil
}

// organizer parses the sender address for the invitations.
func (s *Service) organizer() (name, email string) {
	a, err := mail.ParseAddress(s.From)
	if err != nil {
		return "Onramp", "onramp@localhost"
	}
	if a.Name == "" {
		a.Name = "Onramp"
	}
	return a.Name, a.Address
}

// refresh marks the people's report rows for a refresh after a change to
// their steps (report.RefreshEmployees, in the change's transaction).
func refresh(tx *gorm.DB, now time.Time, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return report.RefreshEmployees(tx, now, ids)
}
