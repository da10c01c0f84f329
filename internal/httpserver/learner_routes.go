package httpserver

import (
	"github.com/labstack/echo/v4"
)

// learnerRoutes: the dashboard, courses, the module player, certificates.
//
//	GET  /                                                   dashboard (signed in)
//	GET  /courses/:course                                    course page (assigned learner)
//	GET  /courses/:course/finished                           "you've finished" page
//	GET  /courses/:course/modules/:module                    303 to the first step not done (resume)
//	GET  /courses/:course/modules/:module/steps/:step        the player
//	POST …/steps/:step/done                                  a page was read: 303 to the next step
//	POST …/steps/:step/video                                 JSON progress beacon
//	POST …/steps/:step/quiz                                  start (or continue) an attempt: 303 to it
//	GET  …/steps/:step/quiz/:attempt                         the attempt's questions, or its result
//	POST …/steps/:step/quiz/:attempt                         submit: 303 to the result; 409 if submitted
//	POST …/steps/:step/acknowledge                           sign: 303 on; 422 name mismatch or no tick
//	GET  /courses/:course/media/*                            a file the course uses (range requests)
//	GET  /courses/:course/resources/:id                      a printable course document
//	GET  /certificates/:code                                 certificate (owner, manager chain, HR)
//	GET  /certificates/:code/pdf                             its PDF (same people)
//	GET  /verify                                             public: a form to type a code
//	GET  /verify/:code                                       public: valid or expired, name and course
//	GET  /people/:id/progress                                a person's training (self, manager chain, HR)
//	POST /people/:id/attempts                                grant more quiz attempts (manager chain, HR; never self)
func (s *Server) learnerRoutes(e *echo.Echo) {
	e.GET("/", s.learnerDashboard, requireSignedIn)

	c := e.Group("/courses/:course", requireSignedIn)
	c.GET("", s.learnerCourse)
	c.GET("/finished", s.learnerFinished)
	c.GET("/media/*", s.learnerMedia)
	c.GET("/resources/:id", s.learnerResource)
	c.GET("/modules/:module", s.learnerModule)
	st := c.Group("/modules/:module/steps/:step")
	st.GET("", s.learnerStep)
	st.POST("/done", s.learnerPageDone)
	st.POST("/video", s.learnerVideoBeacon)
	st.POST("/quiz", s.learnerQuizStart)
	st.GET("/quiz/:attempt", s.learnerQuizAttempt)
	st.POST("/quiz/:attempt", s.learnerQuizSubmit)
	st.POST("/acknowledge", s.learnerAcknowledge)

	e.GET("/certificates/:code", s.learnerCertificate, requireSignedIn)
	e.GET("/certificates/:code/pdf", s.learnerCertificatePDF, requireSignedIn)
	e.GET("/verify", s.verifyForm)
	e.GET("/verify/:code", s.verifyCode)
	e.GET("/people/:id/progress", s.personProgress, requireSignedIn)
	e.POST("/people/:id/attempts", s.grantAttempts, requireSignedIn)
}
