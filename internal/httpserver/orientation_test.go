package httpserver_test

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// orientationEnv is an app on the orientation fixture (a classroom session
// step and a skills check-off) with HR signed in.
func orientationEnv(t *testing.T) (*apptest.Env, *apptest.Client) {
	t.Helper()
	env := apptest.New(t, apptest.Options{ContentDir: filepath.Join(apptest.RepoRoot(), "internal", "orientation", "testdata", "content")})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Reyes", people.RoleHRAdmin)
	return env, hr
}

func assignOrientation(t *testing.T, env *apptest.Env, emp *people.Employee) {
	t.Helper()
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Assign(tx, emp.ID, "orientation", now, now.AddDate(0, 0, 30), "assigned by the test")
		return err
	})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
}

// scheduleSession posts HR's form: tomorrow 09:00–13:00 UTC with the given
// places and trainer e-mail; it returns the session's ID.
func scheduleSession(t *testing.T, env *apptest.Env, hr *apptest.Client, places, trainerEmail string) string {
	t.Helper()
	day := env.Clock.Now().AddDate(0, 0, 2).Format("2006-01-02")
	form := url.Values{
		"course": {"orientation"}, "date": {day}, "start": {"09:00"}, "end": {"13:00"}, "time_zone": {"UTC"},
		"place": {"Room 4B"}, "capacity": {places}, "trainer_email": {trainerEmail},
		"trainer_qualification": {"RN, BSN; certified infection-control instructor"},
	}
	if trainerEmail == "" {
		form.Set("trainer_name", "Dr Sam External")
	}
	res := hr.Post("/admin/sessions", form)
	loc := location(t, res)
	if !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("scheduled session redirects to %q", loc)
	}
	return strings.TrimPrefix(loc, "/sessions/")
}

