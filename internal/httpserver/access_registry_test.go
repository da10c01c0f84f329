package httpserver_test

// access is who may use a route: the HTTP status each kind of caller gets
// when it calls the route on someone else's or the organisation's data.
// 0 means "not checked for this caller" and is only allowed for token on
// non-API routes. TestEveryRouteHasAnAccessRule fails for a route that has
// no entry, so a new route cannot ship without saying who may use it.
type access struct {
	Anonymous int
	Learner   int
	Manager   int
	HRAdmin   int
	// Token is an API bearer token with every scope; for pages it is the
	// same as anonymous (tokens are not sessions).
	Token int
}

// routeAccess maps "METHOD /route/:pattern" (the Echo route as registered)
// to its access rule. Each area's *_access_test.go adds its routes in init().
var routeAccess = map[string]access{}

// expectAccess registers the access rule of one route.
func expectAccess(route string, a access) {
	if _, dup := routeAccess[route]; dup {
		panic("access rule registered twice for " + route)
	}
	routeAccess[route] = a
}
