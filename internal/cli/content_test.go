package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
)

type contentRun struct {
	code           int
	stdout, stderr string
}

func runContentCLI(t *testing.T, vars map[string]string, args ...string) contentRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
	})
	return contentRun{code, stdout.String(), stderr.String()}
}

func catalogTestdata(name string) string {
	return filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", name)
}

func TestContentCheck(t *testing.T) {
	t.Parallel()
	basic := catalogTestdata("basic")
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		args   []string
		code   int
		stdout string
	}{
		{"a directory", nil, []string{"content", "check", basic}, 0, "content OK: 1 course(s), 3 module(s), 3 question(s)\n"},
		{"the configured content", map[string]string{"ONRAMP_CONTENT_DIR": basic}, []string{"content", "check"}, 0, "content OK: 1 course(s), 3 module(s), 3 question(s)\n"},
		{"the --content flag", nil, []string{"content", "check", "--content", basic}, 0, "content OK: 1 course(s), 3 module(s), 3 question(s)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := runContentCLI(t, tc.vars, tc.args...)
			if run.code != tc.code || run.stdout != tc.stdout {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", run.code, run.stdout, run.stderr)
			}
		})
	}
}

func TestContentCheckReportsProblems(t *testing.T) {
	t.Parallel()
	dir := catalogTestdata("broken")
	run := runContentCLI(t, nil, "content", "check", dir)
	if run.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", run.code, run.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(run.stdout, "\n"), "\n")
	summary := lines[len(lines)-1]
	lines = lines[:len(lines)-1]
	if !regexp.MustCompile(`^\d+ problem\(s\) in .*testdata/broken: fix them`).MatchString(summary) {
		t.Errorf("summary = %q", summary)
	}
	prefix := filepath.ToSlash(dir) + "/"
	for _, want := range []string{
		prefix + "steps/modules/quizzes.md:14: question `q-none` has no correct answer: mark one option `correct: true`",
		prefix + "steps/course.yaml:3: course.yaml: unknown field `colour`",
		prefix + "badcourse/course.yaml:3: bad YAML",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("no line starting %q in:\n%s", want, run.stdout)
		}
	}
	line := regexp.MustCompile(`^(.+?):(\d+): \S`)
	prevFile, prevLine := "", 0
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("line %q is not FILE:LINE: message", l)
			continue
		}
		n := 0
		for _, c := range m[2] {
			n = n*10 + int(c-'0')
		}
		if m[1] < prevFile || m[1] == prevFile && n < prevLine {
			t.Errorf("%q comes after %s:%d: not sorted", l, prevFile, prevLine)
		}
		prevFile, prevLine = m[1], n
	}
}

func TestContentUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"content"},
		{"content", "lint"},
		{"content", "check", "a", "b"},
	} {
		if run := runContentCLI(t, nil, args...); run.code != 2 || !strings.Contains(run.stderr, "usage: onramp content check") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, run.code, run.stderr)
		}
	}
	run := runContentCLI(t, nil, "content", "check", filepath.Join(t.TempDir(), "nope"))
	if run.code != 2 || !strings.Contains(run.stderr, "is not a directory") {
		t.Errorf("missing directory: exit %d, stderr:\n%s", run.code, run.stderr)
	}
}

func TestCourses(t *testing.T) {
	t.Parallel()
	run := runContentCLI(t, map[string]string{"ONRAMP_CONTENT_DIR": catalogTestdata("basic")}, "courses")
	if run.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", run.code, run.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(run.stdout, "\n"), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^ID\s+TITLE\s+VERSION\s+MODULES\s+REFRESHER$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^basic\s+Basic Training\s+[0-9a-f]{12}\s+3\s+2$`).MatchString(lines[1]) {
		t.Errorf("output:\n%s", run.stdout)
	}

	run = runContentCLI(t, nil, "courses", catalogTestdata("broken"))
	if run.code != 1 || run.stdout != "" || !strings.Contains(run.stderr, "the courses cannot be listed") ||
		!strings.Contains(run.stderr, "steps/course.yaml:3: course.yaml: unknown field `colour`") {
		t.Errorf("broken content: exit %d, stdout:\n%s\nstderr:\n%s", run.code, run.stdout, run.stderr)
	}
}
