// Package migrations holds Onramp's versioned SQL migrations, embedded into
// the binary and applied by goose at start-up and by `onramp migrate up`.
//
// Every SQL file must run on both SQLite and PostgreSQL: IDs are TEXT generated in
// Go, times are TIMESTAMP written in UTC, JSON is TEXT. Never edit a released
// migration; add a new one.
//
// Since 00045 (sqlite_times.go) SQLite's time columns are TIMESTAMP_US, integer
// microseconds: a later migration that adds a time column cannot say TIMESTAMP
// in a SQL file shared with PostgreSQL; it is a Go migration declaring the
// column TIMESTAMP_US on SQLite and TIMESTAMP on PostgreSQL (internal/db's
// TestSQLiteTimeColumns checks that no SQLite column is left as text).
package migrations

import "embed"

// FS holds the *.sql files.
//
//go:embed *.sql
var FS embed.FS
