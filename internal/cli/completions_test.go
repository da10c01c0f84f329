package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// recordsDB is a migrated database with the fixture course "basic", its
// yearly rule and two employees, for the completions and cycles commands.
type recordsDB struct {
	t   *testing.T
	url string
	db  *db.DB
	ada *people.Employee
	bob *people.Employee
	// logLevel is ONRAMP_LOG_LEVEL for run (default: error).
	logLevel string
}

func newRecordsDB(t *testing.T) *recordsDB {
	t.Helper()
	ctx := context.Background()
	url := apptest.NewDatabaseURL(t)
	d, err := db.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := d.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('basic', 'Basic Training', ?, ?)", at, at).Error; err != nil {
		t.Fatal(err)
	}
	rule := &compliance.Rule{ID: compliance.CourseRuleID("basic"), Name: "Everyone, every year", CourseID: "basic", Everyone: true,
		DueDays: 30, DueFrom: compliance.DueFromMatched, EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry,
		ReminderPolicy: "{}", Source: "course", Active: true, CreatedAt: at, UpdatedAt: at}
	if err := d.Create(rule).Error; err != nil {
		t.Fatal(err)
	}
	r := &recordsDB{t: t, url: url, db: d}
	r.ada = r.employee("E1", "Ada", "Lovelace")
	r.bob = r.employee("E2", "Bob", "Builder")
	return r
}

func (r *recordsDB) employee(number, first, last string) *people.Employee {
	r.t.Helper()
	e := &people.Employee{EmployeeNumber: &number, Email: strings.ToLower(number) + "@example.org", FirstName: first, LastName: last,
		Department: "Nursing", JobTitle: "Registered Nurse"}
	if err := r.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, time.Now().UTC()) }); err != nil {
		r.t.Fatal(err)
	}
	return e
}

func (r *recordsDB) cycles(empID string) []*compliance.Cycle {
	r.t.Helper()
	var cs []*compliance.Cycle
	if err := r.db.Where("employee_id = ?", empID).Order("course_id, number").Find(&cs).Error; err != nil {
		r.t.Fatal(err)
	}
	return cs
}

type recordsRun struct {
	code           int
	stdout, stderr string
}

