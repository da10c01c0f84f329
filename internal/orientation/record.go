package orientation

import (
	"context"
	"strings"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// Record is what the sign-in sheet and the attendance record print: the
// session, the course and content version with its summary, the trainer
// and qualification, and the attendees with the name and job title
// snapshot taken when attendance was recorded (or when they booked).
type Record struct {
	Session       *Session
	Title         string
	CourseVersion string
	// Summary is the Markdown of the session steps the session delivers.
	Summary   string
	Attendees []*Booking
}

// Record loads a session's record.
func (s *Service) Record(ctx context.Context, id string) (*Record, error) {
	sess, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	att, err := s.Attendees(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &Record{Session: sess, Title: s.courseTitle(sess), Attendees: att, CourseVersion: sess.CourseVersionID}
	if c := s.Catalog.Course(sess.CourseID); c != nil {
		if c.VersionID == sess.CourseVersionID && len(c.Hash) >= 12 {
			r.CourseVersion = c.Hash[:12] + " (" + sess.CourseVersionID + ")"
		}
		var parts []string
		for _, ref := range s.sessionSteps(sess) {
			parts = append(parts, ref.Step.Title+": "+ref.Step.Markdown)
		}
		r.Summary = strings.Join(parts, "\n\n")
		if r.Summary == "" {
			r.Summary = c.Summary
		}
	}
	return r, nil
}

// AttendanceWords is how a booking's attendance reads on the record.
func AttendanceWords(b *Booking) string {
	return attendanceWords(Mark{Attendance: b.Attendance, Late: b.Late, LeftEarly: b.LeftEarly})
}

var _ = catalog.StepSession
