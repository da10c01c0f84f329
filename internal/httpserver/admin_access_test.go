package httpserver_test

import "net/http"

// HR's workspace is for hr_admin only: a learner or a manager is refused
// (403), an anonymous visitor is sent to sign in (303) or, for a form post,
// told to (401). The team page is for managers (and HR, who rank above).
func init() {
	hrPage := access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK}
	expectAccess("GET /admin", hrPage)
	expectAccess("GET /admin/outbox", hrPage)
	expectAccess("GET /admin/outbox/:id", hrPage)
	// The fixture's message to the other learner is dead, so HR's retry
	// succeeds (303 to the queue).
	expectAccess("POST /admin/outbox/:id/retry", access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusSeeOther,
	})
	expectAccess("GET /team", access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusOK, HRAdmin: http.StatusOK})
	// A reminder to someone not on the caller's team is refused, HR's
	// included (HR has no team of its own here).
	expectAccess("POST /team/reminders", access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusForbidden, Token: http.StatusUnauthorized})
}
