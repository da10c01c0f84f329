package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("content type %q, want the text format", ct)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "onramp.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := metrics.New(d.SQL())
	m.ObserveRequest("GET", "/courses/:id", 200, 30*time.Millisecond)
	m.ObserveRequest("GET", "/courses/:id", 200, 3*time.Second)
	m.ObserveRequest("POST", "/login", 303, time.Millisecond)
	m.ObserveSchedulerPass(2*time.Second, nil)
	m.ObserveSchedulerPass(time.Second, errors.New("smtp down"))
	m.SetOutboxDepth("pending", 3)
	m.SetOutboxDepth("failed", 1)
	m.EmailSent()
	m.EmailSent()
	m.EmailFailed()

	body := scrape(t, m)
	for _, want := range []string{
		`onramp_http_request_duration_seconds_count{method="GET",route="/courses/:id",status="200"} 2`,
		`onramp_http_request_duration_seconds_bucket{method="GET",route="/courses/:id",status="200",le="0.05"} 1`,
		`onramp_http_request_duration_seconds_count{method="POST",route="/login",status="303"} 1`,
		`onramp_scheduler_pass_duration_seconds_count{result="ok"} 1`,
		`onramp_scheduler_pass_duration_seconds_count{result="error"} 1`,
		`onramp_outbox_messages{state="pending"} 3`,
		`onramp_outbox_messages{state="failed"} 1`,
		`onramp_emails_sent_total 2`,
		`onramp_emails_failed_total 1`,
		`go_sql_max_open_connections{db_name="onramp"} 8`,
		`go_sql_open_connections{db_name="onramp"}`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

// Each Metrics has its own registry: two apps in one process must not
// collide on registration, and must not see each other's counts.
func TestMetricsIndependentRegistries(t *testing.T) {
	t.Parallel()
	a, b := metrics.New(nil), metrics.New(nil)
	a.EmailSent()
	if body := scrape(t, b); !strings.Contains(body, "onramp_emails_sent_total 0") {
		t.Fatalf("second registry sees the first one's count:\n%s", body)
	}
	if strings.Contains(scrape(t, a), "go_sql_") {
		t.Fatal("database statistics exported without a database")
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.ObserveRequest("GET", "/", 200, time.Millisecond)
	m.ObserveSchedulerPass(time.Second, nil)
	m.SetOutboxDepth("pending", 1)
	m.EmailSent()
	m.EmailFailed()
}
