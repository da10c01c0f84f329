package httpserver_test

import "net/http"

// Sign-in, sign-out and invitations are open to everyone: the form or the
// link is the credential. Empty forms are sent, so nothing is changed and a
// signed-in caller's 422 shows the route let them through.
func init() {
	expectAccess("GET /login", access{
		Anonymous: http.StatusOK,
		// Someone signed in is sent on to where they were going.
		Learner: http.StatusSeeOther, Manager: http.StatusSeeOther, HRAdmin: http.StatusSeeOther,
	})
	expectAccess("POST /login", access{
		Anonymous: http.StatusUnprocessableEntity, Learner: http.StatusUnprocessableEntity,
		Manager: http.StatusUnprocessableEntity, HRAdmin: http.StatusUnprocessableEntity,
	})
	expectAccess("POST /logout", access{
		Anonymous: http.StatusSeeOther, Learner: http.StatusSeeOther, Manager: http.StatusSeeOther, HRAdmin: http.StatusSeeOther,
	})
	expectAccess("GET /invite/:token", access{
		Anonymous: http.StatusOK, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK,
	})
	expectAccess("POST /invite/:token", access{
		Anonymous: http.StatusUnprocessableEntity, Learner: http.StatusUnprocessableEntity,
		Manager: http.StatusUnprocessableEntity, HRAdmin: http.StatusUnprocessableEntity,
	})
	// "Forgot your password?" is open to everyone; the empty form is refused.
	expectAccess("GET /forgot-password", access{
		Anonymous: http.StatusOK, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK,
	})
	expectAccess("POST /forgot-password", access{
		Anonymous: http.StatusUnprocessableEntity, Learner: http.StatusUnprocessableEntity,
		Manager: http.StatusUnprocessableEntity, HRAdmin: http.StatusUnprocessableEntity,
	})
	// A reset link is a set-password link with other words: the same token
	// works.
	expectAccess("GET /reset/:token", access{
		Anonymous: http.StatusOK, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK,
	})
	expectAccess("POST /reset/:token", access{
		Anonymous: http.StatusUnprocessableEntity, Learner: http.StatusUnprocessableEntity,
		Manager: http.StatusUnprocessableEntity, HRAdmin: http.StatusUnprocessableEntity,
	})
	// The organisation's logo is public (the verify page shows it); the
	// test app has none.
	expectAccess("GET /org-logo", access{
		Anonymous: http.StatusNotFound, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound,
	})
}
