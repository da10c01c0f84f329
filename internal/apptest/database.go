package apptest

import (
	"os"
	"path/filepath"
	"testing"
)

// newDatabaseURL gives each test its own database. PostgreSQL support is
// added with the PostgreSQL work; until then a set ONRAMP_TEST_DATABASE_URL
// fails loudly rather than silently testing SQLite.
func newDatabaseURL(tb testing.TB) string {
	if u := os.Getenv("ONRAMP_TEST_DATABASE_URL"); u != "" {
		tb.Fatalf("ONRAMP_TEST_DATABASE_URL is set but this build cannot create PostgreSQL test databases yet")
	}
	return filepath.Join(tb.TempDir(), "onramp.db")
}
