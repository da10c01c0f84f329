package httpserver

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/orientation"
)

type apiSession struct {
	ID                   string    `json:"id"`
	CourseID             string    `json:"course_id"`
	CourseTitle          string    `json:"course_title"`
	ModuleID             string    `json:"module_id,omitempty"`
	Status               string    `json:"status"`
	StartsAt             time.Time `json:"starts_at"`
	EndsAt               time.Time `json:"ends_at"`
	TimeZone             string    `json:"time_zone"`
	Place                string    `json:"place,omitempty"`
	VideoURL             string    `json:"video_url,omitempty"`
	Capacity             int       `json:"capacity"`
	Booked               int       `json:"booked"`
	Waiting              int       `json:"waiting"`
	TrainerName          string    `json:"trainer_name"`
	TrainerQualification string    `json:"trainer_qualification"`
	TrainerOnrampID      *string   `json:"trainer_onramp_id"`
}

type apiAttendee struct {
	OnrampID      string     `json:"onramp_id"`
	Name          string     `json:"name"`
	JobTitle      string     `json:"job_title"`
	Department    string     `json:"department"`
	Status        string     `json:"status"`
	Attendance    string     `json:"attendance"`
	Late          bool       `json:"late"`
	LeftEarly     bool       `json:"left_early"`
	CheckedInAt   *time.Time `json:"checked_in_at"`
	CheckInMethod string     `json:"check_in_method,omitempty"`
	MarkedBy      string     `json:"marked_by,omitempty"`
}

// apiSessions lists sessions by start time (then ID), paged.
func (s *Server) apiSessions(c echo.Context) error {
	page, err := s.apiListPage(c, "course", "since")
	if err != nil {
		return err
	}
	f := orientation.Filter{CourseID: c.QueryParam("course"), Limit: page.limit + 1}
	if since := c.QueryParam("since"); since != "" {
		if f.From, err = apiParseSince(since); err != nil {
			return err
		}
	}
	if page.after != nil {
		f.AfterAt, f.AfterID = page.after.At, page.after.ID
	}
	list, err := s.Orientation.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiSession, len(list))
	for i, l := range list {
		out[i] = apiSession{
			ID: l.ID, CourseID: l.CourseID, CourseTitle: s.apiCourseTitle(l.CourseID), ModuleID: l.ModuleID, Status: l.Status,
			StartsAt: l.StartsAt.UTC(), EndsAt: l.EndsAt.UTC(), TimeZone: l.TimeZone, Place: l.Place, VideoURL: l.VideoURL,
			Capacity: l.Capacity, Booked: l.Booked, Waiting: l.Waiting, TrainerName: l.TrainerName,
			TrainerQualification: l.TrainerQualification, TrainerOnrampID: l.TrainerEmployeeID,
		}
	}
	return c.JSON(http.StatusOK, apiListOf(out, page.limit, func(a apiSession) apiCursor { return apiCursor{At: a.StartsAt, ID: a.ID} }))
}

// apiSessionAttendance lists a session's booked people and wait-list with
// their attendance (a session holds at most its capacity plus its
// wait-list, so it is one page).
func (s *Server) apiSessionAttendance(c echo.Context) error {
	if err := apiCheckQuery(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.Orientation.Get(ctx, c.Param("id")); err != nil {
		return err
	}
	roster, err := s.Orientation.Roster(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]apiAttendee, len(roster))
	for i, b := range roster {
		out[i] = apiAttendee{
			OnrampID: b.EmployeeID, Name: b.EmployeeName, JobTitle: b.JobTitle, Department: b.Department, Status: b.Status,
			Attendance: b.Attendance, Late: b.Late, LeftEarly: b.LeftEarly, CheckedInAt: apiUTC(b.CheckedInAt),
			CheckInMethod: b.CheckInMethod, MarkedBy: b.MarkedByName,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}
