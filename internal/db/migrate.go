package db

import (
	"context"
	"fmt"
	"io"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/onramp-lms/onramp/migrations"
)

// MigrationLockID is the PostgreSQL advisory lock key held while migrations
// run. Instances that start together queue on it: the first applies the
// pending migrations, the others then find nothing left to do. It is
// goose's default key, so `goose` run by hand against the same database
// queues too.
const MigrationLockID int64 = lock.DefaultLockID

// provider returns a goose provider over the embedded migrations. Only
// changes take the PostgreSQL session lock: reading the status must not wait
// behind (or block) another instance's migration, or /readyz would flap while
// several instances start at once.
func (d *DB) provider(locked bool) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		if locked {
			// Poll every second for up to 10 minutes: a long migration on a big
			// database must not make the next instance give up while it waits.
			locker, err := lock.NewPostgresSessionLocker(
				lock.WithLockID(MigrationLockID),
				lock.WithLockTimeout(1, 600),
				lock.WithUnlockTimeout(1, 60),
			)
			if err != nil {
				return nil, err
			}
			opts = append(opts, goose.WithSessionLocker(locker))
		}
	}
	opts = append(opts, goose.WithGoMigrations(migrations.Go(string(dialect))...))
	return goose.NewProvider(dialect, d.SQL(), migrations.FS, opts...)
}

// Migrate applies every pending migration. On PostgreSQL it holds an
// advisory lock while it does, so several instances may start at once.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.provider(true)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Pending reports how many migrations have not been applied.
func (d *DB) Pending(ctx context.Context) (int, error) {
	st, err := d.status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

func (d *DB) status(ctx context.Context) ([]*goose.MigrationStatus, error) {
	p, err := d.provider(false)
	if err != nil {
		return nil, err
	}
	return p.Status(ctx)
}

// PrintStatus writes one line per migration: its version, file and whether
// and when it was applied.
func (d *DB) PrintStatus(ctx context.Context, w io.Writer) error {
	st, err := d.status(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		when := "pending"
		if s.State == goose.StateApplied {
			when = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%5d  %-40s %s\n", s.Source.Version, s.Source.Path, when)
	}
	return nil
}
