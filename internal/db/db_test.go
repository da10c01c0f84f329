package db

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

func TestOpenMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openTest(t, newTestURL(t))
	n, err := d.Pending(ctx)
	if err != nil {
		t.Fatalf("pending before migrating: %v", err)
	}
	if n == 0 {
		t.Fatal("a new database reports no pending migrations")
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if n, err := d.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("pending after migrating = %d, %v; want 0", n, err)
	}
	var out bytes.Buffer
	if err := d.PrintStatus(ctx, &out); err != nil {
		t.Fatalf("status: %v", err)
	}
	if !strings.Contains(out.String(), "00001_foundation.sql") || strings.Contains(out.String(), "pending") {
		t.Fatalf("status:\n%s", out.String())
	}
	if err := d.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// The foundation tables take the same rows on both databases: text IDs,
// UTC timestamps, booleans, doubles and foreign keys.
func TestFoundationSchemaRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newTestDB(t)
	now := time.Date(2026, 3, 2, 9, 30, 15, 123456000, time.UTC)
	id := NewID()
	err := d.WithContext(ctx).Exec(`INSERT INTO employees (id, email, first_name, last_name, hire_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, "ana@example.org", "Ana", "Silva", now, now, now).Error
	if err != nil {
		t.Fatalf("insert employee: %v", err)
	}
	err = d.WithContext(ctx).Exec(`INSERT INTO login_attempts (id, email, ip, attempted_at, succeeded) VALUES (?, ?, ?, ?, ?)`,
		NewID(), "ana@example.org", "192.0.2.1", now, true).Error
	if err != nil {
		t.Fatalf("insert login attempt: %v", err)
	}
	var row struct {
		Email     string
		CreatedAt time.Time
	}
	if err := d.WithContext(ctx).Raw(`SELECT email, created_at FROM employees WHERE id = ?`, id).Scan(&row).Error; err != nil {
		t.Fatalf("select: %v", err)
	}
	if row.Email != "ana@example.org" || !row.CreatedAt.Equal(now) {
		t.Fatalf("read back %+v, want ana@example.org at %v", row, now)
	}
	var ok int64
	if err := d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM login_attempts WHERE succeeded = ?`, true).Scan(&ok).Error; err != nil || ok != 1 {
		t.Fatalf("count succeeded attempts = %d, %v; want 1", ok, err)
	}
	err = d.WithContext(ctx).Exec(`INSERT INTO sessions (id, employee_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		"s1", "no-such-employee", now, now, now).Error
	if err == nil {
		t.Fatal("a session for an unknown employee was accepted: foreign keys are off")
	}
}

func TestTxRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newTestDB(t)
	now := time.Now().UTC()
	wantErr := context.Canceled
	err := d.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, "c1", "C", now, now).Error; err != nil {
			return err
		}
		return wantErr
	})
	if err != wantErr {
		t.Fatalf("Tx = %v, want %v", err, wantErr)
	}
	var n int64
	d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d course rows after a rolled-back transaction", n)
	}
}

func TestTryAdvisoryLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := newTestURL(t)
	// Two handles on one database stand for two instances of Onramp.
	first, second := openTest(t, dsn), openTest(t, dsn)

	release, ok, err := first.TryAdvisoryLock(ctx, 42)
	if err != nil || !ok {
		t.Fatalf("first lock: ok=%v err=%v", ok, err)
	}
	if _, ok, err := second.TryAdvisoryLock(ctx, 42); err != nil || ok {
		t.Fatalf("second caller got a held lock: ok=%v err=%v", ok, err)
	}
	if _, ok, err := first.TryAdvisoryLock(ctx, 42); err != nil || ok {
		t.Fatalf("a second caller on the same handle got a held lock: ok=%v err=%v", ok, err)
	}
	other, ok, err := second.TryAdvisoryLock(ctx, 43)
	if err != nil || !ok {
		t.Fatalf("another key: ok=%v err=%v", ok, err)
	}
	other()

	release()
	release() // a second release is harmless
	again, ok, err := second.TryAdvisoryLock(ctx, 42)
	if err != nil || !ok {
		t.Fatalf("lock after release: ok=%v err=%v", ok, err)
	}
	again()
}

// Of many callers racing for one key, never two hold it at once. Each
// winner checks, while holding the lock, that nobody else does (a shared
// count of holders goes 0 → 1 and back), so the test proves mutual exclusion
// without depending on who wins or when: a caller that comes after a
// release may win too.
func TestTryAdvisoryLockRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := newTestURL(t)
	handles := []*DB{openTest(t, dsn), openTest(t, dsn)}
	const callers, tries = 8, 40
	var (
		wg       sync.WaitGroup
		holders  atomic.Int32
		wins     atomic.Int32
		overlaps atomic.Int32
		start    = make(chan struct{})
	)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range tries {
				release, ok, err := handles[i%2].TryAdvisoryLock(ctx, 7)
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
					return
				}
				if !ok {
					runtime.Gosched()
					continue
				}
				wins.Add(1)
				if n := holders.Add(1); n != 1 {
					overlaps.Add(1)
				}
				runtime.Gosched() // let the others try while it is held
				holders.Add(-1)
				release()
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("%d times a caller got the lock while another held it", n)
	}
	if wins.Load() == 0 {
		t.Fatal("nobody ever got the lock")
	}
	// Everyone released: the lock is free.
	release, ok, err := handles[0].TryAdvisoryLock(ctx, 7)
	if err != nil || !ok {
		t.Fatalf("after every caller released: ok=%v err=%v", ok, err)
	}
	release()
	t.Logf("%d of %d tries won the lock", wins.Load(), callers*tries)
}

func TestTryAdvisoryLockReleaseAfterCancel(t *testing.T) {
	t.Parallel()
	dsn := newTestURL(t)
	a, b := openTest(t, dsn), openTest(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	release, ok, err := a.TryAdvisoryLock(ctx, 9)
	if err != nil || !ok {
		t.Fatalf("lock: ok=%v err=%v", ok, err)
	}
	cancel()
	release()
	next, ok, err := b.TryAdvisoryLock(context.Background(), 9)
	if err != nil || !ok {
		t.Fatalf("lock after release with a cancelled context: ok=%v err=%v", ok, err)
	}
	next()
}

// TestSlowStatementLogHoldsNoArguments: a slow statement is logged as a
// warning with its SQL, but never with the values bound to it (GORM would
// inline them into the text without the logger's ParamsFilter).
func TestSlowStatementLogHoldsNoArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, newTestURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// Every statement counts as slow.
	g := d.Session(&gorm.Session{Logger: gormLogger{log: log, slow: time.Nanosecond}}).WithContext(ctx)

	const email, hash = "grace.hopper@example.org", "$argon2id$v=19$m=65536,t=3,p=2$c2VjcmV0c2FsdA$c2VjcmV0aGFzaA"
	if err := g.Exec("CREATE TABLE leak_probe (email TEXT, password_hash TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("INSERT INTO leak_probe (email, password_hash) VALUES (?, ?)", email, "x").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("UPDATE leak_probe SET password_hash = ? WHERE email = ?", hash, email).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := g.Table("leak_probe").Where("email = ? AND password_hash = ?", email, hash).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("count: %d, %v", n, err)
	}
	// A raw read with a list (IN ?), as the batch jobs run them.
	var got []string
	if err := g.Raw("SELECT email FROM leak_probe WHERE email IN ? AND password_hash = ?", []string{email, "other@example.org"}, hash).Scan(&got).Error; err != nil || len(got) != 1 {
		t.Fatalf("raw read: %v, %v", got, err)
	}
	out := buf.String()
	if strings.Count(out, `"level":"WARN"`) < 5 || !strings.Contains(out, "UPDATE leak_probe SET password_hash =") {
		t.Fatalf("slow statements not logged as warnings:\n%s", out)
	}
	for _, secret := range []string{email, "grace.hopper", hash, "argon2id"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the argument %q:\n%s", secret, out)
		}
	}
}
