package httpserver

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

func sessionURL(id string) string { return "/sessions/" + url.PathEscape(id) }

func (s *Server) sessionRow(l orientation.Listed) views.SessionRow {
	return views.SessionRow{
		ID: l.ID, Title: s.Orientation.Title(l.Session), When: l.When(), Where: l.Where(), Trainer: l.TrainerName,
		Capacity: l.Capacity, Booked: l.Booked, Waiting: l.Waiting, Cancelled: l.Cancelled(), URL: sessionURL(l.ID),
	}
}

// orientationPanels fills the player's panel of a session or checkoff step.
func (s *Server) orientationPanels(c echo.Context, j *learning.Journey, m *catalog.Module, st *catalog.Step, v *views.StepView) error {
	ctx := c.Request().Context()
	switch st.Type {
	case catalog.StepSession:
		p := &views.SessionPanel{SessionsURL: courseURL(j.Course.ID) + "/sessions"}
		if st.Session != nil {
			p.Minutes = st.Session.Minutes
		}
		bs, err := s.Orientation.BookingsOf(ctx, j.Employee.ID, j.Course.ID)
		if err != nil {
			return err
		}
		for _, pb := range bs {
			if pb.Session.ModuleID != "" && pb.Session.ModuleID != m.ID {
				continue
			}
			switch {
			case pb.Booking.Attendance == orientation.Attended:
				p.Attended = "You attended the session on " + pb.Session.When() + "."
			case pb.Booking.Status == orientation.StatusBooked && pb.Session.StartsAt.After(s.Clock.Now()) && !pb.Session.Cancelled():
				p.Booking = "You are booked on " + pb.Session.When() + ", " + pb.Session.Where() + "."
			case pb.Booking.Status == orientation.StatusWaitlisted && pb.Session.StartsAt.After(s.Clock.Now()):
				p.Booking, p.Waitlisted = "You are on the wait-list of the session on "+pb.Session.When()+".", true
			}
		}
		v.Session = p
	case catalog.StepCheckoff:
		cl, err := s.Orientation.Checklist(ctx, j.Employee, j.Employee.ID, j.Course.ID, m.ID, st.ID)
		if err != nil {
			return err
		}
		v.Checkoff = &views.CheckoffPanel{Skills: skillRows(cl), Signed: signedOf(cl.SignOff)}
	}
	return nil
}

// courseSessions lists the upcoming sessions of a course assigned to the
// signed-in learner, with their own bookings.
func (s *Server) courseSessions(c echo.Context) error {
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.Orientation.List(ctx, orientation.Filter{CourseID: j.Course.ID, From: s.Clock.Now(), Scheduled: true, Limit: 50})
	if err != nil {
		return err
	}
	mine, err := s.Orientation.BookingsOf(ctx, j.Employee.ID, j.Course.ID)
	if err != nil {
		return err
	}
	status := map[string]string{}
	for _, pb := range mine {
		status[pb.Session.ID] = pb.Booking.Status
	}
	v := views.SessionsView{CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID), Problem: c.QueryParam("problem")}
	now := s.Clock.Now()
	for _, l := range list {
		if !l.StartsAt.After(now) {
			continue
		}
		r := s.sessionRow(l)
		r.Mine = status[l.ID]
		v.Sessions = append(v.Sessions, r)
	}
	p := s.page(c, "Sessions: "+j.Course.Title, "learn")
	switch c.QueryParam("done") {
	case "booked":
		p.Flash = "You are booked. The invitation is on its way by e-mail."
	case "waitlisted":
		p.Flash = "The session is full: you are on its wait-list, and move up on your own if a place opens."
	case "cancelled":
		p.Flash = "Your place is cancelled."
	}
	noStore(c)
	return render(c, http.StatusOK, views.CourseSessions(p, v))
}

