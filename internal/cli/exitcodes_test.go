package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestExitCodes: a refusal by Onramp's rules exits with the sysexits.h code
// of its apperr code (65 wrong input, 66 nothing by that name, 75 not in
// this state), bad usage with 2, and `onramp help` lists them all.
func TestExitCodes(t *testing.T) {
	r := newRecordsDB(t)
	r.assignAll(time.Now().UTC())
	bad := writeFile(t, "history.csv", "employee_id,course,completed_at\nE1,basic,yesterday\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad rows (invalid)", []string{"completions", "import", bad}, 65, "has 1 problem"},
		{"bad grant (invalid)", []string{"attempts", "grant", "--employee", "E1", "--course", "basic", "--quiz", "basics", "--extra", "99", "--reason", "x"}, 65, "Nothing was changed."},
		{"unknown employee (not found)", []string{"cycles", "show", "--employee", "E404"}, 66, `no employee has the employee_id "E404"`},
		{"unknown employee to grant (not found)", []string{"attempts", "grant", "--employee", "E404", "--course", "basic", "--quiz", "basics", "--reason", "x"}, 66, "nothing was changed"},
		{"exempt", []string{"cycles", "exempt", "--employee", "E2", "--course", "basic", "--reason", "x"}, 0, "Exempted"},
		{"exempt again (conflict)", []string{"cycles", "exempt", "--employee", "E2", "--course", "basic", "--reason", "x"}, 75, "only an open, in-progress or overdue cycle"},
		{"missing flag (usage)", []string{"cycles", "show"}, 2, "--employee is required"},
	} {
		res := r.run(tc.args...)
		if res.code != tc.code || !strings.Contains(res.stdout+res.stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d and …%s…\nstdout: %s\nstderr: %s", tc.name, res.code, tc.code, tc.want, res.stdout, res.stderr)
		}
	}
	help := r.run("help")
	for _, code := range []string{"  65 ", "  66 ", "  69 ", "  75 ", "  77 ", "  2 ", "  1 "} {
		if help.code != 0 || !strings.Contains(help.stdout, code) {
			t.Errorf("help (exit %d) does not list exit code %q:\n%s", help.code, code, help.stdout)
		}
	}
}