// run runs `onramp ARGS…` against the database.
func (r *recordsDB) run(args ...string) recordsRun {
	r.t.Helper()
	level := "error"
	if r.logLevel != "" {
		level = r.logLevel
	}
	vars := map[string]string{
		"ONRAMP_DATABASE_URL": r.url,
		"ONRAMP_DATA_DIR":     r.t.TempDir(),
		"ONRAMP_CONTENT_DIR":  filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
		"ONRAMP_BASE_URL":     "https://onramp.example.org/",
		"ONRAMP_LOG_LEVEL":    level,
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
	})
	return recordsRun{code, stdout.String(), stderr.String()}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompletionsImportCommand(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	// The commands run on the real clock: dates relative to today.
	today := compliance.Day(time.Now())
	done := today.AddDate(0, 0, -100)
	expires := compliance.AddMonths(done, 12)
	iso := func(t time.Time) string { return t.Format(time.DateOnly) }
	path := writeFile(t, "history.csv", "employee_id,course,completed_at,score,evidence,Department\n"+
		"E1,basic,"+iso(done)+",92,Certificate 1234,Nursing\n")

	dry := r.run("completions", "import", path, "--dry-run")
	if dry.code != 0 {
		t.Fatalf("dry run: exit %d\n%s", dry.code, dry.stderr)
	}
	line := "row 2: employee E1 (Ada Lovelace), course basic, completed " + iso(done) + " → expires " + iso(expires) + " (new cycle #1)\n"
	want := "Dry run of " + path + ": would record 1 completion for 1 employee in 1 course: 0 complete an open cycle, 1 new cycle, 1 new assignment.\n" +
		"Ignored columns: Department (the import does not use them).\n" + line + "\nDry run: nothing was changed.\n"
	if dry.stdout != want {
		t.Errorf("dry run printed:\n%s\nwant:\n%s", dry.stdout, want)
	}
	if cs := r.cycles(r.ada.ID); len(cs) != 0 {
		t.Fatalf("the dry run recorded %d cycles", len(cs))
	}

	applied := r.run("completions", "import", "--dry-run=false", path)
	if applied.code != 0 {
		t.Fatalf("import: exit %d\n%s", applied.code, applied.stderr)
	}
	if !strings.HasPrefix(applied.stdout, "Imported "+path+": recorded 1 completion for 1 employee in 1 course") || !strings.Contains(applied.stdout, line) ||
		strings.Contains(applied.stdout, "Dry run") {
		t.Errorf("import printed:\n%s", applied.stdout)
	}
	cs := r.cycles(r.ada.ID)
	if len(cs) != 1 || cs[0].Status != compliance.StatusCompleted || !cs[0].ExpiresAt.Equal(expires) {
		t.Fatalf("cycles %+v", cs)
	}

	// Bob's completion expires in 35 days: its refresher window (60 days)
	// is already open, so the refresher starts with the import and its
	// e-mail is queued in the same transaction.
	bobDone := today.AddDate(0, 0, 35)
	bobDone = compliance.AddMonths(bobDone, -12)
	soon := writeFile(t, "soon.csv", "employee_id,course,completed_at\nE2,basic,"+iso(bobDone)+"\n")
	res := r.run("completions", "import", soon)
	bobExpires := compliance.AddMonths(bobDone, 12)
	if res.code != 0 || !strings.HasSuffix(res.stdout, "Refreshers whose window is already open started at once:\n"+
		"  employee E2 (Bob Builder), course basic: refresher cycle #2 starts now, due "+iso(bobExpires)+"\n") {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if bc := r.cycles(r.bob.ID); len(bc) != 2 || bc[1].Status != compliance.StatusOpen || !bc[1].DueAt.Equal(bobExpires) {
		t.Errorf("Bob's cycles %+v", bc)
	}
	var queued int64
	if err := r.db.Table("outbox").Where("recipient_employee_id = ?", r.bob.ID).Count(&queued).Error; err != nil || queued == 0 {
		t.Errorf("no e-mail queued for the refresher (%d, %v)", queued, err)
	}

	// A file with problems: each on stderr, exit 1, nothing recorded.
	bad := writeFile(t, "bad.csv", "employee_id,course,completed_at\n"+
		"E2,basic,"+iso(done)+"\n"+
		"E2,first-aid,"+iso(done)+"\n"+
		"E9,basic,yesterday\n"+
		"E1,basic,"+iso(done)+"\n")
	before := len(r.cycles(r.bob.ID))
	res = r.run("completions", "import", bad)
	wantErr := "onramp: " + bad + " has 4 problems:\n" +
		`row 3, column course: no course has the ID "first-aid"; use a course ID that ` + "`onramp courses`" + ` lists (the courses are basic)` + "\n" +
		`row 4, column completed_at: "yesterday" is not a date; use YYYY-MM-DD (e.g. 2025-06-01) or an RFC 3339 time (e.g. 2025-06-01T14:30:00Z)` + "\n" +
		`row 4, column employee_id: no employee has the employee_id "E9"; correct it, or add the employee with ` + "`onramp employees import`" + ` first` + "\n" +
		"row 5, column completed_at: employee E1 already has a completion for basic on " + compliance.FormatDay(done) + ", the same day as this one (was this file imported before?); remove the row\n" +
		"Nothing was imported.\n"
	if res.code != 65 || res.stderr != wantErr || res.stdout != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", res.code, res.stdout, res.stderr, wantErr)
	}
	if after := len(r.cycles(r.bob.ID)); after != before {
		t.Errorf("a refused import recorded %d cycles", after-before)
	}
}

func TestCompletionsImportUsage(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"completions"}, 2, "usage: onramp completions import FILE.csv [--dry-run]"},
		{[]string{"completions", "export"}, 2, "onramp: unknown completions command \"export\"\nusage: onramp completions import"},
		{[]string{"completions", "import"}, 2, "give exactly one CSV file to import (got 0)"},
		{[]string{"completions", "import", "a.csv", "b.csv"}, 2, "give exactly one CSV file to import (got 2)"},
		{[]string{"completions", "import", "--nope", "a.csv"}, 2, "flag provided but not defined: -nope"},
		{[]string{"completions", "import", filepath.Join(t.TempDir(), "missing.csv")}, 1, "no such file or directory\nNothing was imported."},
	} {
		res := r.run(tc.args...)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit %d and …%s…", tc.args, res.code, res.stderr, tc.code, tc.want)
		}
	}
}