// sessionBook books the viewer, or the person whose e-mail the form gives
// (their manager, HR).
func (s *Server) sessionBook(c echo.Context) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	sess, err := s.Orientation.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	who := viewer
	if email := c.FormValue("email"); email != "" {
		e, err := s.People.ByEmail(ctx, email)
		if apperr.CodeOf(err) == apperr.NotFound {
			return s.renderBookPeople(c, sess, email, "No one in Onramp has the e-mail "+email+": check it.")
		}
		if err != nil {
			return err
		}
		who = e
	}
	b, err := s.Orientation.Book(ctx, viewer, sess.ID, who.ID)
	if who.ID != viewer.ID {
		if err != nil {
			if msg := apperr.MessageOf(err); msg != "" && apperr.CodeOf(err) != apperr.Forbidden {
				return s.renderBookPeople(c, sess, who.Email, msg)
			}
			return err
		}
		if c.FormValue("return") == "team" {
			return redirectSeeOther(c, teamSessionsURL+"?done="+b.Status)
		}
		return redirectSeeOther(c, sessionURL(sess.ID)+"/book-people?done="+b.Status)
	}
	if err != nil {
		if msg := apperr.MessageOf(err); msg != "" && apperr.CodeOf(err) == apperr.Conflict {
			return redirectSeeOther(c, courseURL(sess.CourseID)+"/sessions?problem="+url.QueryEscape(msg))
		}
		return err
	}
	return redirectSeeOther(c, courseURL(sess.CourseID)+"/sessions?done="+b.Status)
}

// sessionCancelBooking cancels the viewer's place, or employee_id's.
func (s *Server) sessionCancelBooking(c echo.Context) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	sess, err := s.Orientation.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	who := viewer.ID
	if id := c.FormValue("employee_id"); id != "" {
		who = id
	}
	if err := s.Orientation.CancelBooking(ctx, viewer, sess.ID, who); err != nil {
		if msg := apperr.MessageOf(err); msg != "" && apperr.CodeOf(err) == apperr.Conflict && who == viewer.ID {
			return redirectSeeOther(c, courseURL(sess.CourseID)+"/sessions?problem="+url.QueryEscape(msg))
		}
		return err
	}
	if who != viewer.ID {
		if c.FormValue("return") == "team" {
			return redirectSeeOther(c, teamSessionsURL+"?done=cancelled")
		}
		return redirectSeeOther(c, sessionURL(sess.ID))
	}
	return redirectSeeOther(c, courseURL(sess.CourseID)+"/sessions?done=cancelled")
}

func (s *Server) renderBookPeople(c echo.Context, sess *orientation.Session, email, problem string) error {
	list, err := s.listedOne(c, sess)
	if err != nil {
		return err
	}
	p := s.page(c, "Book someone", "")
	switch c.QueryParam("done") {
	case orientation.StatusBooked:
		p.Flash = "Booked. They get the invitation by e-mail."
	case orientation.StatusWaitlisted:
		p.Flash = "The session is full: they are on its wait-list."
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.BookPeople(p, views.BookPeopleView{Session: list, Email: email, Problem: problem}))
}

func (s *Server) listedOne(c echo.Context, sess *orientation.Session) (views.SessionRow, error) {
	roster, err := s.Orientation.Roster(c.Request().Context(), sess.ID)
	if err != nil {
		return views.SessionRow{}, err
	}
	l := orientation.Listed{Session: sess}
	for _, b := range roster {
		if b.Status == orientation.StatusBooked {
			l.Booked++
		} else {
			l.Waiting++
		}
	}
	return s.sessionRow(l), nil
}

// sessionBookPeople is the form HR and managers book someone with.
func (s *Server) sessionBookPeople(c echo.Context) error {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderBookPeople(c, sess, "", "")
}

// trainerSessions lists the sessions the viewer runs.
func (s *Server) trainerSessions(c echo.Context) error {
	viewer := viewerOf(c).Employee
	list, err := s.Orientation.List(c.Request().Context(), orientation.Filter{TrainerID: viewer.ID, From: s.Clock.Now().AddDate(0, 0, -30)})
	if err != nil {
		return err
	}
	rows := make([]views.SessionRow, len(list))
	for i, l := range list {
		rows[i] = s.sessionRow(l)
	}
	noStore(c)
	return render(c, http.StatusOK, views.TrainerSessions(s.page(c, "Sessions you run", ""), rows))
}

