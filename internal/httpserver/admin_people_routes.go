package httpserver

import (
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
)

// peopleRoutes: HR's people pages (hr_admin only; others get 403, anonymous
// visitors are sent to sign in, or get 401 for a form post).
//
//	GET  /admin/people                          the list: search, filters, 50 a page
//	GET  /admin/people/new                      the add form
//	POST /admin/people                          add: 303 to the person; 422 with the form's problems
//	GET  /admin/people/import                   the staff CSV upload form
//	POST /admin/people/import                   upload: 303 to its preview; 422 with the file's problems; 413 over 20 MiB
//	GET  /admin/people/import/:upload           the preview: what would be added, changed, deactivated
//	POST /admin/people/import/:upload/apply     apply: 200 with what was done; 409 when the preview is stale; 303 to
//	                                            the import's page when it takes longer than a few seconds
//	GET  /admin/people/imports/:id              a staff import under way (a job): how far it is, then what it did
//	POST /admin/people/import/:upload/discard   forget the upload: 303 to the upload form
//	GET  /admin/people/:id                      the person: details, assignments, cycles, evidence
//	GET  /admin/people/:id/edit                 the edit form
//	POST /admin/people/:id/edit                 save: 303 to the person; 422 with the form's problems
//	GET  /admin/people/:id/deactivate           the confirmation
//	POST /admin/people/:id/deactivate           deactivate: 303 to the person; 422 unconfirmed; 409 not possible
//	GET  /admin/people/:id/reactivate           the confirmation
//	POST /admin/people/:id/reactivate           reactivate: 303 to the person; 422 unconfirmed; 409 not possible
//	POST /admin/people/:id/invite               a new set-password link: 200 showing it once, and an e-mail queued
//	POST /admin/people/invitations              set-password links for the selected people (id=…): 200; 422 none selected
func (s *Server) peopleRoutes(e *echo.Echo) {
	hr := e.Group("/admin/people", requireRole(people.RoleHRAdmin))
	hr.GET("", s.adminPeopleList)
	hr.GET("/new", s.adminPersonNew)
	hr.POST("", s.adminPersonCreate)
	hr.POST("/invitations", s.adminPeopleBulkInvite)
	hr.GET("/import", s.adminStaffImportForm)
	hr.POST("/import", s.adminStaffImportUpload)
	hr.GET("/import/:upload", s.adminStaffImportPreview)
	hr.POST("/import/:upload/apply", s.adminStaffImportApply)
	hr.POST("/import/:upload/discard", s.adminStaffImportDiscard)
	hr.GET("/imports/:id", s.adminJob(jobs.KindStaffImport))
	hr.GET("/:id", s.adminPerson)
	hr.GET("/:id/edit", s.adminPersonEdit)
	hr.POST("/:id/edit", s.adminPersonUpdate)
	hr.GET("/:id/deactivate", s.adminPersonDeactivateForm)
	hr.POST("/:id/deactivate", s.adminPersonDeactivate)
	hr.GET("/:id/reactivate", s.adminPersonReactivateForm)
	hr.POST("/:id/reactivate", s.adminPersonReactivate)
	hr.POST("/:id/invite", s.adminPersonInvite)
}

// staffImportPath is the upload's route; staffImportMaxBytes its body
// limit, above the 2 MiB every other request gets (see New).
const (
	staffImportPath     = "/admin/people/import"
	staffImportMaxBytes = 20 << 20
)

// peopleActor is the signed-in HR admin, as the audit trail names them.
func peopleActor(c echo.Context) people.Actor {
	e := viewerOf(c).Employee
	return people.Actor{ID: e.ID, Name: e.FullName()}
}
