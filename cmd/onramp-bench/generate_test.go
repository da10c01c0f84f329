package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
)

var testAsOf = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func generateSmall(t *testing.T, seed uint64) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := generate(genOptions{People: 200, Courses: 3, Departments: 40, Seed: seed, AsOf: testAsOf, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// onramp runs the real command line on the dataset's content and database.
func onramp(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return vars[k] }}
	if code := cli.Main(context.Background(), args, env); code != 0 {
		t.Fatalf("onramp %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errs.String())
	}
	return out.String()
}

// TestGeneratedDatasetImports: the content passes the real checker, and the
// staff and completions files go through the real imports, every row.
func TestGeneratedDatasetImports(t *testing.T) {
	t.Parallel()
	dir, m := generateSmall(t, 7)
	if m.People != 200 || len(m.Courses) != 3 || m.Managers != 4 || m.BigTeam != 40 {
		t.Fatalf("manifest = %+v", m)
	}
	// About 70% of the 600 pairs have a history (a few recent hires have none).
	if m.Completions < 330 || m.Completions > 480 {
		t.Errorf("completions = %d, want about 70%% of 600", m.Completions)
	}
	vars := map[string]string{
		"ONRAMP_DATABASE_URL": apptest.NewDatabaseURL(t),
		"ONRAMP_CONTENT_DIR":  filepath.Join(dir, "content"),
		"ONRAMP_DATA_DIR":     filepath.Join(dir, "data"),
		"ONRAMP_LOG_LEVEL":    "error",
	}
	onramp(t, vars, "content", "check", filepath.Join(dir, "content"))
	courses := onramp(t, vars, "courses")
	for _, id := range m.Courses {
		if !strings.Contains(courses, id) {
			t.Errorf("onramp courses does not list %s:\n%s", id, courses)
		}
	}
	staff := onramp(t, vars, "employees", "import", filepath.Join(dir, "staff.csv"))
	if !strings.Contains(staff, "200") {
		t.Errorf("employees import does not report 200 people:\n%s", staff)
	}
	done := onramp(t, vars, "completions", "import", filepath.Join(dir, "completions.csv"))
	if !strings.Contains(done, strconv.Itoa(m.Completions)) {
		t.Errorf("completions import does not report %d completions:\n%s", m.Completions, done)
	}
}

// TestGeneratedStaffShape: managers, the big team, unique e-mails and
// departments as the benchmark describes them.
func TestGeneratedStaffShape(t *testing.T) {
	t.Parallel()
	dir, m := generateSmall(t, 7)
	rows := readCSV(t, filepath.Join(dir, "staff.csv"))
	if len(rows) != 201 {
		t.Fatalf("staff.csv has %d lines, want 201", len(rows))
	}
	emails := map[string]bool{}
	reports := map[string]int{}
	departments := map[string]bool{}
	for _, r := range rows[1:] {
		if emails[r[1]] {
			t.Errorf("e-mail %s appears twice", r[1])
		}
		emails[r[1]] = true
		departments[r[4]] = true
		if r[7] != "" {
			reports[r[7]]++
		}
		if _, err := time.Parse(time.DateOnly, r[8]); err != nil {
			t.Errorf("hire date %q: %v", r[8], err)
		}
	}
	if len(reports) != m.Managers {
		t.Errorf("%d people have reports, want %d managers", len(reports), m.Managers)
	}
	if reports[m.BigManagerEmail] != m.BigTeam {
		t.Errorf("the big manager has %d direct reports, want %d", reports[m.BigManagerEmail], m.BigTeam)
	}
	for e := range reports {
		if !emails[e] {
			t.Errorf("manager %s is not in the file", e)
		}
	}
	if len(departments) < 4 {
		t.Errorf("only %d departments", len(departments))
	}
	// Completions: some expired (over a year old), some within a year.
	old, recent := 0, 0
	for _, r := range readCSV(t, filepath.Join(dir, "completions.csv"))[1:] {
		d, err := time.Parse(time.DateOnly, r[2])
		if err != nil || !d.Before(testAsOf) || d.Before(testAsOf.AddDate(-2, 0, -1)) {
			t.Fatalf("completion date %q outside the last two years before %s", r[2], testAsOf.Format(time.DateOnly))
		}
		if d.Before(testAsOf.AddDate(-1, 0, 0)) {
			old++
		} else {
			recent++
		}
	}
	if old == 0 || recent == 0 {
		t.Errorf("completions: %d older than a year, %d within a year; want both", old, recent)
	}
}

// TestGenerateDeterministic: the same seed gives the same bytes; another
// seed gives other people.
func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := generateSmall(t, 42)
	b, _ := generateSmall(t, 42)
	c, _ := generateSmall(t, 43)
	for _, f := range []string{"staff.csv", "completions.csv", "content/fire-safety/course.yaml"} {
		if !bytes.Equal(read(t, a, f), read(t, b, f)) {
			t.Errorf("%s differs between two runs with seed 42", f)
		}
	}
	if bytes.Equal(read(t, a, "staff.csv"), read(t, c, "staff.csv")) {
		t.Error("seeds 42 and 43 gave the same staff.csv")
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
