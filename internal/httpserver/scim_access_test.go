package httpserver_test

import "net/http"

// SCIM answers a bearer token with the scim scope only: a session, even
// HR's, gets 401, and the access tests' API token (every /api/v1 scope,
// never scim, which stands alone) gets 403. scim_test.go calls the routes
// with a scim token.
func init() {
	scimOnly := access{
		Anonymous: http.StatusUnauthorized, Learner: http.StatusUnauthorized, Manager: http.StatusUnauthorized,
		HRAdmin: http.StatusUnauthorized, Token: http.StatusForbidden,
	}
	for _, r := range []string{
		"GET /scim/v2/ServiceProviderConfig", "GET /scim/v2/ResourceTypes", "GET /scim/v2/ResourceTypes/:id",
		"GET /scim/v2/Schemas", "GET /scim/v2/Schemas/:id", "GET /scim/v2/Users", "POST /scim/v2/Users",
		"GET /scim/v2/Users/:id", "PUT /scim/v2/Users/:id", "PATCH /scim/v2/Users/:id", "DELETE /scim/v2/Users/:id",
	} {
		expectAccess(r, scimOnly)
	}
	accessParamFor("/scim/v2/ResourceTypes/:id", ":id", func(*accessFixture) string { return "User" })
	accessParamFor("/scim/v2/Schemas/:id", ":id", func(*accessFixture) string { return "urn:ietf:params:scim:schemas:core:2.0:User" })
}
