package apptest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/db"
)

// Each test gets a database of its own, gone once the test ends, even when
// the test left connections open.
func TestNewDatabaseURLPostgres(t *testing.T) {
	t.Parallel()
	server := RequirePostgres(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		dsn := NewDatabaseURL(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, "onramp_test_") || db.DialectOf(dsn) != db.Postgres {
			t.Fatalf("test database URL %s", u.Redacted())
		}
		d, err := db.Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Deliberately left open: the drop must not wait for it.
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	admin, err := adminPool(server)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("test database %s still exists after its test", name)
	}
}

func TestNewDatabaseURLSQLite(t *testing.T) {
	t.Setenv(TestDatabaseEnv, "")
	if dsn := NewDatabaseURL(t); db.DialectOf(dsn) != db.SQLite || !strings.HasSuffix(dsn, "onramp.db") {
		t.Fatalf("without %s: %s, want a SQLite file", TestDatabaseEnv, dsn)
	}
}
