package httpserver

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/web/views"
)

// sessionRecord loads the :id session's record for its trainer or HR.
func (s *Server) sessionRecordData(c echo.Context) (*orientation.Record, error) {
	if _, err := s.runnable(c); err != nil {
		return nil, err
	}
	return s.Orientation.Record(c.Request().Context(), c.Param("id"))
}

func (s *Server) sessionSheet(r *orientation.Record, record bool) evidence.SessionSheet {
	sh := evidence.SessionSheet{
		Record: record, Organisation: s.Config.OrgName, Title: r.Title, When: r.Session.When(), Where: r.Session.Where(),
		CourseVersion: r.CourseVersion, Summary: r.Summary, Trainer: r.Session.TrainerName,
		Qualification: r.Session.TrainerQualification, Generated: formatMoment(s.Clock.Now()),
	}
	for _, b := range r.Attendees {
		row := evidence.SessionSheetRow{Name: b.EmployeeName, JobTitle: b.JobTitle, Department: b.Department}
		if record {
			row.Attendance = orientation.AttendanceWords(b)
		}
		sh.Rows = append(sh.Rows, row)
	}
	return sh
}

// sessionRecordPage is the attendance record as a page.
func (s *Server) sessionRecordPage(c echo.Context) error {
	r, err := s.sessionRecordData(c)
	if err != nil {
		return err
	}
	sh := s.sessionSheet(r, true)
	v := views.RecordView{ID: r.Session.ID, Title: sh.Title, When: sh.When, Where: sh.Where, CourseVersion: sh.CourseVersion,
		Summary: sh.Summary, Trainer: sh.Trainer, Qualification: sh.Qualification}
	for _, row := range sh.Rows {
		v.Rows = append(v.Rows, views.RosterRow{Name: row.Name, JobTitle: row.JobTitle, Department: row.Department, Attendance: row.Attendance})
	}
	noStore(c)
	return render(c, http.StatusOK, views.SessionRecord(s.page(c, "Attendance record", ""), v))
}

func (s *Server) sessionPDF(c echo.Context, record bool, name string) error {
	r, err := s.sessionRecordData(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := evidence.WriteSessionPDF(&buf, s.sessionSheet(r, record)); err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) sessionRecordPDF(c echo.Context) error {
	return s.sessionPDF(c, true, "attendance-record.pdf")
}

func (s *Server) sessionSignInSheet(c echo.Context) error {
	return s.sessionPDF(c, false, "sign-in-sheet.pdf")
}

// sessionRecordCSV is the record, one attendee a row, each row carrying
// the session's facts so the file stands alone.
func (s *Server) sessionRecordCSV(c echo.Context) error {
	r, err := s.sessionRecordData(c)
	if err != nil {
		return err
	}
	sh := s.sessionSheet(r, true)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"session", "starts_at", "ends_at", "time_zone", "place", "course_version", "summary", "trainer", "trainer_qualification", "name", "job_title", "department", "attendance", "checked_in_at", "check_in_method", "marked_by"})
	for _, b := range r.Attendees {
		checked := ""
		if b.CheckedInAt != nil {
			checked = b.CheckedInAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		_ = w.Write([]string{csvSafe(sh.Title), r.Session.StartsAt.UTC().Format("2006-01-02T15:04:05Z"), r.Session.EndsAt.UTC().Format("2006-01-02T15:04:05Z"),
			r.Session.TimeZone, csvSafe(sh.Where), sh.CourseVersion, csvSafe(sh.Summary), csvSafe(sh.Trainer), csvSafe(sh.Qualification),
			csvSafe(b.EmployeeName), csvSafe(b.JobTitle), csvSafe(b.Department), orientation.AttendanceWords(b), checked, b.CheckInMethod, csvSafe(b.MarkedByName)})
	}
	w.Flush()
	noStore(c)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="attendance-record.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
