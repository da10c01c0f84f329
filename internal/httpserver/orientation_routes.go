package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/people"
)

// orientationRoutes: classroom sessions, bookings and attendance.
//
//	GET  /courses/:course/sessions           upcoming sessions of an assigned course (learner)
//	POST /sessions/:id/book                  book self, or `email` (manager of them, HR)
//	POST /sessions/:id/cancel-booking        cancel own place, or `employee_id` (manager, HR)
//	GET  /sessions/:id/book-people           form to book someone (manager, HR)
//	GET  /sessions                           sessions the viewer runs as trainer
//	GET  /sessions/:id                       roster with tick boxes (trainer, HR)
//	POST /sessions/:id/attendance            save the ticks (trainer, HR)
//	GET  /sessions/:id/qr                    the check-in code shown in the room (trainer, HR)
//	GET  /sessions/:id/qr.png                its image (trainer, HR)
//	GET  /sessions/:id/record(.pdf|.csv)     attendance record (trainer, HR)
//	GET  /sessions/:id/sign-in-sheet.pdf     printable sign-in sheet (trainer, HR)
//	GET  /sessions/:id/check-in              attendee's check-in form (?code= from the QR)
//	POST /sessions/:id/check-in              check in (booked attendee, during the session)
//	GET  /checkoffs                          an observer finds a person's check-offs (?email=)
//	GET  /people/:id/checkoffs/:course/:module/:step         the checklist (observer; HR reads)
//	POST …/marks, POST …/sign                mark skills, sign off (observer, never self)
//	GET  /admin/observers, POST /admin/observers, POST /admin/observers/:id/delete   (HR)
//	GET  /admin/sessions                     HR's list
//	GET  /admin/sessions/new, POST /admin/sessions            schedule (HR)
//	GET  /admin/sessions/:id/edit, POST /admin/sessions/:id   change (HR)
//	POST /admin/sessions/:id/cancel          cancel and tell everyone (HR)
func (s *Server) orientationRoutes(e *echo.Echo) {
	e.GET("/courses/:course/sessions", s.courseSessions, requireSignedIn)
	g := e.Group("/sessions", requireSignedIn)
	g.GET("", s.trainerSessions)
	g.GET("/:id", s.sessionRoster)
	g.POST("/:id/book", s.sessionBook)
	g.POST("/:id/cancel-booking", s.sessionCancelBooking)
	g.GET("/:id/book-people", s.sessionBookPeople, requireRole(people.RoleManager))
	g.POST("/:id/attendance", s.sessionAttendance)
	g.GET("/:id/qr", s.sessionQR)
	g.GET("/:id/qr.png", s.sessionQRImage)
	g.GET("/:id/record", s.sessionRecordPage)
	g.GET("/:id/record.pdf", s.sessionRecordPDF)
	g.GET("/:id/record.csv", s.sessionRecordCSV)
	g.GET("/:id/sign-in-sheet.pdf", s.sessionSignInSheet)
	g.GET("/:id/check-in", s.sessionCheckInForm)
	g.POST("/:id/check-in", s.sessionCheckIn)
	e.GET("/checkoffs", s.checkoffs, requireSignedIn)
	ck := e.Group("/people/:id/checkoffs/:course/:module/:step", requireSignedIn)
	ck.GET("", s.checklist)
	ck.POST("/marks", s.checklistMarks)
	ck.POST("/sign", s.checklistSign)
	o := e.Group("/admin/observers", requireRole(people.RoleHRAdmin))
	o.GET("", s.adminObservers)
	o.POST("", s.adminObserverAdd)
	o.POST("/:id/delete", s.adminObserverDelete)
	a := e.Group("/admin/sessions", requireRole(people.RoleHRAdmin))
	a.GET("", s.adminSessions)
	a.GET("/new", s.adminSessionNew)
	a.POST("", s.adminSessionCreate)
	a.GET("/:id/edit", s.adminSessionEdit)
	a.POST("/:id", s.adminSessionUpdate)
	a.POST("/:id/cancel", s.adminSessionCancel)
}
