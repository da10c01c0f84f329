package app_test

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/config"
)

// The app a real process opens sets and checks passwords at production
// cost; only internal/apptest lowers it, after opening.
func TestOpenHashesPasswordsAtProductionCost(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.DatabaseURL = apptest.NewDatabaseURL(t)
	cfg.ContentDir = filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	cfg.DataDir = t.TempDir()
	cfg.BaseURL, _ = url.Parse("http://training.example")
	a, err := app.Open(context.Background(), cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if a.Auth.Cost != auth.CostProduction {
		t.Fatalf("app.Open built an auth service at cost %d, want production", a.Auth.Cost)
	}
}