// runnable loads the :id session for its trainer or HR (403 otherwise).
func (s *Server) runnable(c echo.Context) (*orientation.Session, error) {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !sess.MayRun(viewerOf(c).Employee) {
		return nil, orientation.ErrForbidden
	}
	return sess, nil
}

// sessionRoster is the trainer's page of a session.
func (s *Server) sessionRoster(c echo.Context) error {
	sess, err := s.runnable(c)
	if err != nil {
		return err
	}
	return s.renderRoster(c, sess, "", http.StatusOK)
}

func (s *Server) renderRoster(c echo.Context, sess *orientation.Session, problem string, status int) error {
	roster, err := s.Orientation.Roster(c.Request().Context(), sess.ID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	v := views.RosterView{
		Trainer: sess.TrainerName, Qualified: sess.TrainerQualification, Problem: problem,
		MayTake: !now.Before(sess.StartsAt.Add(-orientation.Grace)) && !sess.Cancelled(),
		IsHR:    viewerOf(c).Employee.Can(people.RoleHRAdmin),
	}
	l := orientation.Listed{Session: sess}
	for _, b := range roster {
		r := views.RosterRow{BookingID: b.ID, Name: b.EmployeeName, JobTitle: b.JobTitle, Department: b.Department, Email: b.Email,
			Attendance: b.Attendance, Late: b.Late, LeftEarly: b.LeftEarly}
		if b.CheckedInAt != nil {
			r.CheckedIn = "Checked in " + b.CheckedInAt.In(sess.Location()).Format("15:04")
			if b.CheckInMethod == orientation.MethodQR {
				r.CheckedIn += " with the QR code"
			}
		}
		if b.Status == orientation.StatusWaitlisted {
			l.Waiting++
			v.Waiting = append(v.Waiting, r)
			continue
		}
		l.Booked++
		v.Rows = append(v.Rows, r)
	}
	v.Session = s.sessionRow(l)
	if c := s.Catalog.Course(sess.CourseID); c != nil {
		for _, ref := range learning.StepsOfType(c.AllModules(), catalog.StepSession) {
			if sess.ModuleID == "" || ref.Module.ID == sess.ModuleID {
				v.Summary += ref.Step.HTML
			}
		}
	}
	p := s.page(c, v.Session.Title, "")
	if c.QueryParam("done") == "saved" {
		p.Flash = "Attendance saved."
	}
	noStore(c)
	return render(c, status, views.Roster(p, v))
}

// sessionAttendance saves the trainer's ticks.
func (s *Server) sessionAttendance(c echo.Context) error {
	sess, err := s.runnable(c)
	if err != nil {
		return err
	}
	roster, err := s.Orientation.Roster(c.Request().Context(), sess.ID)
	if err != nil {
		return err
	}
	var marks []orientation.Mark
	for _, b := range roster {
		if b.Status != orientation.StatusBooked {
			continue
		}
		marks = append(marks, orientation.Mark{
			BookingID: b.ID, Attendance: c.FormValue("att-" + b.ID),
			Late: c.FormValue("late-"+b.ID) == "yes", LeftEarly: c.FormValue("early-"+b.ID) == "yes",
		})
	}
	if err := s.Orientation.TakeAttendance(c.Request().Context(), viewerOf(c).Employee, sess.ID, marks); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			return s.renderRoster(c, sess, apperr.MessageOf(err), http.StatusConflict)
		}
		return err
	}
	return redirectSeeOther(c, sessionURL(sess.ID)+"?done=saved")
}

func (s *Server) checkInURL(sess *orientation.Session, code string) string {
	u := *s.Config.BaseURL
	u.Path = sessionURL(sess.ID) + "/check-in"
	if code != "" {
		u.RawQuery = url.Values{"code": {code}}.Encode()
	}
	return u.String()
}

