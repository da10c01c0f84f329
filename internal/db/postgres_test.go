package db

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// Several instances starting together on one new database queue on the
// migration lock: every one succeeds and each migration is applied once.
func TestPostgresConcurrentMigrate(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	ctx := context.Background()
	dsn := newTestURL(t)
	const instances = 4
	handles := make([]*DB, instances)
	for i := range handles {
		handles[i] = openTest(t, dsn)
	}
	var wg sync.WaitGroup
	errs := make([]error, instances)
	for i, d := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	var applied []int64
	err := handles[0].WithContext(ctx).Raw(`SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id`).Scan(&applied).Error
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, v := range applied {
		if seen[v] {
			t.Fatalf("migration %d applied twice: %v", v, applied)
		}
		seen[v] = true
	}
	if len(applied) == 0 {
		t.Fatal("no migration recorded")
	}
}

// A migration in progress elsewhere holds the lock; Migrate waits for it
// rather than failing, and reading the status does not wait at all.
func TestPostgresMigrateWaitsForLock(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	ctx := context.Background()
	dsn := newTestURL(t)
	holder, d := openTest(t, dsn), openTest(t, dsn)
	conn, err := holder.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", MigrationLockID); err != nil {
		t.Fatal(err)
	}
	statusCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	n, err := d.Pending(statusCtx)
	cancel()
	if err != nil || n == 0 {
		t.Fatalf("pending while another instance migrates = %d, %v; want >0, nil without waiting", n, err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Migrate(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Migrate returned while the lock was held: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", MigrationLockID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("migrate after the lock was freed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Migrate still waiting 10s after the lock was freed")
	}
}

// TIMESTAMP has no zone: whatever zone a time.Time carries, the instant is
// stored in UTC and read back as UTC, and the session itself runs in UTC even
// when the URL asks for another zone.
func TestPostgresTimesUTC(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	ctx := context.Background()
	dsn := newTestURL(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	d := openTest(t, dsn+sep+"timezone=America/New_York")
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var tz string
	if err := d.SQL().QueryRowContext(ctx, "SHOW timezone").Scan(&tz); err != nil || tz != "UTC" {
		t.Fatalf("session time zone %q, %v; want UTC", tz, err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	local := time.Date(2026, 7, 1, 14, 0, 0, 0, berlin) // 12:00 UTC
	now := time.Now().UTC()
	for _, created := range []any{local, &local} {
		id := NewID()
		if err := d.WithContext(ctx).Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, id, "C", created, now).Error; err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.SQL().QueryRowContext(ctx, `SELECT created_at FROM courses WHERE id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(local) || got.Location() != time.UTC {
			t.Fatalf("stored %v (%T), read back %v; want the same instant in UTC", local, created, got)
		}
		var text string
		if err := d.SQL().QueryRowContext(ctx, `SELECT to_char(created_at, 'HH24:MI') FROM courses WHERE id = $1`, id).Scan(&text); err != nil || text != "12:00" {
			t.Fatalf("stored wall clock %q, %v; want 12:00 (UTC)", text, err)
		}
	}
	var never *time.Time
	err = d.WithContext(ctx).Exec(`INSERT INTO employees (id, email, first_name, last_name, created_at, updated_at, deactivated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, NewID(), "a@example.org", "A", "B", local, local, never).Error
	if err != nil {
		t.Fatalf("insert a NULL timestamp: %v", err)
	}
}

func TestPostgresBadPoolSize(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), "postgres://u@127.0.0.1:1/x?pool_max_conns=lots", nil)
	if err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Fatalf("err = %v, want one about pool_max_conns", err)
	}
}

func TestPostgresBadURLHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), "postgres://u:s3cret@127.0.0.1:notaport/x", nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v, want an error without the password", err)
	}
}

func TestPostgresPoolSize(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	dsn := newTestURL(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	d := openTest(t, dsn+sep+"pool_max_conns=7")
	if got := d.SQL().Stats().MaxOpenConnections; got != 7 {
		t.Fatalf("max open connections = %d, want 7", got)
	}
}
