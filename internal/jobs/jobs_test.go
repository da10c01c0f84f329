package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/jobs"
)

// openDB is a migrated database of the test's own (SQLite, or PostgreSQL
// when ONRAMP_TEST_DATABASE_URL is set).
func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// A job's row says exactly what its committed batches did: a batch whose
// transaction rolls back adds nothing; the last marks it finished. The
// work goes on after the context that started it is cancelled, and Wait
// tells a job done in time from one that is not.
func TestJobProgress(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	store := &jobs.Store{DB: d}
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	type figures struct{ Written int }
	run, err := jobs.Start(ctx, d, nil, jobs.Job{Kind: jobs.KindStaffImport, Title: "staff.csv", ActorName: "Hana"},
		func(ctx context.Context, id string) error {
			<-release
			if ctx.Err() != nil {
				return ctx.Err()
			}
			for i, last := range []bool{false, false, true} {
				err := d.Tx(ctx, func(tx *gorm.DB) error {
					if err := jobs.Progress(tx, id, jobs.Update{Total: 30, Done: 10 * (i + 1), Figures: figures{10 * (i + 1)}, Finish: last}); err != nil {
						return err
					}
					if i == 1 {
						return errors.New("this batch rolls back")
					}
					return nil
				})
				if i == 1 && err == nil {
					return errors.New("the failing batch committed")
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	j, err := store.Get(context.Background(), jobs.KindStaffImport, run.ID)
	if err != nil || j.Begun() || j.FinishedAt != nil || j.Title != "staff.csv" || j.Figures != "{}" {
		t.Fatalf("before its first batch: %+v %v", j, err)
	}
	if running, err := store.Running(context.Background(), jobs.KindStaffImport, time.Now()); err != nil || len(running) != 1 {
		t.Fatalf("running: %v %v", running, err)
	}
	if run.Wait(context.Background(), 10*time.Millisecond) || run.Wait(context.Background(), -1) {
		t.Fatal("Wait says a job that has not started its work is done")
	}
	cancel() // the request that started it is gone
	close(release)
	if !run.Wait(context.Background(), 10*time.Second) || run.Err != nil {
		t.Fatalf("the job did not finish: %v", run.Err)
	}
	j, err = store.Get(context.Background(), jobs.KindStaffImport, run.ID)
	var f figures
	if err != nil || j.FiguresInto(&f) != nil || j.Batches != 2 || j.Done != 30 || j.Total != 30 || f.Written != 30 || j.FinishedAt == nil || j.Error != "" || j.Percent() != 100 {
		t.Fatalf("after: %+v %+v %v", j, f, err)
	}
	if running, err := store.Running(context.Background(), jobs.KindStaffImport, time.Now()); err != nil || len(running) != 0 {
		t.Fatalf("still running: %v %v", running, err)
	}
	if _, err := store.Get(context.Background(), jobs.KindRuleChange, run.ID); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("a staff import read as a rule change: %v", err)
	}
	if j.Stopped(time.Now().Add(time.Hour)) {
		t.Fatal("a finished job reads as stopped")
	}
}

// A job that fails records a message for HR: the one its error carries for
// people, else a general one (never the error's own text, which may hold
// details for the log only); a panic fails the job, not the process. A job
// with no batch for two minutes reads as stopped. Drain waits for the jobs
// of the process.
func TestJobFailures(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	store := &jobs.Store{DB: d}
	cases := []struct {
		what string
		err  func() error
		want string
	}{
		{"a conflict", func() error {
			return apperr.New(apperr.Conflict, "The staff list changed since this preview; upload the file again.")
		}, "The staff list changed since this preview; upload the file again."},
		{"a database error", func() error { return errors.New("UNIQUE constraint failed: employees.email (secret@example.org)") },
			"Something went wrong on the server; the error is in its log."},
		{"a panic", func() error { panic("a bug") }, "Something went wrong on the server; the error is in its log."},
	}
	for _, c := range cases {
		run, err := jobs.Start(context.Background(), d, nil, jobs.Job{Kind: jobs.KindRuleChange, Title: c.what},
			func(context.Context, string) error { return c.err() })
		if err != nil {
			t.Fatal(err)
		}
		<-run.Done()
		j, err := store.Get(context.Background(), jobs.KindRuleChange, run.ID)
		if err != nil || run.Err == nil || j.FinishedAt == nil || j.Error != c.want || j.Begun() {
			t.Errorf("%s: %+v (%v, %v)", c.what, j, run.Err, err)
		}
		if c.what == "a panic" && !strings.Contains(run.Err.Error(), "a bug") {
			t.Errorf("the panic's error for the log: %v", run.Err)
		}
	}
	// No batch for more than two minutes, not finished: stopped.
	j := jobs.Job{UpdatedAt: time.Now().Add(-jobs.Stalled - time.Second)}
	if !j.Stopped(time.Now()) || (jobs.Job{UpdatedAt: time.Now()}).Stopped(time.Now()) {
		t.Fatal("Stopped tells the wrong jobs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := jobs.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
}
