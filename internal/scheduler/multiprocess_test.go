package scheduler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestThreeProcessesAtOnce starts three `onramp scheduler run-once`
// processes at the same instant against one PostgreSQL database: each cycle
// is created once and each e-mail is sent once.
func TestThreeProcessesAtOnce(t *testing.T) {
	t.Parallel()
	apptest.RequirePostgres(t)
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	mail := smtptest.Start(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: now})
	const staff = 60
	for i := 0; i < staff; i++ {
		env.CreateEmployee(fmt.Sprintf("person%02d@hospital.test", i), "Person", fmt.Sprintf("Number%02d", i), people.RoleLearner, "")
	}

	bin := filepath.Join(t.TempDir(), "onramp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/onramp")
	build.Dir = apptest.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	content := filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	var wg sync.WaitGroup
	outs := make([]string, 3)
	errs := make([]error, 3)
	start := make(chan struct{})
	for i := range 3 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.CommandContext(context.Background(), bin, "scheduler", "run-once", "--now", now.Format(time.RFC3339))
			cmd.Env = append(os.Environ(),
				"ONRAMP_DATABASE_URL="+env.DatabaseURL, "ONRAMP_CONTENT_DIR="+content,
				"ONRAMP_SMTP_URL="+mail.URL(), "ONRAMP_MAIL_FROM=training@hospital.test",
				"ONRAMP_BASE_URL=https://training.hospital.test", "ONRAMP_LOG_LEVEL=warn")
			<-start
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}(i)
	}
	close(start)
	wg.Wait()
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	planned := 0
	for _, o := range outs {
		if !strings.Contains(o, "Another instance is planning") {
			planned++
		}
	}
	t.Logf("processes that planned: %d of 3", planned)

	var cycles, assignments, outbox, sent int64
	env.App.DB.Table("cycles").Count(&cycles)
	env.App.DB.Table("assignments").Count(&assignments)
	env.App.DB.Table("outbox").Count(&outbox)
	env.App.DB.Table("outbox").Where("state = 'sent'").Count(&sent)
	if cycles != staff || assignments != staff {
		t.Errorf("%d cycles and %d assignments for %d people, want one each", cycles, assignments, staff)
	}
	if outbox != staff || sent != staff {
		t.Errorf("outbox has %d rows, %d sent; want %d assigned e-mails, all sent", outbox, sent, staff)
	}
	if got := len(mail.Messages()); got != staff {
		t.Errorf("the mail server received %d messages, want %d", got, staff)
	}
	for id, ms := range mail.ByMessageID() {
		if len(ms) != 1 {
			t.Errorf("message %s arrived %d times", id, len(ms))
		}
	}
}

// TestOverlappingProcessesWithKills runs rounds of three `onramp scheduler
// run-once` processes started together, on SQLite or PostgreSQL, each as of
// a different --now (7 minutes apart, longer than a claim's lease), and
// kills one of them at a random moment of each round. No message may arrive
// twice. A message whose sender was killed mid-try waits for its claim to
// expire in real time (5 minutes, longer than the test), so it may stay
// "sending" here; only a kill between the server's 250 and the row's update
// could make it arrive twice, later.
func TestOverlappingProcessesWithKills(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	mail := smtptest.Start(t)
	mail.SetLatency(10 * time.Millisecond) // a pass takes seconds: the processes overlap
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env := apptest.New(t, apptest.Options{Now: now})
	const staff = 300
	for i := 0; i < staff; i++ {
		env.CreateEmployee(fmt.Sprintf("person%03d@hospital.test", i), "Person", fmt.Sprintf("Number%03d", i), people.RoleLearner, "")
	}
	bin := filepath.Join(t.TempDir(), "onramp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/onramp")
	build.Dir = apptest.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	content := filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	// Plan first, without a mail server: every e-mail waits in the outbox,
	// so the rounds below overlap in delivery.
	plan := exec.Command(bin, "scheduler", "run-once", "--now", now.Format(time.RFC3339))
	plan.Env = append(os.Environ(), "ONRAMP_DATABASE_URL="+env.DatabaseURL, "ONRAMP_CONTENT_DIR="+content,
		"ONRAMP_BASE_URL=https://training.hospital.test", "ONRAMP_LOG_LEVEL=warn")
	if out, err := plan.CombinedOutput(); err != nil {
		t.Fatalf("planning run: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	busy, killed := 0, 0
	for round := 0; round < 8; round++ {
		var wg sync.WaitGroup
		outs := make([]string, 3)
		victim := round % 3
		for i := range 3 {
			at := now.Add(time.Duration(round*30+i*7) * time.Minute)
			cmd := exec.Command(bin, "scheduler", "run-once", "--now", at.Format(time.RFC3339))
			cmd.Env = append(os.Environ(),
				"ONRAMP_DATABASE_URL="+env.DatabaseURL, "ONRAMP_CONTENT_DIR="+content,
				"ONRAMP_SMTP_URL="+mail.URL(), "ONRAMP_MAIL_FROM=training@hospital.test",
				"ONRAMP_BASE_URL=https://training.hospital.test", "ONRAMP_LOG_LEVEL=warn")
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == victim {
					time.Sleep(time.Duration(300+rng.IntN(2000)) * time.Millisecond)
					_ = cmd.Process.Kill()
				}
				err := cmd.Wait()
				outs[i] = out.String()
				if err != nil && i != victim {
					t.Errorf("round %d, process %d: %v\n%s", round, i, err, outs[i])
				}
			}()
		}
		wg.Wait()
		killed++
		for _, o := range outs {
			if strings.Contains(o, "this run did nothing") {
				busy++
				if !strings.Contains(o, db.SQLitePath(env.DatabaseURL)+".lock") {
					t.Errorf("a run that found the lock held does not name the lock file:\n%s", o)
				}
			}
		}
	}
	var sent, sending int64
	env.App.DB.Table("outbox").Where("state = 'sent'").Count(&sent)
	env.App.DB.Table("outbox").Where("state = 'sending'").Count(&sending)
	dups := 0
	for id, ms := range mail.ByMessageID() {
		if len(ms) != 1 {
			dups += len(ms) - 1
			t.Errorf("message %s arrived %d times", id, len(ms))
		}
	}
	t.Logf("%d messages delivered, %d duplicates; outbox: %d sent, %d stranded by kills until their claims expire; %d runs found another process holding the lock; %d processes killed",
		len(mail.Messages()), dups, sent, sending, busy, killed)
	if sent+sending != staff {
		t.Errorf("outbox: %d sent and %d sending of %d", sent, sending, staff)
	}
	if int(sent) > len(mail.Messages()) {
		t.Errorf("%d rows say sent but the server got %d messages", sent, len(mail.Messages()))
	}
}
