package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the admin connection
)

// These helpers mirror apptest.NewDatabaseURL and apptest.RequirePostgres:
// apptest builds the whole app, which package db's own tests must not need.

const testDatabaseEnv = "ONRAMP_TEST_DATABASE_URL"

// requirePostgres returns the PostgreSQL server URL for tests, skipping the
// test when none is configured.
func requirePostgres(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(testDatabaseEnv)
	if DialectOf(u) != Postgres {
		tb.Skip("set ONRAMP_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run PostgreSQL tests")
	}
	return u
}

// newTestURL returns the URL of a fresh, empty database: a SQLite file, or a
// new PostgreSQL database (dropped when the test ends) when
// ONRAMP_TEST_DATABASE_URL is a postgres:// URL.
func newTestURL(tb testing.TB) string {
	tb.Helper()
	if DialectOf(os.Getenv(testDatabaseEnv)) == Postgres {
		return newPostgresTestURL(tb)
	}
	return filepath.Join(tb.TempDir(), "onramp.db")
}

func newPostgresTestURL(tb testing.TB) string {
	tb.Helper()
	server := requirePostgres(tb)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatalf("connect to %s: %v", testDatabaseEnv, err)
	}
	tb.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "onramp_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s: %v", testDatabaseEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// openTest opens (without migrating) the database at dsn, closing it when the
// test ends.
func openTest(tb testing.TB, dsn string) *DB {
	tb.Helper()
	d, err := Open(context.Background(), dsn, nil)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

// newTestDB opens a fresh, migrated database.
func newTestDB(tb testing.TB) *DB {
	tb.Helper()
	d := openTest(tb, newTestURL(tb))
	if err := d.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return d
}
