package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

type evidenceRun struct {
	code           int
	stdout, stderr string
}

// runEvidenceCLI runs `onramp ARGS…` against the database at dbURL.
func runEvidenceCLI(t *testing.T, dbURL string, args ...string) evidenceRun {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"ONRAMP_DATABASE_URL": dbURL,
		"ONRAMP_DATA_DIR":     dir,
		"ONRAMP_CONTENT_DIR":  filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
		"ONRAMP_LOG_LEVEL":    "error",
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] }})
	return evidenceRun{code, stdout.String(), stderr.String()}
}

// evidenceJourney has a learner take the fixture course end to end through
// the learning service, as the pages do: every step, then the signature.
func evidenceJourney(t *testing.T, env *apptest.Env, number, first, last string) *people.Employee {
	t.Helper()
	ctx := context.Background()
	hired := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	emp := &people.Employee{EmployeeNumber: &number, Email: strings.ToLower(number) + "@example.org", FirstName: first, LastName: last,
		Department: "Nursing", HireDate: &hired}
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		if err := people.Create(tx, emp, now); err != nil {
			return err
		}
		_, err := compliance.Assign(tx, emp.ID, "basic", now, now.AddDate(0, 0, 30), "assigned by the test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	j, err := env.App.Learning.Journey(ctx, emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range j.Path {
		for _, st := range m.Steps {
			if m.ID == "sign" {
				continue
			}
			if _, err := env.App.Learning.CompleteStep(ctx, emp, "basic", m.ID, st.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	j, err = env.App.Learning.Journey(ctx, emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	m, st, err := j.Find("sign", "policy")
	if err != nil {
		t.Fatal(err)
	}
	_, out, err := env.App.Learning.Acknowledge(ctx, j, m, st, learning.Signature{Agreed: true, TypedName: first + " " + last, IP: "192.0.2.7"})
	if err != nil || !out.CourseCompleted {
		t.Fatalf("sign: %+v %v", out, err)
	}
	return emp
}

// TestAuditVerifyAfterAJourney: `onramp audit verify` passes after a
// learner's whole journey, a token and an evidence pack, and names the
// first broken entry once one is changed.
func TestAuditVerifyAfterAJourney(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	evidenceJourney(t, env, "N1", "Ada", "Lovelace")
	dbURL := env.DatabaseURL

	if run := runEvidenceCLI(t, dbURL, "tokens", "create", "--name", "Workday", "--scope", "assignments:read"); run.code != 0 {
		t.Fatalf("tokens create: %d %s", run.code, run.stderr)
	}
	out := filepath.Join(t.TempDir(), "pack.zip")
	if run := runEvidenceCLI(t, dbURL, "evidence", "pack", "--out", out); run.code != 0 {
		t.Fatalf("evidence pack: %d %s", run.code, run.stderr)
	}
	run := runEvidenceCLI(t, dbURL, "audit", "verify")
	if run.code != 0 || !strings.HasPrefix(run.stdout, "Audit trail OK: ") {
		t.Fatalf("audit verify: %d %s %s", run.code, run.stdout, run.stderr)
	}
	var actions []string
	if err := env.App.DB.Model(&audit.Entry{}).Order("seq").Pluck("action", &actions).Error; err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(actions, ",")
	for _, want := range []string{"publish", "attest,complete", "create", "export"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the trail %s lacks %s", joined, want)
		}
	}

	var attest audit.Entry
	if err := env.App.DB.Where("action = ?", audit.ActionAttest).Take(&attest).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Exec("UPDATE audit_log SET actor_name = ? WHERE seq = ?", "Someone Else", attest.Seq).Error; err != nil {
		t.Fatal(err)
	}
	run = runEvidenceCLI(t, dbURL, "audit", "verify")
	if want := regexp.MustCompile(`^BROKEN at entry ` + strconv.FormatInt(attest.Seq, 10) + ` \(.*attest attestation ` + attest.EntityID + `\)`); run.code != 1 || !want.MatchString(run.stdout) {
		t.Errorf("after tampering: %d %q", run.code, run.stdout)
	}
}

func TestEvidencePackCommand(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	evidenceJourney(t, env, "N1", "Ada", "Lovelace")
	pharm := evidenceJourney(t, env, "P1", "Phil", "Pharmacist")
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", pharm.ID).Update("department", "Pharmacy").Error; err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "nursing.zip")
	run := runEvidenceCLI(t, env.DatabaseURL, "evidence", "pack", "--out", out, "--department", "Nursing")
	if run.code != 0 || !strings.Contains(run.stdout, "1 transcript, ") {
		t.Fatalf("evidence pack: %d %s %s", run.code, run.stdout, run.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var m evidence.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		s := sha256.Sum256(files[f.Path])
		if hex.EncodeToString(s[:]) != f.SHA256 {
			t.Errorf("%s does not match the manifest", f.Path)
		}
	}
	if files["transcripts/N1-Ada-Lovelace.pdf"] == nil || files["transcripts/P1-Phil-Pharmacist.pdf"] != nil || !strings.Contains(m.GeneratedBy.Name, "command line") {
		t.Errorf("pack: %d files, by %q", len(files), m.GeneratedBy.Name)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*partial")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// Mistakes are refused, and leave no file.
	bad := filepath.Join(dir, "bad.zip")
	if run := runEvidenceCLI(t, env.DatabaseURL, "evidence", "pack", "--out", bad, "--department", "Nope"); run.code != 1 || !strings.Contains(run.stderr, "Nope") {
		t.Errorf("unknown department: %d %s", run.code, run.stderr)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a refused pack left a file")
	}
	if run := runEvidenceCLI(t, env.DatabaseURL, "evidence", "pack"); run.code != 2 {
		t.Errorf("no --out: %d", run.code)
	}
	if run := runEvidenceCLI(t, env.DatabaseURL, "evidence"); run.code != 2 || !strings.Contains(run.stderr, "usage: onramp evidence pack") {
		t.Errorf("no subcommand: %d %s", run.code, run.stderr)
	}
}

// TestEvidencePackToAPipe: `evidence pack --out` to a named pipe (or a
// device such as /dev/null) writes the pack into it. It used to write a
// file beside it and rename that over it, which replaced the pipe (and once
// /dev/null) with a regular file.
func TestEvidencePackToAPipe(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	evidenceJourney(t, env, "N1", "Ada", "Lovelace")
	fifo := filepath.Join(t.TempDir(), "pack.zip")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, err := os.ReadFile(fifo) // blocks until the command opens it
		if err != nil {
			t.Errorf("read the pipe: %v", err)
		}
		got <- b
	}()
	run := runEvidenceCLI(t, env.DatabaseURL, "evidence", "pack", "--out", fifo, "--department", "Nursing")
	if run.code != 0 {
		t.Fatalf("evidence pack: %d %s %s", run.code, run.stdout, run.stderr)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced (%v, %v)", fi, err)
	}
	var b []byte
	select {
	case b = <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("nothing was written to the pipe")
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the pipe carried %d bytes that are not a zip: %v", len(b), err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["manifest.json"] || !names["transcripts/N1-Ada-Lovelace.pdf"] {
		t.Errorf("the pack through the pipe holds %v", names)
	}
}
