package httpserver_test

import "net/http"

// The audit trail is HR's: a learner or a manager is refused, an anonymous
// visitor is sent to sign in (or told to, for the verify button's post). A
// token is not a session.
func init() {
	expectAccess("GET /admin/audit", access{
		Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusSeeOther,
	})
	expectAccess("POST /admin/audit/verify", access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusUnauthorized,
	})
}