func outboxFor(t *testing.T, env *apptest.Env, employeeID string) []notify.Entry {
	t.Helper()
	var es []notify.Entry
	if err := env.App.DB.Where("recipient_employee_id = ? AND kind LIKE ?", employeeID, "session%").Order("created_at, id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func bookingOf(t *testing.T, env *apptest.Env, sessionID, employeeID string) orientation.Booking {
	t.Helper()
	var b orientation.Booking
	if err := env.App.DB.Where("session_id = ? AND employee_id = ?", sessionID, employeeID).Take(&b).Error; err != nil {
		t.Fatalf("booking: %v", err)
	}
	return b
}

func TestSessionScheduleFormNamesEveryBadField(t *testing.T) {
	t.Parallel()
	_, hr := orientationEnv(t)
	res := hr.Post("/admin/sessions", url.Values{"course": {"orientation"}, "date": {"tomorrow"}, "start": {"9"}, "end": {"13:00"},
		"time_zone": {"Mars/Olympus"}, "capacity": {"0"}, "trainer_email": {"nobody@example.org"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc := learnerDoc(t, res)
	for _, field := range []string{"date", "start", "time_zone", "place", "capacity", "trainer_email", "trainer_qualification"} {
		if doc.Find(`#error-summary a[href="#`+field+`"]`).Length() != 1 {
			t.Errorf("the error summary does not name %s:\n%s", field, doc.Find("#error-summary").Text())
		}
	}
	// A module without a session step cannot have a session.
	res = hr.Post("/admin/sessions", url.Values{"course": {"orientation"}, "module": {"skills"}, "date": {"2026-03-10"}, "start": {"09:00"},
		"end": {"10:00"}, "time_zone": {"UTC"}, "place": {"Room 1"}, "capacity": {"4"}, "trainer_name": {"Dr Ext"}, "trainer_qualification": {"MD"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, "no `session` step") {
		t.Errorf("a module without a session step was accepted or not explained")
	}
}

// HR schedules a one-place session; the first learner books it, the second
// joins the wait-list, the first cancels and the second moves up, each
// told by e-mail with the right .ics.
func TestSessionBookingWaitlistMovesUp(t *testing.T) {
	t.Parallel()
	env, hr := orientationEnv(t)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	ben, benC := newLearner(t, env, "ben@example.org", "Ben", "Okafor", people.RoleLearner)
	_, outsider := newLearner(t, env, "out@example.org", "Out", "Sider", people.RoleLearner)
	assignOrientation(t, env, ana)
	assignOrientation(t, env, ben)
	id := scheduleSession(t, env, hr, "1", "")

	mustStatus(t, anaC.Get("/courses/orientation/sessions"), http.StatusOK)
	mustRedirect(t, anaC.Post("/sessions/"+id+"/book", nil), "/courses/orientation/sessions?done=booked")
	mustRedirect(t, benC.Post("/sessions/"+id+"/book", nil), "/courses/orientation/sessions?done=waitlisted")
	if b := bookingOf(t, env, id, ben.ID); b.Status != orientation.StatusWaitlisted {
		t.Fatalf("Ben's booking is %s, want waitlisted", b.Status)
	}
	page := anaC.Get("/courses/orientation/sessions")
	if !strings.Contains(page.Body, "You are booked") {
		t.Error("the sessions page does not show Ana's booking")
	}
	// Someone without the course cannot book.
	res := outsider.Post("/sessions/"+id+"/book", nil)
	mustStatus(t, res, http.StatusSeeOther)
	if !strings.Contains(res.Header.Get("Location"), "problem=") && !strings.Contains(res.Header.Get("Location"), "sessions") {
		t.Errorf("an unassigned person's booking: %s", res.Header.Get("Location"))
	}
	var n int64
	env.App.DB.Model(&orientation.Booking{}).Where("session_id = ? AND status <> ?", id, orientation.StatusCancelledBooking).Count(&n)
	if n != 2 {
		t.Fatalf("%d live bookings, want 2 (the outsider was refused)", n)
	}

	mustRedirect(t, anaC.Post("/sessions/"+id+"/cancel-booking", nil), "/courses/orientation/sessions?done=cancelled")
	if b := bookingOf(t, env, id, ben.ID); b.Status != orientation.StatusBooked {
		t.Fatalf("Ben did not move up: %s", b.Status)
	}
	anaMail := outboxFor(t, env, ana.ID)
	if len(anaMail) != 2 || anaMail[0].Kind != "session_booked" || anaMail[1].Kind != "session_booking_cancelled" {
		t.Fatalf("Ana's e-mails: %+v", kinds(anaMail))
	}
	req, cancel := string(anaMail[0].Attachments[0].Data), string(anaMail[1].Attachments[0].Data)
	uid := lineWith(req, "UID:")
	if !strings.Contains(req, "METHOD:REQUEST") || !strings.Contains(cancel, "METHOD:CANCEL") || uid == "" || lineWith(cancel, "UID:") != uid {
		t.Errorf("invitation and cancellation do not match:\n%s\n%s", req, cancel)
	}
	if !strings.Contains(req, "SEQUENCE:1") || !strings.Contains(cancel, "SEQUENCE:2") {
		t.Errorf("the cancellation's SEQUENCE is not higher:\n%s\n%s", req, cancel)
	}
	benMail := outboxFor(t, env, ben.ID)
	if len(benMail) != 2 || benMail[0].Kind != "session_waitlisted" || benMail[1].Kind != "session_moved_up" || len(benMail[1].Attachments) != 1 {
		t.Fatalf("Ben's e-mails: %+v", kinds(benMail))
	}

	// The day-before reminder goes once, from the scheduler pass.
	env.Clock.Set(env.Clock.Now().AddDate(0, 0, 1).Add(time.Hour))
	for i := 0; i < 2; i++ {
		if _, err := env.App.Scheduler.RunOnce(t.Context(), env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	reminders := 0
	for _, e := range outboxFor(t, env, ben.ID) {
		if e.Kind == "session_reminder" {
			reminders++
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminders for Ben, want 1", reminders)
	}
	for _, e := range outboxFor(t, env, ana.ID) {
		if e.Kind == "session_reminder" {
			t.Error("Ana, who cancelled, got a reminder")
		}
	}
}

func kinds(es []notify.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Kind))
	}
	return out
}

func lineWith(ics, prefix string) string {
	for _, l := range strings.Split(ics, "\r\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// The trainer ticks names; attending completes the session step. A
// learner cannot take attendance, nor check in outside the window or with
// an old code; with the current code during the session they can.
func TestSessionAttendanceTrainerAndQR(t *testing.T) {
	t.Parallel()
	env, hr := orientationEnv(t)
	trainer, trainerC := newLearner(t, env, "trainer@example.org", "Tara", "Nguyen", people.RoleLearner)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	ben, benC := newLearner(t, env, "ben@example.org", "Ben", "Okafor", people.RoleLearner)
	_ = trainer
	relogin := func(cs ...*apptest.Client) {
		for i, c := range cs {
			c.Login([]string{"ana@example.org", "trainer@example.org", "ben@example.org"}[i], learnerPassword)
		}
	}
	assignOrientation(t, env, ana)
	assignOrientation(t, env, ben)
	id := scheduleSession(t, env, hr, "10", "trainer@example.org")
	mustStatus(t, anaC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)
	mustStatus(t, benC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)

	// Roles: a learner sees neither the roster nor the code, nor saves ticks.
	mustStatus(t, anaC.Get("/sessions/"+id), http.StatusForbidden)
	mustStatus(t, anaC.Get("/sessions/"+id+"/qr"), http.StatusForbidden)
	mustStatus(t, anaC.Get("/sessions/"+id+"/qr.png"), http.StatusForbidden)
	mustStatus(t, anaC.Post("/sessions/"+id+"/attendance", nil), http.StatusForbidden)
	mustStatus(t, anaC.Get("/admin/sessions"), http.StatusForbidden)
	mustStatus(t, anaC.Get("/sessions/"+id+"/book-people"), http.StatusForbidden)
	mustStatus(t, trainerC.Get("/admin/sessions/new"), http.StatusForbidden)
	mustStatus(t, trainerC.Get("/sessions/"+id), http.StatusOK)

	var sess orientation.Session
	if err := env.App.DB.Where("id = ?", id).Take(&sess).Error; err != nil {
		t.Fatal(err)
	}
	// Before the window: the current code is refused.
	res := anaC.Post("/sessions/"+id+"/check-in", url.Values{"code": {sess.Code(env.Clock.Now())}})
	mustStatus(t, res, http.StatusForbidden)
	if !strings.Contains(res.Body, "Check-in is open only during the session") {
		t.Errorf("refusal does not explain the window:\n%s", res.Body)
	}
	// Taking attendance before the start is refused too.
	bb := bookingOf(t, env, id, ben.ID)
	mustStatus(t, trainerC.Post("/sessions/"+id+"/attendance", url.Values{"att-" + bb.ID: {"attended"}}), http.StatusConflict)

	env.Clock.Set(sess.StartsAt.Add(10 * time.Minute))
	relogin(anaC, trainerC, benC)
	// A code of a past minute is refused.
	res = anaC.Post("/sessions/"+id+"/check-in", url.Values{"code": {sess.Code(env.Clock.Now().Add(-3 * time.Minute))}})
	mustStatus(t, res, http.StatusForbidden)
	if bookingOf(t, env, id, ana.ID).Attendance != "" {
		t.Fatal("an old code checked Ana in")
	}
	// The code shown now works, for the signed-in attendee.
	qr := trainerC.Get("/sessions/" + id + "/qr")
	mustStatus(t, qr, http.StatusOK)
	code := strings.TrimSpace(learnerDoc(t, qr).Find(`[data-testid="qr-code"]`).Text())
	if code != sess.Code(env.Clock.Now()) {
		t.Fatalf("the room shows %q, want this minute's code", code)
	}
	png := trainerC.Get("/sessions/" + id + "/qr.png")
	mustStatus(t, png, http.StatusOK)
	if !strings.HasPrefix(png.Body, "\x89PNG") {
		t.Error("qr.png is not a PNG")
	}
	mustRedirect(t, anaC.Post("/sessions/"+id+"/check-in", url.Values{"code": {code}}), "/sessions/"+id+"/check-in?done=yes")
	ab := bookingOf(t, env, id, ana.ID)
	if ab.Attendance != orientation.Attended || ab.CheckInMethod != orientation.MethodQR || ab.JobTitle != "Registered Nurse" {
		t.Fatalf("Ana's booking after check-in: %+v", ab)
	}
	if !stepDone(t, env, ana.ID, "day", "classroom") {
		t.Fatal("attending did not complete the session step")
	}

	// The trainer ticks Ben: attended, arrived late.
	mustRedirect(t, trainerC.Post("/sessions/"+id+"/attendance", url.Values{"att-" + bb.ID: {"attended"}, "late-" + bb.ID: {"yes"}, "att-" + ab.ID: {"attended"}}), "/sessions/"+id+"?done=saved")
	bb = bookingOf(t, env, id, ben.ID)
	if bb.Attendance != orientation.Attended || !bb.Late || bb.MarkedBy != trainer.ID {
		t.Fatalf("Ben's booking after ticking: %+v", bb)
	}
	if !stepDone(t, env, ben.ID, "day", "classroom") {
		t.Fatal("the trainer's tick did not complete Ben's session step")
	}
	// Ben cannot check in for himself after the window either.
	env.Clock.Set(sess.EndsAt.Add(time.Hour))
	relogin(anaC, trainerC, benC)
	mustStatus(t, benC.Post("/sessions/"+id+"/check-in", url.Values{"code": {sess.Code(env.Clock.Now())}}), http.StatusForbidden)
	// The player shows the session step done.
	step := anaC.Get("/courses/orientation/modules/day/steps/classroom")
	mustStatus(t, step, http.StatusOK)
	if !strings.Contains(step.Body, "You attended the session") {
		t.Errorf("the session step does not say Ana attended")
	}
}

func stepDone(t *testing.T, env *apptest.Env, employeeID, module, step string) bool {
	t.Helper()
	var n int64
	if err := env.App.DB.Table("step_progress").Where("employee_id = ? AND module_id = ? AND step_id = ? AND status = ?", employeeID, module, step, "completed").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// The record after the session holds what OSHA asks for, with the job
// title as it was when attendance was taken; the PDFs and CSV are served.
func TestSessionRecordAndSignInSheet(t *testing.T) {
	t.Parallel()
	env, hr := orientationEnv(t)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	assignOrientation(t, env, ana)
	id := scheduleSession(t, env, hr, "5", "")
	mustStatus(t, anaC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)
	sheet := hr.Get("/sessions/" + id + "/sign-in-sheet.pdf")
	mustStatus(t, sheet, http.StatusOK)
	if !strings.HasPrefix(sheet.Body, "%PDF") {
		t.Fatal("the sign-in sheet is not a PDF")
	}
	var sess orientation.Session
	env.App.DB.Where("id = ?", id).Take(&sess)
	env.Clock.Set(sess.StartsAt.Add(time.Hour))
	hr.Login("hr@example.org", learnerPassword)
	b := bookingOf(t, env, id, ana.ID)
	mustStatus(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {"attended"}, "early-" + b.ID: {"yes"}}), http.StatusSeeOther)
	// Ana's job title changes afterwards; the record keeps the old one.
	env.App.DB.Model(&people.Employee{}).Where("id = ?", ana.ID).Update("job_title", "Charge Nurse")
	page := hr.Get("/sessions/" + id + "/record")
	mustStatus(t, page, http.StatusOK)
	doc := learnerDoc(t, page)
	facts := doc.Find(`[data-testid="record-facts"]`).Text()
	for _, want := range []string{"Dr Sam External", "RN, BSN; certified infection-control instructor", "Room 4B", "09:00–13:00 (UTC)"} {
		if !strings.Contains(facts, want) {
			t.Errorf("the record's facts lack %q: %s", want, facts)
		}
	}
	row := doc.Find(`[data-testid="record"] tbody tr`).Text()
	if !strings.Contains(row, "Ana Lima") || !strings.Contains(row, "Registered Nurse") || !strings.Contains(row, "left early") {
		t.Errorf("the record's row: %s", row)
	}
	if !strings.Contains(page.Body, "Bloodborne pathogens") {
		t.Error("the record lacks the content summary")
	}
	csvRes := hr.Get("/sessions/" + id + "/record.csv")
	mustStatus(t, csvRes, http.StatusOK)
	if !strings.Contains(csvRes.Body, "Ana Lima,Registered Nurse,Nursing,\"attended, left early\"") {
		t.Errorf("CSV:\n%s", csvRes.Body)
	}
	// The session is in Ana's transcript, as recorded at the session.
	tr := hr.Get("/admin/people/" + ana.ID + "/transcript")
	mustStatus(t, tr, http.StatusOK)
	trRow := learnerDoc(t, tr).Find(`[data-testid="transcript-sessions"] tbody tr`).Text()
	if !strings.Contains(trRow, "Dr Sam External (RN, BSN; certified infection-control instructor)") || !strings.Contains(trRow, "Ana Lima, Registered Nurse") || !strings.Contains(trRow, "left early") {
		t.Errorf("transcript's session row: %q", trRow)
	}
	trPDF := hr.Get("/admin/people/" + ana.ID + "/transcript.pdf")
	mustStatus(t, trPDF, http.StatusOK)
	pdf := hr.Get("/sessions/" + id + "/record.pdf")
	mustStatus(t, pdf, http.StatusOK)
	if !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatal("the record is not a PDF")
	}
}

// An observer HR names marks each skill and signs the check-off off with
// their typed name; a non-observer cannot, nobody can sign their own, and
// the sign-off waits for every skill to be met.
func TestCheckoffObserverSignsOff(t *testing.T) {
	t.Parallel()
	env, hr := orientationEnv(t)
	nurse, nurseC := newLearner(t, env, "nurse@example.org", "Nia", "Park", people.RoleLearner)
	_, preceptor := newLearner(t, env, "preceptor@example.org", "Paula", "Ortiz", people.RoleLearner)
	_, colleague := newLearner(t, env, "colleague@example.org", "Carl", "Berg", people.RoleManager)
	assignOrientation(t, env, nurse)
	url0 := "/people/" + nurse.ID + "/checkoffs/orientation/skills/hands"
	// A fresh form each time: Post adds the client's CSRF token to it.
	both := func() url.Values { return url.Values{"skill-rub": {"met"}, "skill-wash": {"met"}} }

	// Roles: only HR manages observers.
	mustStatus(t, preceptor.Get("/admin/observers"), http.StatusForbidden)
	res := hr.Post("/admin/observers", url.Values{"email": {"nobody@example.org"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	mustRedirect(t, hr.Post("/admin/observers", url.Values{"email": {"preceptor@example.org"}, "course": {"orientation"}, "department": {"Nursing"}}), "/admin/observers")
	// The nurse is an observer too, but not of herself.
	mustRedirect(t, hr.Post("/admin/observers", url.Values{"email": {"nurse@example.org"}}), "/admin/observers")

	// A non-observer can neither open, mark nor sign.
	mustStatus(t, colleague.Get(url0), http.StatusForbidden)
	mustStatus(t, colleague.Post(url0+"/marks", both()), http.StatusForbidden)
	mustStatus(t, colleague.Post(url0+"/sign", url.Values{"full_name": {"Carl Berg"}}), http.StatusForbidden)
	// Nobody marks or signs their own.
	mustStatus(t, nurseC.Post(url0+"/marks", both()), http.StatusForbidden)
	mustStatus(t, nurseC.Post(url0+"/sign", url.Values{"full_name": {"Nia Park"}}), http.StatusForbidden)
	// HR reads but, not being an observer, cannot sign.
	mustStatus(t, hr.Get(url0), http.StatusOK)
	mustStatus(t, hr.Post(url0+"/marks", both()), http.StatusForbidden)

	// Half done: one skill met, one not yet, with a comment.
	mustRedirect(t, preceptor.Post(url0+"/marks", url.Values{"skill-rub": {"met"}, "skill-wash": {"not_met"}, "comment-wash": {"Dried with a shared towel"}}), url0+"?done=marked")
	res = preceptor.Post(url0+"/sign", url.Values{"full_name": {"Paula Ortiz"}})
	mustStatus(t, res, http.StatusConflict)
	step := nurseC.Get("/courses/orientation/modules/skills/steps/hands")
	mustStatus(t, step, http.StatusOK)
	if !strings.Contains(step.Body, "Dried with a shared towel") || !strings.Contains(step.Body, "Not yet met") {
		t.Error("the nurse's step does not show the observer's marks")
	}
	mustStatus(t, preceptor.Post(url0+"/marks", both()), http.StatusSeeOther)
	// The typed name must be the observer's own.
	res = preceptor.Post(url0+"/sign", url.Values{"full_name": {"Nia Park"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if learnerDoc(t, res).Find(`#error-summary a[href="#full_name"]`).Length() != 1 {
		t.Error("the name mismatch is not in the error summary")
	}
	if stepDone(t, env, nurse.ID, "skills", "hands") {
		t.Fatal("a refused signature completed the step")
	}
	mustRedirect(t, preceptor.Post(url0+"/sign", url.Values{"full_name": {"  paula   ORTIZ "}}), url0)
	if !stepDone(t, env, nurse.ID, "skills", "hands") {
		t.Fatal("the sign-off did not complete the check-off step")
	}
	var so orientation.SignOff
	if err := env.App.DB.Where("employee_id = ?", nurse.ID).Take(&so).Error; err != nil {
		t.Fatal(err)
	}
	if so.PrintedName != "paula ORTIZ" || so.Meaning != orientation.DefaultCheckoffStatement || so.SignedAt.IsZero() {
		t.Errorf("sign-off: %+v", so)
	}
	// Signed is final.
	mustStatus(t, preceptor.Post(url0+"/marks", url.Values{"skill-rub": {"not_met"}}), http.StatusConflict)
}

// "Ask a question" sends the question to the course's contact through the
// outbox and keeps it, with the answer time the contact records from the
// e-mail's link.
func TestAskAQuestion(t *testing.T) {
	t.Parallel()
	env, _ := orientationEnv(t)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	_, other := newLearner(t, env, "bo@example.org", "Bo", "Chen", people.RoleLearner)
	assignOrientation(t, env, ana)
	course := anaC.Get("/courses/orientation")
	mustStatus(t, course, http.StatusOK)
	if learnerDoc(t, course).Find(`[data-testid="course-help"] a[href="/courses/orientation/questions"]`).Length() != 1 {
		t.Fatal("the course page offers no \"Ask a question\"")
	}
	// Not assigned: no questions page.
	mustStatus(t, other.Get("/courses/orientation/questions"), http.StatusNotFound)
	res := anaC.Post("/courses/orientation/questions", url.Values{"question": {"  "}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	mustRedirect(t, anaC.Post("/courses/orientation/questions", url.Values{"question": {"Do I need gloves for a blood glucose test?"}}), "/courses/orientation/questions?done=asked")
	var e notify.Entry
	if err := env.App.DB.Where("kind = ?", "course_question").Take(&e).Error; err != nil {
		t.Fatalf("no e-mail to the contact: %v", err)
	}
	if e.ToAddress != "ip@hospital.example" || !strings.Contains(e.TextBody, "Do I need gloves") || !strings.Contains(e.TextBody, "ana@example.org") {
		t.Fatalf("the contact's e-mail: %+v", e)
	}
	i := strings.Index(e.TextBody, "/questions/")
	link := strings.Fields(e.TextBody[i:])[0]
	mustStatus(t, other.Get(strings.Split(link, "token=")[0]+"token=wrong"), http.StatusNotFound)
	contact := env.Client()
	form := contact.Get(link)
	mustStatus(t, form, http.StatusOK)
	id := strings.Split(strings.TrimPrefix(link, "/questions/"), "/")[0]
	token := strings.Split(link, "token=")[1]
	mustStatus(t, contact.Post("/questions/"+id+"/answered", url.Values{"token": {"wrong"}}), http.StatusNotFound)
	env.Clock.Advance(2 * time.Hour)
	mustStatus(t, contact.Post("/questions/"+id+"/answered", url.Values{"token": {token}}), http.StatusSeeOther)
	var q orientation.Question
	env.App.DB.Where("id = ?", id).Take(&q)
	if q.AnsweredAt == nil || !q.AnsweredAt.Equal(env.Clock.Now()) || q.EmployeeID != ana.ID {
		t.Fatalf("question: %+v", q)
	}
	anaC.Login("ana@example.org", learnerPassword)
	page := anaC.Get("/courses/orientation/questions")
	if !strings.Contains(page.Body, "Answered ") {
		t.Error("the learner's page does not show the answer time")
	}
}

// The API lists sessions and a session's attendance, with a token only.
func TestAPISessionsAndAttendance(t *testing.T) {
	t.Parallel()
	env, hr := orientationEnv(t)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	assignOrientation(t, env, ana)
	id := scheduleSession(t, env, hr, "3", "")
	mustStatus(t, anaC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)
	_, secret := apiToken(t, env, "sync", apitoken.ScopeCompletionsRead)
	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		return res.StatusCode, b.String()
	}
	status, body := get("/api/v1/sessions?course=orientation")
	if status != http.StatusOK || !strings.Contains(body, `"id":"`+id+`"`) || !strings.Contains(body, `"booked":1`) || !strings.Contains(body, `"trainer_qualification":"RN, BSN; certified infection-control instructor"`) {
		t.Fatalf("sessions: %d %s", status, body)
	}
	status, body = get("/api/v1/sessions/" + id + "/attendance")
	if status != http.StatusOK || !strings.Contains(body, `"onramp_id":"`+ana.ID+`"`) || !strings.Contains(body, `"job_title":"Registered Nurse"`) {
		t.Fatalf("attendance: %d %s", status, body)
	}
	status, _ = get("/api/v1/sessions/nope/attendance")
	if status != http.StatusNotFound {
		t.Errorf("unknown session: %d", status)
	}
	secret = ""
	if status, _ = get("/api/v1/sessions"); status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", status)
	}
}

// A trainer who ticked the wrong person corrects it: marking them a
// no-show takes back the session step and the course's completion it
// caused (the cycle is open again, the certificate withdrawn, the report
// row and the dashboard generation moved), with an audit entry.
func TestUnattendUndoesTheSessionStep(t *testing.T) {
	env, hr := orientationEnv(t)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	assignOrientation(t, env, ana)
	id := scheduleSession(t, env, hr, "5", "")
	mustStatus(t, anaC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)
	// Everything else is done: attending is the last step.
	for _, st := range [][2]string{{"day", "welcome"}, {"skills", "hands"}} {
		if _, err := env.App.Learning.CompleteStep(t.Context(), ana, "orientation", st[0], st[1]); err != nil {
			t.Fatal(err)
		}
	}
	var sess orientation.Session
	env.App.DB.Where("id = ?", id).Take(&sess)
	env.Clock.Set(sess.StartsAt.Add(time.Hour))
	hr.Login("hr@example.org", learnerPassword)
	b := bookingOf(t, env, id, ana.ID)
	mustRedirect(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {"attended"}}), "/sessions/"+id+"?done=saved")
	status := func() (string, int64) {
		var cs struct{ Status string }
		env.App.DB.Raw(`SELECT status FROM compliance_status WHERE employee_id = ? AND course_id = ?`, ana.ID, "orientation").Scan(&cs)
		var certs int64
		env.App.DB.Table("certificates").Where("employee_id = ?", ana.ID).Count(&certs)
		return cs.Status, certs
	}
	if st, certs := status(); st != "completed" || certs != 1 || !stepDone(t, env, ana.ID, "day", "classroom") {
		t.Fatalf("after attending: status %q, %d certificates", st, certs)
	}
	gen, _ := report.Generation(t.Context(), env.App.DB)

	mustRedirect(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {"no_show"}}), "/sessions/"+id+"?done=saved")
	if stepDone(t, env, ana.ID, "day", "classroom") {
		t.Fatal("marking Ana a no-show left the session step completed")
	}
	if st, certs := status(); st == "completed" || certs != 0 {
		t.Fatalf("after the no-show: status %q, %d certificates", st, certs)
	}
	var cy compliance.Cycle
	env.App.DB.Where("employee_id = ? AND course_id = ?", ana.ID, "orientation").Take(&cy)
	if cy.Status != compliance.StatusInProgress || cy.CompletedAt != nil || cy.ExpiresAt != nil {
		t.Fatalf("the cycle was not reopened: %+v", cy)
	}
	if g, _ := report.Generation(t.Context(), env.App.DB); g <= gen {
		t.Error("the dashboard's generation did not move (report.Changed)")
	}
	var n int64
	env.App.DB.Table("audit_log").Where("action = ? AND entity_id = ? AND summary LIKE ?", "revoke", cy.ID, "%corrected the attendance%").Count(&n)
	if n != 1 {
		t.Errorf("%d audit entries for the withdrawn completion, want 1", n)
	}
	// Ticking again completes it again.
	mustRedirect(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {"attended"}}), "/sessions/"+id+"?done=saved")
	if st, certs := status(); st != "completed" || certs != 1 {
		t.Fatalf("after attending again: status %q, %d certificates", st, certs)
	}
	// Clearing the mark undoes it too.
	mustRedirect(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {""}}), "/sessions/"+id+"?done=saved")
	if stepDone(t, env, ana.ID, "day", "classroom") {
		t.Fatal("clearing the mark left the session step completed")
	}
}

// The classroom session, the skills check-off (skill by skill, with the
// observer's signature) and the questions asked are in the person's
// transcript (page and PDF) and in the evidence pack's completions.csv;
// the session and check-off steps count towards progress, the course's
// completion and the compliance dashboard like any other step.
func TestOrientationRecordsInTranscriptPackAndReports(t *testing.T) {
	env, hr := orientationEnv(t)
	nurse, nurseC := newLearner(t, env, "nurse@example.org", "Nia", "Park", people.RoleLearner)
	_, preceptor := newLearner(t, env, "preceptor@example.org", "Paula", "Ortiz", people.RoleLearner)
	assignOrientation(t, env, nurse)
	mustRedirect(t, hr.Post("/admin/observers", url.Values{"email": {"preceptor@example.org"}, "course": {"orientation"}}), "/admin/observers")
	url0 := "/people/" + nurse.ID + "/checkoffs/orientation/skills/hands"
	mustStatus(t, preceptor.Post(url0+"/marks", url.Values{"skill-rub": {"met"}, "skill-wash": {"not_met"}, "comment-wash": {"Dried with a shared towel"}}), http.StatusSeeOther)
	mustStatus(t, nurseC.Post("/courses/orientation/questions", url.Values{"question": {"Where do I park on the orientation day?"}}), http.StatusSeeOther)
	id := scheduleSession(t, env, hr, "4", "")
	mustStatus(t, nurseC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)
	if _, err := env.App.Learning.CompleteStep(t.Context(), nurse, "orientation", "day", "welcome"); err != nil {
		t.Fatal(err)
	}

	// Half done: the transcript shows each skill as it stands, unsigned.
	tr := hr.Get("/admin/people/" + nurse.ID + "/transcript")
	mustStatus(t, tr, http.StatusOK)
	doc := learnerDoc(t, tr)
	co := doc.Find(`[data-testid="transcript-checkoff"] tbody`).Text()
	for _, want := range []string{"Alcohol hand rub", "Met", "Hand wash", "Not yet met", "Paula Ortiz", "Dried with a shared towel"} {
		if !strings.Contains(co, want) {
			t.Errorf("the transcript's check-off lacks %q: %q", want, co)
		}
	}
	if doc.Find(`[data-testid="transcript-checkoff-signoff"]`).Length() != 0 || !strings.Contains(tr.Body, "Not signed off yet.") {
		t.Error("an unsigned check-off shows a signature")
	}
	q := doc.Find(`[data-testid="transcript-questions"] tbody tr`).Text()
	if !strings.Contains(q, "Where do I park") || !strings.Contains(q, "Infection Prevention") || !strings.Contains(q, "Not yet") {
		t.Errorf("the transcript's questions: %q", q)
	}
	progress := func() string {
		t.Helper()
		nurseC.Login("nurse@example.org", learnerPassword)
		return strings.Join(strings.Fields(learnerDoc(t, nurseC.Get("/")).Find(`[data-testid="progress-text"]`).Text()), " ")
	}
	if p := progress(); p != "1 of 3 steps done" {
		t.Errorf("progress with the session and check-off to do: %q", p)
	}

	// Signed off, and attended: the course is complete.
	mustStatus(t, preceptor.Post(url0+"/marks", url.Values{"skill-rub": {"met"}, "skill-wash": {"met"}}), http.StatusSeeOther)
	mustStatus(t, preceptor.Post(url0+"/sign", url.Values{"full_name": {"Paula Ortiz"}}), http.StatusSeeOther)
	if p := progress(); p != "2 of 3 steps done" {
		t.Errorf("progress after the sign-off: %q", p)
	}
	var sess orientation.Session
	env.App.DB.Where("id = ?", id).Take(&sess)
	env.Clock.Set(sess.StartsAt.Add(time.Hour))
	hr.Login("hr@example.org", learnerPassword)
	preceptor.Login("preceptor@example.org", learnerPassword)
	b := bookingOf(t, env, id, nurse.ID)
	mustStatus(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + b.ID: {"attended"}, "late-" + b.ID: {"yes"}}), http.StatusSeeOther)
	dash, err := report.LoadDashboard(t.Context(), env.App.DB, report.Filter{Course: "orientation"}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if dash.Totals[report.StatusCompleted] != 1 {
		t.Errorf("the dashboard counts %v, want the nurse completed", dash.Totals)
	}

	tr = hr.Get("/admin/people/" + nurse.ID + "/transcript")
	doc = learnerDoc(t, tr)
	signed := doc.Find(`[data-testid="transcript-checkoff-signoff"]`).Text()
	if !strings.Contains(signed, "Paula Ortiz") || !strings.Contains(signed, orientation.DefaultCheckoffStatement) || !strings.Contains(signed, "UTC") {
		t.Errorf("the transcript's sign-off: %q", signed)
	}
	steps := doc.Find(`[data-testid="transcript-steps"]`).Text()
	if !strings.Contains(steps, "The classroom day") || !strings.Contains(steps, "Hand hygiene check-off") {
		t.Errorf("the transcript's steps lack the session or the check-off: %q", steps)
	}
	mustStatus(t, hr.Get("/admin/people/"+nurse.ID+"/transcript.pdf"), http.StatusOK)

	res := hr.Post("/admin/evidence/pack", url.Values{"department": {"Nursing"}})
	mustStatus(t, res, http.StatusOK)
	zr, err := zip.NewReader(strings.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, f := range zr.File {
		if f.Name == "completions.csv" {
			rc, _ := f.Open()
			rows, err = csv.NewReader(rc).ReadAll()
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	found := false
	for _, r := range rows[1:] {
		if r[col["onramp_id"]] != nurse.ID {
			continue
		}
		found = true
		want := map[string]string{
			"status": "completed", "session_trainer": "Dr Sam External", "session_trainer_qualification": "RN, BSN; certified infection-control instructor",
			"session_attendance": "Attended, arrived late", "session_place": "Room 4B", "session_recorded_as": "Nia Park, Registered Nurse",
			"session_starts_at": sess.StartsAt.UTC().Format(time.RFC3339), "checkoff": "Skills: Hand hygiene check-off",
			"checkoff_signed_by": "Paula Ortiz", "checkoff_meaning": orientation.DefaultCheckoffStatement,
		}
		for k, v := range want {
			if r[col[k]] != v {
				t.Errorf("completions.csv %s = %q, want %q", k, r[col[k]], v)
			}
		}
		if r[col["checkoff_signed_at"]] == "" {
			t.Error("completions.csv has no check-off signing time")
		}
	}
	if !found {
		t.Fatal("completions.csv has no row for the nurse")
	}
}

// A manager sees who in their team is booked on which session (and who
// attended), books a team member from the list of the team, and cancels a
// place; they cannot book someone outside their team.
func TestManagerTeamSessions(t *testing.T) {
	env, hr := orientationEnv(t)
	boss, bossC := newLearner(t, env, "boss@example.org", "Mara", "Bell", people.RoleManager)
	ana, anaC := newLearner(t, env, "ana@example.org", "Ana", "Lima", people.RoleLearner)
	ben, _ := newLearner(t, env, "ben@example.org", "Ben", "Okafor", people.RoleLearner)
	out, _ := newLearner(t, env, "out@example.org", "Out", "Sider", people.RoleLearner)
	for _, e := range []*people.Employee{ana, ben} {
		if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", e.ID).Update("manager_id", boss.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []*people.Employee{ana, ben, out} {
		assignOrientation(t, env, e)
	}
	id := scheduleSession(t, env, hr, "1", "")
	mustStatus(t, anaC.Post("/sessions/"+id+"/book", nil), http.StatusSeeOther)

	team := bossC.Get("/team")
	mustStatus(t, team, http.StatusOK)
	if learnerDoc(t, team).Find(`a[href="/team/sessions"]`).Length() != 1 {
		t.Error("the team page does not link the team's sessions")
	}
	page := bossC.Get("/team/sessions")
	mustStatus(t, page, http.StatusOK)
	doc := learnerDoc(t, page)
	rows := doc.Find(`[data-testid="team-bookings"] tbody tr`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Ana Lima") || !strings.Contains(rows.Text(), "Room 4B") || !strings.Contains(rows.Text(), "Booked") {
		t.Fatalf("the team's bookings: %q", rows.Text())
	}
	opts := doc.Find(`[data-testid="team-upcoming"] select[name="email"] option`)
	if opts.Length() != 2 || strings.Contains(opts.Text(), "Out Sider") {
		t.Errorf("the booking form offers %q; want the two team members", opts.Text())
	}
	// Ben goes on the wait-list (one place); the manager is sent back.
	mustRedirect(t, bossC.Post("/sessions/"+id+"/book", url.Values{"email": {"ben@example.org"}, "return": {"team"}}), "/team/sessions?done=waitlisted")
	if b := bookingOf(t, env, id, ben.ID); b.Status != orientation.StatusWaitlisted || b.BookedBy != boss.ID {
		t.Fatalf("Ben's booking: %+v", b)
	}
	// Someone outside the team cannot be booked by this manager.
	mustStatus(t, bossC.Post("/sessions/"+id+"/book", url.Values{"email": {"out@example.org"}, "return": {"team"}}), http.StatusForbidden)
	// Cancelling Ana's place moves Ben up.
	mustRedirect(t, bossC.Post("/sessions/"+id+"/cancel-booking", url.Values{"employee_id": {ana.ID}, "return": {"team"}}), "/team/sessions?done=cancelled")
	if b := bookingOf(t, env, id, ben.ID); b.Status != orientation.StatusBooked {
		t.Fatalf("Ben did not move up: %s", b.Status)
	}
	// After the session, the page says who attended.
	var sess orientation.Session
	env.App.DB.Where("id = ?", id).Take(&sess)
	env.Clock.Set(sess.EndsAt.Add(time.Hour))
	hr.Login("hr@example.org", learnerPassword)
	bossC.Login("boss@example.org", learnerPassword)
	bb := bookingOf(t, env, id, ben.ID)
	mustStatus(t, hr.Post("/sessions/"+id+"/attendance", url.Values{"att-" + bb.ID: {"attended"}, "late-" + bb.ID: {"yes"}}), http.StatusSeeOther)
	rows = learnerDoc(t, bossC.Get("/team/sessions")).Find(`[data-testid="team-bookings"] tbody tr`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Ben Okafor") || !strings.Contains(rows.Text(), "Attended, arrived late") {
		t.Errorf("the team's bookings after the session: %q", rows.Text())
	}
}

// Nobody signs their own check-off, even an HR admin named an observer of
// every course whose every skill another observer marked met; an HR admin
// who is not an observer cannot sign anyone's.
func TestNobodySignsTheirOwnCheckoff(t *testing.T) {
	env, hr := orientationEnv(t)
	hana, err := env.App.People.ByEmail(t.Context(), "hr@example.org")
	if err != nil {
		t.Fatal(err)
	}
	nurse, _ := newLearner(t, env, "nurse@example.org", "Nia", "Park", people.RoleLearner)
	_, preceptor := newLearner(t, env, "preceptor@example.org", "Paula", "Ortiz", people.RoleLearner)
	_, hr2 := newLearner(t, env, "hr2@example.org", "Hal", "Ward", people.RoleHRAdmin)
	assignOrientation(t, env, hana)
	assignOrientation(t, env, nurse)
	mustRedirect(t, hr.Post("/admin/observers", url.Values{"email": {"preceptor@example.org"}}), "/admin/observers")
	mustRedirect(t, hr.Post("/admin/observers", url.Values{"email": {"hr@example.org"}}), "/admin/observers")
	all := func() url.Values { return url.Values{"skill-rub": {"met"}, "skill-wash": {"met"}} }
	own := "/people/" + hana.ID + "/checkoffs/orientation/skills/hands"
	mustRedirect(t, preceptor.Post(own+"/marks", all()), own+"?done=marked")

	for _, path := range []string{"/marks", "/sign"} {
		form := all()
		form.Set("full_name", "Hana Reyes")
		res := hr.Post(own+path, form)
		mustStatus(t, res, http.StatusForbidden)
		if !strings.Contains(res.Body, "Nobody can observe or sign off their own check-off") {
			t.Errorf("POST %s on her own check-off: the refusal does not say why", path)
		}
	}
	if stepDone(t, env, hana.ID, "skills", "hands") {
		t.Fatal("an observer signed her own check-off")
	}
	// HR without being an observer reads the nurse's list but cannot sign it.
	theirs := "/people/" + nurse.ID + "/checkoffs/orientation/skills/hands"
	mustRedirect(t, preceptor.Post(theirs+"/marks", all()), theirs+"?done=marked")
	res := hr2.Post(theirs+"/sign", url.Values{"full_name": {"Hal Ward"}})
	mustStatus(t, res, http.StatusForbidden)
	if !strings.Contains(res.Body, "not an observer") {
		t.Errorf("HR's refusal does not say why:\n%s", res.Body)
	}
	if stepDone(t, env, nurse.ID, "skills", "hands") {
		t.Fatal("a non-observer signed the check-off")
	}
}
