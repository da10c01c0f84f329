package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
)

// OrientationCourse is the shipped orientation course (content/orientation):
// the demo assigns it to the new clinical staff only, not to everyone.
const OrientationCourse = "orientation"

// Educator is the demo's clinical nurse educator: the trainer of the
// orientation days and an observer (preceptor) for the skills check-off.
const Educator = "educator@onramp.test"

// The orientation story: who is assigned the course, and what happened.
var (
	// orientees are assigned the orientation course.
	orientees = []string{"newhire@onramp.test", "staff@onramp.test", "li.chen@onramp.test", "rosa.alvarez@onramp.test", "fatima.siddiqui@onramp.test"}
	// pastDay attended the session PastSessionDaysAgo days ago: attended,
	// attended but late, and a no-show.
	pastDay = []struct {
		email string
		mark  orientation.Mark
	}{
		{"staff@onramp.test", orientation.Mark{Attendance: orientation.Attended}},
		{"li.chen@onramp.test", orientation.Mark{Attendance: orientation.Attended, Late: true}},
		{"rosa.alvarez@onramp.test", orientation.Mark{Attendance: orientation.NoShow}},
	}
	// nextWeek are booked, in order, on next week's session, which has
	// NextSessionPlaces places: the last is on its wait-list.
	nextWeek = []string{"newhire@onramp.test", "rosa.alvarez@onramp.test", "fatima.siddiqui@onramp.test"}
)

// Days of the demo's two orientation sessions, and next week's places.
const (
	PastSessionDaysAgo   = 10
	NextSessionInDays    = 7
	NextSessionPlaces    = 2
	trainerQualification = "RN, MSN; Clinical Nurse Educator, certified in infection control (CIC)"
)

// seedOrientation assigns the orientation course to the new clinical staff
// and fills in its story: a past session with attendance taken, next
// week's session with people booked and one on the wait-list, the
// educator named an observer with Sam's check-off half done, and a
// question asked of the course's contact.
func seedOrientation(ctx context.Context, a *app.App, byEmail map[string]*people.Employee) error {
	if a.Catalog.Course(OrientationCourse) == nil {
		return nil // content without the orientation course
	}
	now := a.Clock.Now()
	hr, educator, sam := byEmail["hr@onramp.test"], byEmail[Educator], byEmail["staff@onramp.test"]
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		for _, email := range orientees {
			e := byEmail[email]
			due := e.HireDate.AddDate(0, 0, 30)
			why := fmt.Sprintf("due %s: 30 days after your hire date, %s", compliance.FormatDay(due), compliance.FormatDay(*e.HireDate))
			if _, err := compliance.Assign(tx, e.ID, OrientationCourse, *e.HireDate, due, why); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// At is the orientation service on another day's clock (the past
	// session was scheduled, booked and attended back then).
	at := func(t time.Time) *orientation.Service {
		s := *a.Orientation
		s.Clock = clock.NewFake(t)
		return &s
	}
	day := func(days int) string { return compliance.Day(now).AddDate(0, 0, days).Format("2006-01-02") }
	in := orientation.ScheduleInput{
		CourseID: OrientationCourse, Start: "08:30", End: "16:00", TimeZone: "Europe/London",
		Place: "Education Centre, Seminar Room 2", TrainerEmail: Educator, TrainerQualification: trainerQualification,
	}

	past := in
	past.Date, past.Capacity = day(-PastSessionDaysAgo), "12"
	scheduled := now.AddDate(0, 0, -PastSessionDaysAgo-14)
	sess, err := at(scheduled).Schedule(ctx, hr, past)
	if err != nil {
		return fmt.Errorf("schedule the past session: %w", err)
	}
	var marks []orientation.Mark
	for _, p := range pastDay {
		b, err := at(scheduled.Add(time.Hour)).Book(ctx, hr, sess.ID, byEmail[p.email].ID)
		if err != nil {
			return fmt.Errorf("book %s on the past session: %w", p.email, err)
		}
		m := p.mark
		m.BookingID = b.ID
		marks = append(marks, m)
	}
	if err := at(sess.StartsAt.Add(40*time.Minute)).TakeAttendance(ctx, educator, sess.ID, marks); err != nil {
		return fmt.Errorf("take attendance of the past session: %w", err)
	}

	next := in
	next.Date, next.Capacity = day(NextSessionInDays), fmt.Sprint(NextSessionPlaces)
	up, err := a.Orientation.Schedule(ctx, hr, next)
	if err != nil {
		return fmt.Errorf("schedule next week's session: %w", err)
	}
	for _, email := range nextWeek {
		// Each books their own place.
		if _, err := a.Orientation.Book(ctx, byEmail[email], up.ID, byEmail[email].ID); err != nil {
			return fmt.Errorf("book %s on next week's session: %w", email, err)
		}
	}

	// Sam read the page before the day and attended; his preceptor has
	// observed half of the skills so far.
	if _, err := a.Learning.CompleteStep(ctx, sam, OrientationCourse, "before-the-day", "what-to-expect"); err != nil {
		return err
	}
	if err := a.Orientation.AddObserver(ctx, hr, Educator, OrientationCourse, "Nursing"); err != nil {
		return err
	}
	observed := map[string]orientation.SkillInput{
		"hand-hygiene": {Status: "met"},
		"ppe":          {Status: "met"},
		"vital-signs":  {Status: "met", Comment: "Chose the large cuff for a large arm without prompting."},
		"glucose":      {Status: "not_met", Comment: "Skipped the meter's quality-control check; to be observed again."},
	}
	if err := at(now.AddDate(0, 0, -2)).MarkSkills(ctx, educator, sam.ID, OrientationCourse, "clinical-skills", "core-skills", observed); err != nil {
		return fmt.Errorf("mark Sam's skills: %w", err)
	}
	if _, err := at(now.AddDate(0, 0, -1)).Ask(ctx, sam, OrientationCourse,
		"Can my glucose check-off be observed again on a night shift, or only during the day?"); err != nil {
		return err
	}
	return nil
}
