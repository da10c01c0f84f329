package learning_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// testEnv is the learning service on a real SQLite file with the fixture
// course loaded and synced, and one employee assigned to it.
type testEnv struct {
	svc   *learning.Service
	clock *clock.Fake
	emp   *people.Employee
	cycle *compliance.Cycle
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cat, problems := catalog.Load(os.DirFS(filepath.Join("..", "catalog", "testdata", "basic")))
	if len(problems) > 0 {
		t.Fatalf("fixture course: %v", problems)
	}
	if err := cat.Sync(ctx, d, clk.Now()); err != nil {
		t.Fatal(err)
	}
	env := &testEnv{clock: clk}
	env.svc = &learning.Service{DB: d, Clock: clk, Catalog: cat, Cycles: &compliance.Store{DB: d}, People: &people.Store{DB: d}}
	env.emp = &people.Employee{Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", JobTitle: "Nurse", Department: "Ward 3"}
	err = d.Tx(ctx, func(tx *gorm.DB) error {
		if err := people.Create(tx, env.emp, clk.Now()); err != nil {
			return err
		}
		env.cycle, err = compliance.Assign(tx, env.emp.ID, "basic", clk.Now(), clk.Now().AddDate(0, 0, 30), "test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func (e *testEnv) journey(t *testing.T) *learning.Journey {
	t.Helper()
	j, err := e.svc.Journey(context.Background(), e.emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestSeedingHalfWayThenComplete(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	for _, step := range []string{"welcome", "scenario"} {
		out, err := env.svc.CompleteStep(ctx, env.emp, "basic", "basics", step)
		if err != nil || !out.StepDone || out.CourseCompleted {
			t.Fatalf("complete %s: %+v %v", step, out, err)
		}
	}
	j := env.journey(t)
	if done, total := j.Counts(); done != 2 || total != 5 {
		t.Errorf("counts = %d/%d, want 2/5", done, total)
	}
	if m, st := j.Resume(); m.ID != "basics" || st.ID != "check" {
		t.Errorf("resume at %s/%s, want basics/check", m.ID, st.ID)
	}
	if j.Cycle.Status != compliance.StatusInProgress || j.Cycle.StartedAt == nil {
		t.Errorf("cycle not started: %+v", j.Cycle)
	}

	env.clock.Advance(24 * time.Hour)
	cert, err := env.svc.CompleteCourse(ctx, env.emp, "basic")
	if err != nil || cert == nil {
		t.Fatalf("complete course: %v", err)
	}
	if cert.EmployeeName != "Ada Lovelace" || cert.JobTitle != "Nurse" || cert.Department != "Ward 3" ||
		cert.ScorePercent == nil || *cert.ScorePercent != 100 || cert.ExpiresAt == nil ||
		!cert.ExpiresAt.Equal(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("certificate = %+v", cert)
	}
	again, err := env.svc.CompleteCourse(ctx, env.emp, "basic")
	if err != nil || again.ID != cert.ID {
		t.Errorf("completing twice issued another certificate: %v %v", again, err)
	}
	byCode, err := env.svc.CertificateByCode(ctx, learning.FormatCode(cert.Code))
	if err != nil || byCode.ID != cert.ID {
		t.Errorf("lookup by grouped code: %v %v", byCode, err)
	}

	cy, err := env.svc.Cycles.ByID(ctx, env.cycle.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := env.svc.Evidence(ctx, cy)
	if err != nil {
		t.Fatal(err)
	}
	if cy.Status != compliance.StatusCompleted || ev.Certificate == nil || len(ev.Steps) != 5 || len(ev.Attempts) != 1 ||
		len(ev.Videos) != 1 || ev.Videos[0].WatchedFraction() != 1 || len(ev.Attestations) != 1 ||
		ev.Attestations[0].UserAgent != learning.SeededUserAgent {
		t.Errorf("evidence = %+v", ev)
	}
	for _, s := range ev.Steps {
		if s.ModuleVersionID == "" || !s.Done() {
			t.Errorf("step evidence %+v", s)
		}
	}
}

func TestAttemptsAndSignatureRules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	j := env.journey(t)
	m, st, err := j.Find("basics", "check")
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.svc.StartAttempt(ctx, j, m, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, g, _, err := env.svc.SubmitAttempt(ctx, j, m, st, a.ID, nil); err != nil || g.Passed || len(g.Unanswered()) != 3 {
		t.Fatalf("empty submission: %+v %v", g, err)
	}
	if _, _, _, err := env.svc.SubmitAttempt(ctx, j, m, st, a.ID, nil); !errors.Is(err, learning.ErrAttemptSubmitted) {
		t.Errorf("resubmission: %v, want ErrAttemptSubmitted", err)
	}
	if _, _, _, err := env.svc.SubmitAttempt(ctx, j, m, st, "nope", nil); !errors.Is(err, learning.ErrNotFound) {
		t.Errorf("unknown attempt: %v", err)
	}

	// The signature comes last: refused while other steps are left.
	sm, sst, _ := j.Find("sign", "policy")
	if _, _, err := env.svc.Acknowledge(ctx, j, sm, sst, learning.Signature{Agreed: true, TypedName: "Ada Lovelace"}); !errors.Is(err, learning.ErrStepLocked) {
		t.Errorf("early signature: %v, want ErrStepLocked", err)
	}
	if l := j.Locked(sm, sst); l == nil || !l.Acknowledgement || len(l.Waiting) != 4 {
		t.Errorf("lock on the policy = %+v, want the 4 other steps", l)
	}
	for _, ref := range [][2]string{{"basics", "welcome"}, {"basics", "scenario"}, {"basics", "check"}, {"video", "watch"}} {
		if _, err := env.svc.CompleteStep(ctx, env.emp, "basic", ref[0], ref[1]); err != nil {
			t.Fatal(err)
		}
	}
	j = env.journey(t)
	sm, sst, _ = j.Find("sign", "policy")
	if l := j.Locked(sm, sst); l != nil {
		t.Errorf("with every other step done the policy is still locked: %+v", l)
	}
	_, _, err = env.svc.Acknowledge(ctx, j, sm, sst, learning.Signature{Agreed: true, TypedName: "Ada King"})
	var mismatch *learning.NameMismatchError
	if !errors.As(err, &mismatch) || mismatch.Expected != "Ada Lovelace" {
		t.Errorf("wrong name: %v", err)
	}
	if _, _, err := env.svc.Acknowledge(ctx, j, sm, sst, learning.Signature{TypedName: "Ada Lovelace"}); !errors.Is(err, learning.ErrNotAgreed) {
		t.Errorf("no tick: %v", err)
	}
	att, out, err := env.svc.Acknowledge(ctx, j, sm, sst, learning.Signature{Agreed: true, TypedName: "ada lovelace", IP: "192.0.2.1", UserAgent: "test"})
	if err != nil || !out.StepDone || att.PolicyVersion != "1" || att.IP != "192.0.2.1" {
		t.Errorf("signature: %+v %+v %v", att, out, err)
	}
	if _, err := env.svc.CompletePage(ctx, j, sm, sst); !errors.Is(err, learning.ErrWrongStepType) {
		t.Errorf("page action on an acknowledgement: %v", err)
	}
}

func TestRefresherPathAndClosedCycles(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	env.svc.DB.Model(&compliance.Cycle{}).Where("id = ?", env.cycle.ID).Update("path", compliance.PathRefresher)
	j := env.journey(t)
	if done, total := j.Counts(); done != 0 || total != 4 {
		t.Errorf("refresher counts = %d/%d, want 0/4 (basics and sign)", done, total)
	}
	if j.OnPath("video") {
		t.Error("the refresher path holds the video module")
	}
	if _, _, err := j.Find("video", "watch"); err != nil {
		t.Errorf("modules off the path can still be opened: %v", err)
	}

	env.svc.DB.Model(&compliance.Cycle{}).Where("id = ?", env.cycle.ID).Update("status", compliance.StatusExempt)
	j = env.journey(t)
	m, st, _ := j.Find("basics", "welcome")
	if _, err := env.svc.CompletePage(ctx, j, m, st); !errors.Is(err, learning.ErrCycleClosed) {
		t.Errorf("exempt cycle took a record: %v", err)
	}
	env.svc.DB.Model(&compliance.Cycle{}).Where("id = ?", env.cycle.ID).Update("status", compliance.StatusClosed)
	if _, err := env.svc.Journey(ctx, env.emp, "basic"); !errors.Is(err, learning.ErrNotAssigned) {
		t.Errorf("closed cycle: %v, want ErrNotAssigned", err)
	}
}
