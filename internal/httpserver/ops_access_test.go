package httpserver_test

import "net/http"

// Health checks and static files answer everyone: a load balancer and the
// sign-in page (its stylesheet) must reach them without a session. /metrics
// too, by design: Prometheus scrapes it without credentials, it holds no
// personal data (route patterns, statuses, queue depths), and the
// deployment guide has the reverse proxy refuse it from outside.
func init() {
	everyone := access{Anonymous: http.StatusOK, Learner: http.StatusOK, Manager: http.StatusOK, HRAdmin: http.StatusOK}
	expectAccess("GET /healthz", everyone)
	expectAccess("GET /readyz", everyone)
	expectAccess("GET /static/*", everyone)
	expectAccess("GET /metrics", everyone)
}
