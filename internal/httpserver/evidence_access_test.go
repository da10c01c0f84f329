package httpserver_test

import "net/http"

// Evidence packs are HR's. A transcript is for HR, the person's managers up
// the chain and the person: the fixture's data belongs to Other, whom no
// calling manager manages, so managers and learners are refused. Everyone
// signed in may read their own transcript at /me/transcript.
func init() {
	hrPage := access{
		Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusSeeOther,
	}
	expectAccess("GET /admin/evidence", hrPage)
	// An empty form asks for the whole organisation: HR gets the zip.
	expectAccess("POST /admin/evidence/pack", access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK,
		Token: http.StatusUnauthorized,
	})
	expectAccess("GET /admin/people/:id/transcript", hrPage)
	expectAccess("GET /admin/people/:id/transcript.pdf", hrPage)
	own := access{
		Anonymous: http.StatusSeeOther, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK,
		Token: http.StatusSeeOther,
	}
	expectAccess("GET /me/transcript", own)
	expectAccess("GET /me/transcript.pdf", own)
}
