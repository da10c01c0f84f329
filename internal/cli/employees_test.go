package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

type employeesRun struct {
	code           int
	stdout, stderr string
}

// runEmployees runs `onramp employees …` against the database at dbURL.
func runEmployees(t *testing.T, dbURL string, args ...string) employeesRun {
	t.Helper()
	vars := map[string]string{
		"ONRAMP_DATABASE_URL": dbURL,
		"ONRAMP_DATA_DIR":     t.TempDir(),
		"ONRAMP_CONTENT_DIR":  filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
		"ONRAMP_LOG_LEVEL":    "error",
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"employees"}, args...), cli.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
	})
	return employeesRun{code, stdout.String(), stderr.String()}
}

// writeStaffFile writes a staff CSV with the standard header into a
// temporary directory and returns its path.
func writeStaffFile(t *testing.T, lines ...string) string {
	t.Helper()
	header := "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date,status"
	path := filepath.Join(t.TempDir(), "staff.csv")
	if err := os.WriteFile(path, []byte(header+"\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// countEmployees counts employees: all of them, and the active ones.
func countEmployees(t *testing.T, dbURL string) (all, active int64) {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := d.Model(&people.Employee{}).Count(&all).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Model(&people.Employee{}).Where("status = ?", people.StatusActive).Count(&active).Error; err != nil {
		t.Fatal(err)
	}
	return all, active
}

// checkImportAudited checks that the audit trail holds want staff imports
// and that its hash chain holds.
func checkImportAudited(t *testing.T, dbURL string, want int64) {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int64
	if err := d.Model(&audit.Entry{}).Where("action = ? AND entity_type = ?", audit.ActionImport, "employee").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%d staff imports in the audit trail, want %d", n, want)
	}
	res, err := audit.Verify(context.Background(), d)
	if err != nil || !res.OK() {
		t.Errorf("audit chain: %+v, %v", res, err)
	}
}

var staffLines = []string{
	"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
	"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,",
	"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,",
}

func TestEmployeesImportDryRunThenApply(t *testing.T) {
	t.Parallel()
	dbURL := apptest.NewDatabaseURL(t)
	file := writeStaffFile(t, staffLines...)

	// The flag may come before or after the file.
	for _, args := range [][]string{{"import", "--dry-run", file}, {"import", file, "--dry-run"}} {
		run := runEmployees(t, dbURL, args...)
		if run.code != 0 {
			t.Fatalf("%q: exit %d; stderr:\n%s", args, run.code, run.stderr)
		}
		for _, want := range []string{
			"Dry run of " + file + ": 3 employees.",
			"3 to add, 0 to change, 0 to deactivate, 0 to reactivate, 0 unchanged.",
			"To add (3):",
			"E1  dana@example.org  row 2  Dana Director (manager)",
			"E3  nia@example.org   row 4  Nia Nurse\n",
			"Dry run: nothing was changed.",
		} {
			if !strings.Contains(run.stdout, want) {
				t.Errorf("%q: output lacks %q:\n%s", args, want, run.stdout)
			}
		}
		if all, _ := countEmployees(t, dbURL); all != 0 {
			t.Fatalf("a dry run added %d employees", all)
		}
	}

	run := runEmployees(t, dbURL, "import", file)
	if run.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", run.code, run.stderr)
	}
	if !strings.Contains(run.stdout, "Imported: 3 added, 0 changed, 0 deactivated, 0 reactivated, 0 unchanged.") {
		t.Errorf("output:\n%s", run.stdout)
	}
	if all, _ := countEmployees(t, dbURL); all != 3 {
		t.Errorf("%d employees, want 3", all)
	}
	checkImportAudited(t, dbURL, 1)

	// A second month: Nia moves, Mo leaves (deactivated as missing).
	next := writeStaffFile(t,
		staffLines[0],
		"E3,nia@example.org,Nia,Nurse,ICU,Registered Nurse,North,dana@example.org,2021-09-01,",
	)
	dry := runEmployees(t, dbURL, "import", "--deactivate-missing", "--dry-run", next)
	for _, want := range []string{
		"0 to add, 1 to change, 1 to deactivate, 0 to reactivate, 1 unchanged.",
		"To change (1):\n" +
			`  E3  nia@example.org  row 3  department: "Nursing" → "ICU"` + "\n" +
			`  E3  nia@example.org  row 3  manager_email: "mo@example.org" → "dana@example.org"` + "\n",
		"To deactivate (1):\n  E2  mo@example.org  -  Mo Manager (manager): not in the file\n",
	} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, dry.stdout)
		}
	}
	applied := runEmployees(t, dbURL, "import", next, "--deactivate-missing")
	if applied.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", applied.code, applied.stderr)
	}
	// What the dry run listed is what was applied.
	cut := func(s string) string { return s[strings.Index(s, "\n\n"):strings.LastIndex(s, "\n\n")] }
	if cut(dry.stdout) != cut(applied.stdout) {
		t.Errorf("the dry run and the import differ:\n%s\n---\n%s", dry.stdout, applied.stdout)
	}
	if !strings.Contains(applied.stdout, "Imported: 0 added, 1 changed, 1 deactivated, 0 reactivated, 1 unchanged.") {
		t.Errorf("output:\n%s", applied.stdout)
	}
	if all, active := countEmployees(t, dbURL); all != 3 || active != 2 {
		t.Errorf("%d employees, %d active; want 3 and 2", all, active)
	}
	checkImportAudited(t, dbURL, 2)
}

