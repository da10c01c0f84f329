package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

func TestPacerSizesBatchesByTime(t *testing.T) {
	t.Parallel()
	p := (&DB{Dialect: SQLite}).NewPacer(100, 1, 1000)
	p.pause = false
	// 100 items took four times the target: the next batch shrinks, by
	// at most half at a time.
	p.Done(context.Background(), 100, 4*TxTarget)
	if p.Size() != 50 {
		t.Fatalf("after a slow batch: size %d, want 50", p.Size())
	}
	// Fast batches grow it, by at most double at a time, up to the cap.
	for range 10 {
		p.Done(context.Background(), p.Size(), time.Millisecond)
	}
	if p.Size() != 1000 {
		t.Fatalf("after fast batches: size %d, want the cap 1000", p.Size())
	}
	// A batch at the target keeps its size.
	p.Done(context.Background(), 1000, TxTarget)
	if p.Size() != 1000 {
		t.Fatalf("after a batch at the target: size %d, want 1000", p.Size())
	}
	// Never below the floor.
	for range 20 {
		p.Done(context.Background(), p.Size(), time.Minute)
	}
	if p.Size() != 1 {
		t.Fatalf("after very slow batches: size %d, want the floor 1", p.Size())
	}
}

func TestPacerOnPostgresKeepsTheLargestSize(t *testing.T) {
	t.Parallel()
	p := (&DB{Dialect: Postgres}).NewPacer(10, 1, 500)
	p.Done(context.Background(), 500, time.Minute)
	if p.Size() != 500 || p.pause {
		t.Fatalf("PostgreSQL: size %d, pause %v; want 500 without pauses", p.Size(), p.pause)
	}
}

func TestPacerPausesOnSQLite(t *testing.T) {
	t.Parallel()
	p := (&DB{Dialect: SQLite}).NewPacer(10, 1, 10)
	began := time.Now()
	p.Done(context.Background(), 10, 100*time.Millisecond)
	if d := time.Since(began); d < 20*time.Millisecond {
		t.Fatalf("after a 100 ms transaction the pacer paused %s, want at least 20 ms for waiting writers", d)
	}
}

// TestPacerPauseRunsFromTheBatch: the pause Record returns ends busyGap
// after the batch, however the job spent the time between: reading its
// next batch during the pause does not lengthen it.
func TestPacerPauseRunsFromTheBatch(t *testing.T) {
	t.Parallel()
	p := (&DB{Dialect: SQLite}).NewPacer(10, 1, 10)
	gap := busyGap(100 * time.Millisecond)
	pause := p.Record(10, 100*time.Millisecond)
	time.Sleep(gap + 30*time.Millisecond) // the job's reads, longer than the pause
	began := time.Now()
	pause(context.Background())
	if d := time.Since(began); d > gap/2 {
		t.Errorf("the pause waited %s more after the job spent %s on reads, want nothing more", d, gap+30*time.Millisecond)
	}
	pause = p.Record(10, 100*time.Millisecond)
	began = time.Now()
	pause(context.Background())
	if d := time.Since(began); d < gap-5*time.Millisecond {
		t.Errorf("a pause waited out at once lasted %s, want about %s", d, gap)
	}
}

func TestBusyGapSpansTheWaitingWritersSleep(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ took, want time.Duration }{
		{0, 6 * time.Millisecond},
		{50 * time.Millisecond, 25 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Millisecond},
		{128 * time.Millisecond, 30 * time.Millisecond},
		{129 * time.Millisecond, 55 * time.Millisecond},
		{228 * time.Millisecond, 55 * time.Millisecond},
		{229 * time.Millisecond, 105 * time.Millisecond},
		{3 * time.Second, 105 * time.Millisecond},
	} {
		if got := busyGap(c.took); got != c.want {
			t.Errorf("busyGap(%s) = %s, want %s", c.took, got, c.want)
		}
	}
}

// TestPacerPauseCheckpoints: a paced job's pause copies what its batch
// wrote to SQLite's write-ahead log into the database file, so the next
// batch writes the log again from its start instead of after the last
// one (bulk connections never checkpoint on their own commits).
func TestPacerPauseCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "onramp.db")
	d := openTest(t, path)
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// An empty log to start from.
	if _, err := d.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	next := 0
	batch := func() time.Duration {
		t.Helper()
		held, err := d.BulkTxHeld(ctx, func(tx *gorm.DB) error {
			for range 300 {
				next++
				if err := tx.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`,
					fmt.Sprintf("course-%05d", next), strings.Repeat("t", 500), now, now).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
	walSize := func() int64 {
		t.Helper()
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	p := d.NewPacer(300, 1, 300)
	held := batch()
	one := walSize()
	if one == 0 {
		t.Fatal("a batch wrote nothing to the log: the test shows nothing")
	}
	for range 3 {
		p.Done(ctx, 300, held)
		held = batch()
	}
	if got := walSize(); got > one+one/2 {
		t.Errorf("the log is %d bytes after four batches with a pause between each, one batch wrote %d: want it written again from its start after each pause (checkpointed in the pause)", got, one)
	}
}