// sessionQR is the page shown in the room; it reloads every 20 seconds.
func (s *Server) sessionQR(c echo.Context) error {
	sess, err := s.runnable(c)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	v := views.QRView{Title: s.Orientation.Title(sess), When: sess.When(), Open: sess.CheckInOpen(now) && !sess.Cancelled()}
	if v.Open {
		v.Code = sess.Code(now)
		v.ImageURL = sessionURL(sess.ID) + "/qr.png?t=" + strconv.FormatInt(now.Unix()/60, 10)
		v.CheckInURL = s.checkInURL(sess, "")
		c.Response().Header().Set("Refresh", "20")
	}
	noStore(c)
	return render(c, http.StatusOK, views.SessionQR(s.page(c, "Check-in code", ""), v))
}

// sessionQRImage is the QR code of the check-in link with this minute's
// code.
func (s *Server) sessionQRImage(c echo.Context) error {
	sess, err := s.runnable(c)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if !sess.CheckInOpen(now) || sess.Cancelled() {
		return orientation.ErrCheckInClosed
	}
	png, err := qrPNG(s.checkInURL(sess, sess.Code(now)))
	if err != nil {
		return err
	}
	noStore(c)
	return c.Blob(http.StatusOK, "image/png", png)
}

func (s *Server) checkInView(c echo.Context, sess *orientation.Session) views.CheckInView {
	return views.CheckInView{SessionID: sess.ID, Title: s.Orientation.Title(sess), When: sess.When()}
}

// sessionCheckInForm is where the QR code leads: a form holding the code,
// so the check-in itself is a POST with the CSRF token.
func (s *Server) sessionCheckInForm(c echo.Context) error {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.checkInView(c, sess)
	v.Code = c.QueryParam("code")
	v.Done = c.QueryParam("done") == "yes"
	noStore(c)
	return render(c, http.StatusOK, views.CheckIn(s.page(c, "Check in", "learn"), v))
}

// sessionCheckIn records the signed-in attendee's check-in.
func (s *Server) sessionCheckIn(c echo.Context) error {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.Orientation.CheckIn(c.Request().Context(), viewerOf(c).Employee, sess.ID, c.FormValue("code")); err != nil {
		if msg := apperr.MessageOf(err); msg != "" && apperr.CodeOf(err) != apperr.NotFound {
			v := s.checkInView(c, sess)
			v.Problem = msg
			status := http.StatusForbidden
			if apperr.CodeOf(err) == apperr.Conflict {
				status = http.StatusConflict
			}
			return render(c, status, views.CheckIn(s.page(c, "Check in", "learn"), v))
		}
		return err
	}
	return redirectSeeOther(c, sessionURL(sess.ID)+"/check-in?done=yes")
}

// adminSessions is HR's list: upcoming (soonest first) and the last 100 past.
func (s *Server) adminSessions(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.Clock.Now()
	up, err := s.Orientation.List(ctx, orientation.Filter{From: now})
	if err != nil {
		return err
	}
	past, err := s.Orientation.List(ctx, orientation.Filter{Before: now})
	if err != nil {
		return err
	}
	var v views.AdminSessionsView
	for _, l := range up {
		if l.StartsAt.After(now) || l.EndsAt.After(now) {
			v.Upcoming = append(v.Upcoming, s.sessionRow(l))
		}
	}
	for _, l := range past {
		if !l.EndsAt.After(now) {
			v.Past = append(v.Past, s.sessionRow(l))
		}
	}
	p := s.page(c, "Sessions", "admin")
	p.Wide = true
	noStore(c)
	return render(c, http.StatusOK, views.AdminSessions(p, v))
}

func (s *Server) sessionFormView(id string, vals views.SessionFormValues, err error) views.SessionFormView {
	v := views.SessionFormView{ID: id, Values: vals}
	for _, c := range s.Catalog.Courses {
		v.Courses = append(v.Courses, views.Option{Value: c.ID, Label: c.Title})
		if vals.Course == "" {
			vals.Course = c.ID
		}
		if c.ID == vals.Course {
			for _, m := range c.AllModules() {
				v.Modules = append(v.Modules, views.Option{Value: m.ID, Label: m.Title})
			}
		}
	}
	if e := apperr.As(err); e != nil {
		for _, pr := range e.Problems {
			v.Problems = append(v.Problems, views.PersonFormProblem{Field: pr.Field, Message: pr.Message})
		}
	}
	return v
}

