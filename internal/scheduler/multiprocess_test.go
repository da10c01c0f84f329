package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestThreeProcessesAtOnce starts three `onramp scheduler run-once`
// processes at the same instant against one PostgreSQL database: each cycle
// is created once and each e-mail is sent once.
func TestThreeProcessesAtOnce(t *testing.T) {
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
