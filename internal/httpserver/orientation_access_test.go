package httpserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/orientation"
)

// The orientation area's access rules (see access_test.go). The fixture's
// session (of the access course, tomorrow, run by an external trainer)
// belongs to HR: its roster, code and attendance are HR's and the
// trainer's; anyone assigned the course books themselves; managers and HR
// book others.
func init() {
	const (
		ok        = http.StatusOK
		redirect  = http.StatusSeeOther
		forbidden = http.StatusForbidden
	)
	signedIn := func(status int) access {
		return access{Anonymous: redirect, Learner: status, Manager: status, HRAdmin: status}
	}
	signedInPost := func(status int) access {
		return access{Anonymous: http.StatusUnauthorized, Learner: status, Manager: status, HRAdmin: status}
	}
	runners := func(hr int) access {
		return access{Anonymous: redirect, Learner: forbidden, Manager: forbidden, HRAdmin: hr}
	}
	hrPost := func(hr int) access {
		return access{Anonymous: http.StatusUnauthorized, Learner: forbidden, Manager: forbidden, HRAdmin: hr}
	}
	expectAccess("GET /courses/:course/sessions", signedIn(ok))
	expectAccess("GET /sessions", signedIn(ok))
	expectAccess("GET /sessions/:id", runners(ok))
	// Check-in is closed until 15 minutes before the start.
	expectAccess("GET /sessions/:id/qr", runners(ok))
	expectAccess("GET /sessions/:id/qr.png", runners(forbidden))
	expectAccess("GET /sessions/:id/check-in", signedIn(ok))
	expectAccess("POST /sessions/:id/check-in", signedInPost(forbidden))
	// Everyone is assigned the course: each books (or cancels) themselves.
	expectAccess("POST /sessions/:id/book", signedInPost(redirect))
	expectAccess("POST /sessions/:id/cancel-booking", signedInPost(redirect))
	expectAccess("GET /sessions/:id/book-people", access{Anonymous: redirect, Learner: forbidden, Manager: ok, HRAdmin: ok})
	expectAccess("GET /team/sessions", access{Anonymous: redirect, Learner: forbidden, Manager: ok, HRAdmin: ok})
	// Attendance is taken from 15 minutes before the start: 409 for HR now.
	expectAccess("POST /sessions/:id/attendance", hrPost(http.StatusConflict))
	expectAccess("GET /admin/sessions", runners(ok))
	expectAccess("GET /admin/sessions/new", runners(ok))
	expectAccess("GET /admin/sessions/:id/edit", runners(ok))
	// An empty form names its fields (422).
	expectAccess("POST /admin/sessions", hrPost(http.StatusUnprocessableEntity))
	expectAccess("POST /admin/sessions/:id", hrPost(http.StatusUnprocessableEntity))
	expectAccess("POST /admin/sessions/:id/cancel", hrPost(redirect))

	accessParamFor("/sessions/:id", ":id", func(f *accessFixture) string { return f.Extra["session"] })
	accessSetupFor(func(t testing.TB, f *accessFixture) {
		now := f.Env.Clock.Now()
		sess := &orientation.Session{
			ID: db.NewID(), CourseID: accessCourse, StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(27 * time.Hour), TimeZone: "UTC",
			Place: "Room 1", Capacity: 50, TrainerName: "Dr External", TrainerQualification: "MD", Status: orientation.StatusScheduled,
			CheckinSecret: "access-fixture", CreatedAt: now, UpdatedAt: now,
		}
		if err := f.Env.App.DB.Create(sess).Error; err != nil {
			t.Fatalf("create session: %v", err)
		}
		f.Extra["session"] = sess.ID
	})
}

func init() {
	runners := access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK}
	for _, r := range []string{"/record", "/record.pdf", "/record.csv", "/sign-in-sheet.pdf"} {
		expectAccess("GET /sessions/:id"+r, runners)
	}
}

func init() {
	hr := access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK}
	hrPost := func(status int) access {
		return access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: status}
	}
	expectAccess("GET /admin/observers", hr)
	expectAccess("POST /admin/observers", hrPost(http.StatusUnprocessableEntity))
	expectAccess("POST /admin/observers/:id/delete", hrPost(http.StatusNotFound))
	expectAccess("GET /checkoffs", access{Anonymous: http.StatusSeeOther, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK})
	// The access course has no check-off step: 404 for everyone signed in.
	nf := access{Anonymous: http.StatusSeeOther, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound}
	expectAccess("GET /people/:id/checkoffs/:course/:module/:step", nf)
	nfPost := access{Anonymous: http.StatusUnauthorized, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound}
	expectAccess("POST /people/:id/checkoffs/:course/:module/:step/marks", nfPost)
	expectAccess("POST /people/:id/checkoffs/:course/:module/:step/sign", nfPost)
}

func init() {
	// The access course names no contact: the page shows the form (its
	// contact blank) and a question is refused (404, no contact).
	expectAccess("GET /courses/:course/questions", access{Anonymous: http.StatusSeeOther, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK})
	expectAccess("POST /courses/:course/questions", access{Anonymous: http.StatusUnauthorized, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound})
	// Without the e-mail's token: 404 for everyone.
	nf := access{Anonymous: http.StatusNotFound, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound, Token: http.StatusNotFound}
	expectAccess("GET /questions/:id/answered", nf)
	expectAccess("POST /questions/:id/answered", nf)
}

func init() {
	api := access{Anonymous: http.StatusUnauthorized, Learner: http.StatusUnauthorized, Manager: http.StatusUnauthorized,
		HRAdmin: http.StatusUnauthorized, Token: http.StatusOK}
	expectAccess("GET /api/v1/sessions", api)
	expectAccess("GET /api/v1/sessions/:id/attendance", api)
}
