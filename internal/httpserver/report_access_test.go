package httpserver_test

import "net/http"

// Reports: HR's reports page and downloads are for hr_admin only; a
// manager downloads the same reports limited to their own team (the
// access test's managers get their own team: 200; asking for another
// team's report is a 403, see TestTeamReportsAreTheTeamsOnly). Tokens are
// not sessions, so a token caller is sent to sign in like anyone anonymous.
func init() {
	expectAccess("GET /admin/reports", access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK, Token: http.StatusSeeOther})
	expectAccess("GET /admin/reports/:file", access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusOK, Token: http.StatusSeeOther})
	expectAccess("GET /team/reports/:file", access{Anonymous: http.StatusSeeOther, Learner: http.StatusForbidden, Manager: http.StatusOK, HRAdmin: http.StatusOK, Token: http.StatusSeeOther})
	accessParamFor("/reports/:file", ":file", func(*accessFixture) string { return "status.csv" })
}
