package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the admin connection

	"github.com/onramp-lms/onramp/internal/db"
)

// TestDatabaseEnv names the variable that selects the database tests run on:
// unset (or "sqlite") for a SQLite file per test, or the postgres:// URL of a
// server where the tests may create and drop databases.
const TestDatabaseEnv = "ONRAMP_TEST_DATABASE_URL"

const requirePostgresMessage = "set ONRAMP_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run PostgreSQL tests"

// RequirePostgres returns the PostgreSQL server URL from
// ONRAMP_TEST_DATABASE_URL, and skips the test when it is not set, so tests
// that only make sense on PostgreSQL pass on a laptop without one.
func RequirePostgres(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(TestDatabaseEnv)
	if db.DialectOf(u) != db.Postgres {
		tb.Skip(requirePostgresMessage)
	}
	return u
}

// newDatabaseURL gives each test its own database: a SQLite file in a
// temporary directory, or, when ONRAMP_TEST_DATABASE_URL is a postgres://
// URL, a new database on that server, dropped (connections and all) when the
// test ends.
func newDatabaseURL(tb testing.TB) string {
	tb.Helper()
	switch u := os.Getenv(TestDatabaseEnv); {
	case u == "" || u == "sqlite":
		return filepath.Join(tb.TempDir(), "onramp.db")
	case db.DialectOf(u) == db.Postgres:
		return newPostgresDatabase(tb, u)
	default:
		tb.Fatalf("%s=%q: want a postgres:// URL, or nothing for SQLite", TestDatabaseEnv, u)
		return ""
	}
}

// adminPools keeps one connection pool per server URL for the whole test
// binary, rather than a new connection for every test.
var adminPools sync.Map // server URL → *sql.DB

func adminPool(server string) (*sql.DB, error) {
	if p, ok := adminPools.Load(server); ok {
		return p.(*sql.DB), nil
	}
	p, err := sql.Open("pgx", server)
	if err != nil {
		return nil, err
	}
	p.SetMaxIdleConns(2)
	p.SetConnMaxIdleTime(time.Minute)
	if existing, loaded := adminPools.LoadOrStore(server, p); loaded {
		_ = p.Close()
		return existing.(*sql.DB), nil
	}
	return p, nil
}

func newPostgresDatabase(tb testing.TB, server string) string {
	tb.Helper()
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", TestDatabaseEnv, err)
	}
	admin, err := adminPool(server)
	if err != nil {
		tb.Fatalf("connect to %s: %v", TestDatabaseEnv, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	// Hex only, so the name needs no quoting.
	name := "onramp_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends sessions a failed test left open (PostgreSQL 13+).
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