func sessionFormValues(c echo.Context) views.SessionFormValues {
	return views.SessionFormValues{
		Course: c.FormValue("course"), Module: c.FormValue("module"), Date: c.FormValue("date"), Start: c.FormValue("start"),
		End: c.FormValue("end"), TimeZone: c.FormValue("time_zone"), Place: c.FormValue("place"), VideoURL: c.FormValue("video_url"),
		Capacity: c.FormValue("capacity"), TrainerEmail: c.FormValue("trainer_email"), TrainerName: c.FormValue("trainer_name"),
		Qualification: c.FormValue("trainer_qualification"),
	}
}

func scheduleInput(v views.SessionFormValues) orientation.ScheduleInput {
	return orientation.ScheduleInput{
		CourseID: v.Course, ModuleID: v.Module, Date: v.Date, Start: v.Start, End: v.End, TimeZone: v.TimeZone,
		Place: v.Place, VideoURL: v.VideoURL, Capacity: v.Capacity, TrainerEmail: v.TrainerEmail, TrainerName: v.TrainerName,
		TrainerQualification: v.Qualification,
	}
}

func (s *Server) adminSessionNew(c echo.Context) error {
	vals := views.SessionFormValues{Course: c.QueryParam("course"), TimeZone: s.Config.TimeZone, Capacity: "12", Start: "09:00", End: "12:00"}
	noStore(c)
	return render(c, http.StatusOK, views.SessionForm(s.page(c, "Schedule a session", "admin"), s.sessionFormView("", vals, nil)))
}

func (s *Server) adminSessionCreate(c echo.Context) error {
	vals := sessionFormValues(c)
	sess, err := s.Orientation.Schedule(c.Request().Context(), viewerOf(c).Employee, scheduleInput(vals))
	if apperr.CodeOf(err) == apperr.Invalid {
		return render(c, http.StatusUnprocessableEntity, views.SessionForm(s.page(c, "Schedule a session", "admin"), s.sessionFormView("", vals, err)))
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, sessionURL(sess.ID))
}

func (s *Server) adminSessionEdit(c echo.Context) error {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	loc := sess.Location()
	vals := views.SessionFormValues{
		Course: sess.CourseID, Module: sess.ModuleID, Date: sess.StartsAt.In(loc).Format("2006-01-02"),
		Start: sess.StartsAt.In(loc).Format("15:04"), End: sess.EndsAt.In(loc).Format("15:04"), TimeZone: sess.TimeZone,
		Place: sess.Place, VideoURL: sess.VideoURL, Capacity: strconv.Itoa(sess.Capacity), Qualification: sess.TrainerQualification,
	}
	if sess.TrainerEmployeeID != nil {
		if t, err := s.People.ByID(c.Request().Context(), *sess.TrainerEmployeeID); err == nil {
			vals.TrainerEmail = t.Email
		}
	} else {
		vals.TrainerName = sess.TrainerName
	}
	noStore(c)
	return render(c, http.StatusOK, views.SessionForm(s.page(c, "Change the session", "admin"), s.sessionFormView(sess.ID, vals, nil)))
}

func (s *Server) adminSessionUpdate(c echo.Context) error {
	sess, err := s.Orientation.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	vals := sessionFormValues(c)
	vals.Course = sess.CourseID
	err = s.Orientation.Update(c.Request().Context(), viewerOf(c).Employee, sess.ID, scheduleInput(vals))
	if apperr.CodeOf(err) == apperr.Invalid {
		return render(c, http.StatusUnprocessableEntity, views.SessionForm(s.page(c, "Change the session", "admin"), s.sessionFormView(sess.ID, vals, err)))
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, sessionURL(sess.ID))
}

func (s *Server) adminSessionCancel(c echo.Context) error {
	if err := s.Orientation.CancelSession(c.Request().Context(), viewerOf(c).Employee, c.Param("id")); err != nil {
		return err
	}
	return redirectSeeOther(c, "/admin/sessions")
}

var _ = time.Now
