package httpserver

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
)

// journey loads the signed-in learner's current cycle of the :course.
func (s *Server) journey(c echo.Context) (*learning.Journey, error) {
	j, err := s.Learning.Journey(c.Request().Context(), viewerOf(c).Employee, c.Param("course"))
	return j, err
}

// journeyStep loads the journey and the :module / :step it names.
func (s *Server) journeyStep(c echo.Context) (*learning.Journey, *catalog.Module, *catalog.Step, error) {
	j, err := s.journey(c)
	if err != nil {
		return nil, nil, nil, err
	}
	m, st, err := j.Find(c.Param("module"), c.Param("step"))
	if err != nil {
		return nil, nil, nil, err
	}
	return j, m, st, nil
}

func courseURL(courseID string) string { return "/courses/" + url.PathEscape(courseID) }

func moduleURL(courseID, moduleID string) string {
	return courseURL(courseID) + "/modules/" + url.PathEscape(moduleID)
}

func stepURL(courseID, moduleID, stepID string) string {
	return moduleURL(courseID, moduleID) + "/steps/" + url.PathEscape(stepID)
}

func mediaURL(courseID, p string) string {
	return courseURL(courseID) + "/media/" + (&url.URL{Path: p}).EscapedPath()
}

func certificateURL(code string) string { return "/certificates/" + url.PathEscape(code) }

// verifyURL is the public address of a certificate's check, for the PDF and
// the printed page.
func (s *Server) verifyURL(code string) string {
	base := ""
	if s.Config.BaseURL != nil {
		base = s.Config.BaseURL.String()
	}
	return base + "/verify/" + learning.FormatCode(code)
}

// afterStep says where to go once a step is done: the finished page when
// the course is complete, else the next step, else back to where the
// learner left off.
func afterStep(j *learning.Journey, m *catalog.Module, st *catalog.Step) string {
	if j.Cycle.Status == compliance.StatusCompleted && j.AllDone() {
		if nm, nst := j.Next(m, st); nm != nil && !j.Done(nm.ID, nst.ID) {
			return stepURL(j.Course.ID, nm.ID, nst.ID)
		}
		return courseURL(j.Course.ID) + "/finished"
	}
	if nm, nst := j.Next(m, st); nm != nil {
		return stepURL(j.Course.ID, nm.ID, nst.ID)
	}
	if rm, _ := j.Resume(); rm != nil && !j.AllDone() {
		return moduleURL(j.Course.ID, rm.ID)
	}
	return courseURL(j.Course.ID)
}

func formatDay(t time.Time) string { return compliance.FormatDay(t) }

func formatDayPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return compliance.FormatDay(*t)
}

// formatMoment is a time to the minute, in UTC, as evidence shows it.
func formatMoment(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

func formatMomentPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatMoment(*t)
}
