package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
)

// /metrics labels requests by the route pattern, never by the raw path, and
// exports the database pool statistics.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	c := env.Client()
	for _, path := range []string{"/healthz", "/healthz", "/static/css/app.css", "/no/such/page-4711"} {
		c.Get(path)
	}
	res := c.Get("/metrics")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`onramp_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 2`,
		`onramp_http_request_duration_seconds_count{method="GET",route="/static/*",status="200"} 1`,
		`onramp_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`go_sql_open_connections{db_name="onramp"}`,
		`onramp_emails_sent_total 0`,
		`# TYPE onramp_scheduler_pass_duration_seconds histogram`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The raw paths, not a bare "4711": Go's runtime metrics are numbers
	// that can contain those digits (go_gc_duration_seconds_sum 0.047119…).
	for _, never := range []string{"page-4711", "app.css"} {
		if strings.Contains(res.Body, never) {
			t.Errorf("/metrics carries the raw path (%q)", never)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", res.Body)
	}
	// The scrape itself is counted by the next one.
	if res := c.Get("/metrics"); !strings.Contains(res.Body, `route="/metrics",status="200"} 1`) {
		t.Error("the /metrics request itself was not recorded")
	}
}

// /readyz answers on whichever database the suite runs on (PostgreSQL when
// ONRAMP_TEST_DATABASE_URL is set).
func TestReadyzAfterMigrations(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	res := env.Client().Get("/readyz")
	if res.StatusCode != http.StatusOK || res.Body != "ready\n" {
		t.Fatalf("GET /readyz: %d %q", res.StatusCode, res.Body)
	}
}
