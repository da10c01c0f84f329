package httpserver

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
)

// learnerError turns what the learning service refused into a page that
// says what happened and what to do. Anything else passes through (500).
func learnerError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, learning.ErrNotAssigned):
		return echo.NewHTTPError(http.StatusNotFound, "This course isn't assigned to you. Your training page lists everything you need to do.")
	case errors.Is(err, learning.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.Is(err, learning.ErrWrongStepType):
		return echo.NewHTTPError(http.StatusBadRequest, "That action doesn't fit this step. Go back to the step and use its buttons.")
	case errors.Is(err, learning.ErrNoAttemptsLeft):
		return echo.NewHTTPError(http.StatusConflict, "You have used all your attempts at this quiz. Contact your manager or your HR team: they can arrange another try.")
	case errors.Is(err, learning.ErrAlreadyPassed):
		return echo.NewHTTPError(http.StatusConflict, "You have already passed this quiz, so there is no need to take it again.")
	case errors.Is(err, learning.ErrAttemptSubmitted):
		return echo.NewHTTPError(http.StatusConflict, "This attempt has already been submitted and graded; its answers can't be changed. Start a new attempt if you have one left.")
	case errors.Is(err, learning.ErrStepLocked):
		return echo.NewHTTPError(http.StatusConflict, "This step isn't open yet: do the other steps of the course first. The step's page lists what is left.")
	case errors.Is(err, learning.ErrCycleClosed):
		return echo.NewHTTPError(http.StatusConflict, "Nothing more can be recorded for this course right now (it is closed, exempt or expired). Your training page shows what is required.")
	}
	return err
}

// journey loads the signed-in learner's current cycle of the :course.
func (s *Server) journey(c echo.Context) (*learning.Journey, error) {
	j, err := s.Learning.Journey(c.Request().Context(), viewerOf(c).Employee, c.Param("course"))
	return j, learnerError(err)
}

// journeyStep loads the journey and the :module / :step it names.
func (s *Server) journeyStep(c echo.Context) (*learning.Journey, *catalog.Module, *catalog.Step, error) {
	j, err := s.journey(c)
	if err != nil {
		return nil, nil, nil, err
	}
	m, st, err := j.Find(c.Param("module"), c.Param("step"))
	if err != nil {
		return nil, nil, nil, learnerError(err)
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
