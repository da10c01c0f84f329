package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
)

// TestRunSmoke builds onramp and runs the whole benchmark on a tiny
// dataset, so a change to a route, a command or a flag the runner uses
// shows up here rather than when someone measures. It builds a binary and
// takes tens of seconds, so -short skips it.
func TestRunSmoke(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds onramp and runs the benchmark at 60 people; skipped with -short")
	}
	dir := t.TempDir()
	_, err := generate(genOptions{People: 60, Courses: 2, Departments: 5, Seed: 3,
		AsOf: time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1), Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "onramp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/onramp")
	build.Dir = apptest.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/onramp: %v\n%s", err, out)
	}
	dbArg := "sqlite"
	if url := apptest.NewDatabaseURL(t); strings.HasPrefix(url, "postgres") {
		dbArg = url
	}
	results := filepath.Join(dir, "results.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--dir", dir, "--db", dbArg, "--onramp", bin, "--json", results, "--writers", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var got struct {
		Rows []row `json:"rows"`
	}
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"employees import", "completions import", "first scheduler pass", "nothing to do", "HR dashboard",
		"overdue report page", "completions report preview", "status report page, one site", "status report page, one course", "team view", "XLSX", "CSV download", "learner writes", "moves the due date of a rule", "adds a second rule for everyone", "applied to everyone", "shell: the completions CSV"}
	for _, w := range want {
		found := false
		for _, r := range got.Rows {
			if strings.Contains(r.What, w) {
				found = true
				// Writes may wait for the lock here; everything else
				// must have worked at this size.
				if !r.OK && !strings.Contains(r.What, "longest wait") {
					t.Errorf("%s: %s", r.What, r.Measured)
				}
			}
		}
		if !found {
			t.Errorf("no row for %q in\n%s", w, stdout.String())
		}
	}
	if !strings.Contains(stdout.String(), "| what | target | measured | peak RSS | command |") {
		t.Errorf("no Markdown table in\n%s", stdout.String())
	}
}
