// Package migrations holds Onramp's versioned SQL migrations, embedded into
// the binary and applied by goose at start-up and by `onramp migrate up`.
//
// Every SQL file must run on both SQLite and PostgreSQL: IDs are TEXT generated in
// Go, times are TIMESTAMP written in UTC, JSON is TEXT. Never edit a released
// migration; add a new one.
package migrations

import "embed"

// FS holds the *.sql files.
//
//go:embed *.sql
var FS embed.FS
