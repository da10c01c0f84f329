// Package metrics holds Onramp's Prometheus metrics on a registry of its own
// (never the global one, so two apps in one test binary do not collide), and
// serves them in the Prometheus text format at /metrics.
//
// Other packages record through the methods of *Metrics, which are no-ops on
// a nil *Metrics, so a service built without metrics (in a unit test, say)
// needs no checks. Label values must come from small fixed sets (a route
// pattern, a status code, an outbox state), never from user input or raw
// paths, or the series multiply without bound.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is every metric Onramp exports, with the registry that holds them.
type Metrics struct {
	registry *prometheus.Registry

	// HTTPRequests times each HTTP request by method, Echo route pattern and
	// status code: onramp_http_request_duration_seconds.
	HTTPRequests *prometheus.HistogramVec
	// SchedulerPass times each scheduler pass, by result ("ok" or "error"):
	// onramp_scheduler_pass_duration_seconds.
	SchedulerPass *prometheus.HistogramVec
	// OutboxDepth counts outbox messages by state (for example pending,
	// failed): onramp_outbox_messages.
	OutboxDepth *prometheus.GaugeVec
	// EmailsSent counts e-mails the SMTP server accepted: onramp_emails_sent_total.
	EmailsSent prometheus.Counter
	// EmailsFailed counts delivery attempts that failed: onramp_emails_failed_total.
	EmailsFailed prometheus.Counter
}

// New builds the metrics and registers them, with Go runtime, process and
// (when sqlDB is not nil) database pool statistics, on a new registry.
func New(sqlDB *sql.DB) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "onramp",
			Name:      "http_request_duration_seconds",
			Help:      "Time to answer HTTP requests, by method, route pattern and status code.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		SchedulerPass: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "onramp",
			Name:      "scheduler_pass_duration_seconds",
			Help:      "Time taken by each scheduler pass, by result (ok or error).",
			Buckets:   []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"result"}),
		OutboxDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "onramp",
			Name:      "outbox_messages",
			Help:      "Outbox messages by delivery state, as last counted by the scheduler.",
		}, []string{"state"}),
		EmailsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "onramp",
			Name:      "emails_sent_total",
			Help:      "E-mails accepted by the SMTP server.",
		}),
		EmailsFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "onramp",
			Name:      "emails_failed_total",
			Help:      "E-mail delivery attempts that failed (each retry counts).",
		}),
	}
	m.registry.MustRegister(
		m.HTTPRequests, m.SchedulerPass, m.OutboxDepth, m.EmailsSent, m.EmailsFailed,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Export both results from the start, so "no pass in the last hour" and
	// error-rate alerts work before the first pass has run.
	m.SchedulerPass.WithLabelValues("ok")
	m.SchedulerPass.WithLabelValues("error")
	if sqlDB != nil {
		// go_sql_* series with db_name="onramp": open, in-use and idle
		// connections, and the time spent waiting for one.
		m.registry.MustRegister(collectors.NewDBStatsCollector(sqlDB, "onramp"))
	}
	return m
}

// Registry returns the registry, for tests and for packages that bring
// collectors of their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		Registry:            m.registry, // promhttp's own scrape counters
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 2,
	})
}

// ObserveRequest records one answered HTTP request. route is the router's
// pattern (e.g. "/courses/:id"), never the raw path.
func (m *Metrics) ObserveRequest(method, route string, status int, elapsed time.Duration) {
	if m == nil {
		return
	}
	m.HTTPRequests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// ObserveSchedulerPass records one scheduler pass and whether it failed.
func (m *Metrics) ObserveSchedulerPass(elapsed time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.SchedulerPass.WithLabelValues(result).Observe(elapsed.Seconds())
}

// SetOutboxDepth records how many outbox messages are in state.
func (m *Metrics) SetOutboxDepth(state string, n int) {
	if m == nil {
		return
	}
	m.OutboxDepth.WithLabelValues(state).Set(float64(n))
}

// EmailSent counts one e-mail accepted by the SMTP server.
func (m *Metrics) EmailSent() {
	if m == nil {
		return
	}
	m.EmailsSent.Inc()
}

// EmailFailed counts one failed delivery attempt.
func (m *Metrics) EmailFailed() {
	if m == nil {
		return
	}
	m.EmailsFailed.Inc()
}
