package app

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestServerWarmsTheDashboardAtStartAndAtMidnight: the dashboard's counts
// are in memory soon after the server starts and again soon after the day
// changes, so no HR request waits for a count of the whole organisation.
func TestServerWarmsTheDashboardAtStartAndAtMidnight(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	// (internal/apptest imports this package: a file of its own.)
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "onramp.db")
	cfg.ContentDir = filepath.Join("..", "catalog", "testdata", "basic")
	cfg.DataDir = t.TempDir()
	cfg.BaseURL, _ = url.Parse("http://training.example")
	clk := clock.NewFake(time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC))
	a, err := Open(context.Background(), cfg, nil, clk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if report.DashboardCached(a.DB, clk.Now()) {
		t.Fatal("the dashboard is counted before the server runs")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.keepDashboardWarm(ctx, 5*time.Millisecond) }()
	defer func() { cancel(); <-done }()

	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !report.DashboardCached(a.DB, clk.Now()) {
			if time.Now().After(deadline) {
				t.Fatalf("the dashboard is not counted %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("after the start")
	clk.Advance(2 * time.Minute) // past midnight
	if report.DashboardCached(a.DB, clk.Now()) {
		t.Fatal("yesterday's counts pass for today's")
	}
	waitFor("after midnight")
}
