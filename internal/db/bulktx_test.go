package db

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestBulkTxSettingsStayInTheJob checks that a bulk transaction runs with
// SQLite's throughput settings and that the connection goes back to the
// pool with the settings every request relies on (synchronous=FULL, temp
// files on disk).
func TestBulkTxSettingsStayInTheJob(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	if d.Dialect != SQLite {
		testBulkTxPostgres(t, d)
		return
	}
	// One connection: the one BulkTx used is the one checked afterwards.
	d.SQL().SetMaxOpenConns(1)
	pragma := func(tx *gorm.DB, name string) int {
		t.Helper()
		var v int
		if err := tx.Raw("PRAGMA " + name).Scan(&v).Error; err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		return v
	}
	now := time.Now().UTC()
	err := d.BulkTx(ctx, func(tx *gorm.DB) error {
		if got := pragma(tx, "synchronous"); got != 1 {
			t.Errorf("inside BulkTx synchronous = %d, want 1 (NORMAL)", got)
		}
		if got := pragma(tx, "wal_autocheckpoint"); got != 0 {
			t.Errorf("inside BulkTx wal_autocheckpoint = %d, want 0", got)
		}
		if got := pragma(tx, "temp_store"); got != 2 {
			t.Errorf("inside BulkTx temp_store = %d, want 2 (MEMORY)", got)
		}
		return tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, "c1", "C", now, now).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pragma(d.WithContext(ctx), "synchronous"); got != 2 {
		t.Errorf("after BulkTx synchronous = %d, want 2 (FULL)", got)
	}
	if got := pragma(d.WithContext(ctx), "wal_autocheckpoint"); got != 1000 {
		t.Errorf("after BulkTx wal_autocheckpoint = %d, want 1000", got)
	}
	if got := pragma(d.WithContext(ctx), "temp_store"); got != 0 {
		t.Errorf("after BulkTx temp_store = %d, want 0 (DEFAULT: a request's large sort spills to a file)", got)
	}
	var n int64
	d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d course rows after a committed bulk transaction, want 1", n)
	}

	// A failing batch rolls back and still restores the connection.
	wantErr := errors.New("batch failed")
	err = d.BulkTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, "c2", "C", now, now).Error; err != nil {
			return err
		}
		return wantErr
	})
	if !errors.Is(err, wantErr) {
		t.Fatalf("BulkTx = %v, want %v", err, wantErr)
	}
	d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d course rows after a rolled-back bulk transaction, want 1", n)
	}
	if got := pragma(d.WithContext(ctx), "synchronous"); got != 2 {
		t.Errorf("after a failed BulkTx synchronous = %d, want 2 (FULL)", got)
	}
}

// testBulkTxPostgres checks that a bulk transaction commits without waiting
// for the WAL flush, and that the setting ends with it.
func testBulkTxPostgres(t *testing.T, d *DB) {
	ctx := context.Background()
	d.SQL().SetMaxOpenConns(1)
	setting := func(tx *gorm.DB) string {
		t.Helper()
		var v string
		if err := tx.Raw("SHOW synchronous_commit").Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := d.BulkTx(ctx, func(tx *gorm.DB) error {
		if got := setting(tx); got != "off" {
			t.Errorf("inside BulkTx synchronous_commit = %q, want off", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := setting(d.WithContext(ctx)); got != "on" {
		t.Errorf("after BulkTx synchronous_commit = %q, want on", got)
	}
}

// TestBulkTxHeldCountsOnlyTheHolding checks what BulkTxHeld reports as the
// time a batch held the database, which passes and imports pace themselves
// by: the batch's own work and commit, not the wait for the write lock
// behind another writer (counting it once made a waiting pass shrink its
// batches and count a lock it never held).
func TestBulkTxHeldCountsOnlyTheHolding(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	now := time.Now().UTC()
	const work = 50 * time.Millisecond
	insert := func(tx *gorm.DB, id string) error {
		return tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, id, "C", now, now).Error
	}

	began := time.Now()
	held, err := d.BulkTxHeld(ctx, func(tx *gorm.DB) error {
		time.Sleep(work)
		return insert(tx, "alone")
	})
	wall := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if held < work || held > wall {
		t.Errorf("held %v for a batch that worked %v in %v, want between the two", held, work, wall)
	}
	if d.Dialect != SQLite {
		// PostgreSQL has no database-wide write lock to wait for.
		return
	}

	// Another writer holds SQLite's write lock for a while first.
	const other = 400 * time.Millisecond
	locked := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.Tx(ctx, func(tx *gorm.DB) error {
			if err := insert(tx, "other"); err != nil {
				return err
			}
			close(locked)
			time.Sleep(other)
			return nil
		})
	}()
	<-locked
	began = time.Now()
	held, err = d.BulkTxHeld(ctx, func(tx *gorm.DB) error {
		time.Sleep(work)
		return insert(tx, "after")
	})
	wall = time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if wall < other/2 {
		t.Fatalf("the batch took %v behind a writer holding the lock %v: it did not wait, so this test checks nothing", wall, other)
	}
	if held < work || held > wall-other/4 {
		t.Errorf("held %v for a batch that waited and then worked %v, %v in all: the wait was counted as holding", held, work, wall)
	}
}