func TestEmployeesImportStopsOnABadRow(t *testing.T) {
	t.Parallel()
	dbURL := apptest.NewDatabaseURL(t)
	file := writeStaffFile(t,
		staffLines[0],
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,15/03/2018,",
		"E3,nia@example.org,Nia,,Nursing,Registered Nurse,North,boss@example.org,2021-09-01,",
	)
	run := runEmployees(t, dbURL, "import", file)
	if run.code != 65 {
		t.Fatalf("exit %d, want 65; stdout:\n%s", run.code, run.stdout)
	}
	want := "onramp: " + file + " has 2 problems:\n" +
		`row 3, column hire_date: "15/03/2018" is not a date; use YYYY-MM-DD, e.g. 2024-01-31` + "\n" +
		"row 4, column last_name: is empty; give the employee's last name\n" +
		"Nothing was imported.\n"
	if run.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", run.stderr, want)
	}
	if all, _ := countEmployees(t, dbURL); all != 0 {
		t.Errorf("%d employees were imported", all)
	}

	// Problems only the database can reveal stop it too.
	file = writeStaffFile(t, staffLines[0], "E3,nia@example.org,Nia,Nurse,,,,boss@example.org,2021-09-01,")
	run = runEmployees(t, dbURL, "import", file)
	if run.code != 65 || !strings.Contains(run.stderr, `row 3, column manager_email: "boss@example.org" is not in the file`) {
		t.Errorf("exit %d; stderr:\n%s", run.code, run.stderr)
	}
}

func TestEmployeesImportListsAreCapped(t *testing.T) {
	t.Parallel()
	dbURL := apptest.NewDatabaseURL(t)
	var lines []string
	for i := range 75 {
		lines = append(lines, fmt.Sprintf("E%d,p%d@example.org,P,%d,,,,,2024-01-01,", i, i, i))
	}
	run := runEmployees(t, dbURL, "import", "--dry-run", writeStaffFile(t, lines...))
	if run.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", run.code, run.stderr)
	}
	if !strings.Contains(run.stdout, "  … and 25 more employees\n") || strings.Contains(run.stdout, "p50@example.org") {
		t.Errorf("output:\n%s", run.stdout)
	}
}

func TestEmployeesUsage(t *testing.T) {
	t.Parallel()
	dbURL := apptest.NewDatabaseURL(t)
	for _, args := range [][]string{{}, {"export"}, {"import"}, {"import", "--dry-run"}, {"import", "a.csv", "b.csv"}, {"import", "--bogus", "a.csv"}} {
		run := runEmployees(t, dbURL, args...)
		if run.code != 2 || !strings.Contains(run.stderr, "usage: onramp employees import FILE.csv") {
			t.Errorf("%q: exit %d; stderr:\n%s", args, run.code, run.stderr)
		}
	}
	run := runEmployees(t, dbURL, "import", filepath.Join(t.TempDir(), "missing.csv"))
	if run.code != 1 || !strings.Contains(run.stderr, "no such file") || !strings.Contains(run.stderr, "Nothing was imported.") {
		t.Errorf("missing file: exit %d; stderr:\n%s", run.code, run.stderr)
	}
}
