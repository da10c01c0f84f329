package compliance_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// importFixture is a migrated database with two courses, for the
// completions import.
type importFixture struct {
	t   *testing.T
	db  *db.DB
	eng *compliance.Engine
	rec *recorder
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []string{"basic", "fire-safety"} {
		if err := d.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", c, "Course "+c, at, at).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Exec("INSERT INTO content_versions (id, course_id, module_id, hash, title, source, created_at) VALUES (?, ?, '', 'h', 't', 's', ?)",
			"v-"+c, c, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	return &importFixture{t: t, db: d, eng: &compliance.Engine{DB: d, Notifier: rec}, rec: rec}
}

func (f *importFixture) employee(number, first, last string, status people.Status) *people.Employee {
	f.t.Helper()
	hired := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	e := &people.Employee{EmployeeNumber: &number, Email: strings.ToLower(number) + "@example.org", FirstName: first, LastName: last, Status: status, HireDate: &hired}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, hired) }); err != nil {
		f.t.Fatal(err)
	}
	return e
}

// rule adds an everyone rule for course, due 30 days after it first matched.
func (f *importFixture) rule(id, course string, everyMonths, windowDays int, base compliance.Base) *compliance.Rule {
	f.t.Helper()
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &compliance.Rule{ID: id, Name: id, CourseID: course, Everyone: true, DueDays: 30, DueFrom: compliance.DueFromMatched,
		EveryMonths: everyMonths, WindowDays: windowDays, Base: base, ReminderPolicy: "{}", Source: "hr", Active: true, CreatedAt: at, UpdatedAt: at}
	if err := r.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Create(r).Error; err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *importFixture) run(csv string, now time.Time, dryRun bool) (*compliance.CompletionsResult, error) {
	f.t.Helper()
	return compliance.ImportCompletions(context.Background(), f.db, strings.NewReader(csv), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: now, DryRun: dryRun, Engine: f.eng,
	})
}

func (f *importFixture) mustImport(csv string, now time.Time) *compliance.CompletionsResult {
	f.t.Helper()
	res, err := f.run(csv, now, false)
	if err != nil {
		var ie *compliance.CompletionsImportError
		if errors.As(err, &ie) {
			f.t.Fatalf("import: %s", strings.Join(ie.Lines(), "\n"))
		}
		f.t.Fatalf("import: %v", err)
	}
	return res
}

func (f *importFixture) cycles(empID, course string) []*compliance.Cycle {
	f.t.Helper()
	var cs []*compliance.Cycle
	if err := f.db.Where("employee_id = ? AND course_id = ?", empID, course).Order("number").Find(&cs).Error; err != nil {
		f.t.Fatal(err)
	}
	return cs
}

// snapshot renders every table the import writes, to compare before and after.
func (f *importFixture) snapshot() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM assignments ORDER BY id",
		"SELECT * FROM cycles ORDER BY id",
		"SELECT * FROM imported_completions ORDER BY id",
		"SELECT * FROM cycle_changes ORDER BY id",
	} {
		var rows []map[string]any
		if err := f.db.Raw(q).Scan(&rows).Error; err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\n%v\n", q, rows)
	}
	return b.String()
}

func day(s string) time.Time { return date(s) }

func sameDay(t *time.Time, s string) bool { return t != nil && compliance.Day(*t).Equal(day(s)) }

const header = "employee_id,course,completed_at,score,evidence\n"

func TestImportCompletionsRowProblems(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.employee("E1", "Ada", "Lovelace", people.StatusActive)
	f.employee("E2", "Grace", "Hopper", people.StatusInactive)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("x", compliance.MaxEvidenceChars+1)
	cases := []struct {
		name   string
		csv    string
		row    int
		column string
		want   string
	}{
		{"empty file", "", 1, "", "the file is empty"},
		{"header only", header, 2, "", "no completions"},
		{"missing column", "employee_id,course,score\nE1,basic,90\n", 1, "completed_at", "is missing from the header"},
		{"repeated column", "employee_id,course,completed_at,Course\nE1,basic,2025-06-01,basic\n", 1, "course", "appears twice"},
		{"semicolons", "employee_id;course;completed_at\n", 1, "", "semicolons"},
		{"empty employee", header + ",basic,2025-06-01,,\n", 2, "employee_id", "is empty"},
		{"empty course", header + "E1,,2025-06-01,,\n", 2, "course", "is empty"},
		{"empty date", header + "E1,basic,,,\n", 2, "completed_at", "is empty"},
		{"bad date", header + "E1,basic,01/06/2025,,\n", 2, "completed_at", `"01/06/2025" is not a date; use YYYY-MM-DD`},
		{"impossible date", header + "E1,basic,2025-02-30,,\n", 2, "completed_at", "is not a date"},
		{"future date", header + "E1,basic,2026-03-02,,\n", 2, "completed_at", "is in the future (today is 2026-03-01)"},
		{"future time", header + "E1,basic,2026-03-01T13:00:00Z,,\n", 2, "completed_at", "is in the future"},
		{"before 1900", header + "E1,basic,1899-12-31,,\n", 2, "completed_at", "before 1900"},
		{"score not a number", header + "E1,basic,2025-06-01,good,\n", 2, "score", "whole number from 0 to 100"},
		{"score too high", header + "E1,basic,2025-06-01,101,\n", 2, "score", "whole number from 0 to 100"},
		{"score negative", header + "E1,basic,2025-06-01,-1,\n", 2, "score", "whole number from 0 to 100"},
		{"score fraction", header + "E1,basic,2025-06-01,85.5,\n", 2, "score", "whole number"},
		{"evidence too long", header + "E1,basic,2025-06-01,," + long + "\n", 2, "evidence", "at most 2000"},
		{"control character", header + "E\x001,basic,2025-06-01,,\n", 2, "employee_id", "control character"},
		{"not UTF-8", header + "E1,basic,2025-06-01,,caf\xe9\n", 2, "evidence", "not UTF-8"},
		{"too few values", header + "E1,basic,2025-06-01\n", 2, "", "has 3 values but the header has 5 columns"},
		{"bad quoting", header + "E1,basic,2025-06-01,,\"unclosed\n", 2, "", "is not valid CSV"},
		{"unknown employee", header + "E1,basic,2025-06-01,,\nE9,basic,2025-06-01,,\n", 3, "employee_id", `no employee has the employee_id "E9"; correct it, or add the employee with ` + "`onramp employees import`" + ` first`},
		{"unknown course", header + "E1,basic,2025-06-01,,\nE1,first-aid,2025-06-01,,\n", 3, "course", `no course has the ID "first-aid"; use a course ID that ` + "`onramp courses`" + ` lists (the courses are basic, fire-safety)`},
		{"course in the wrong case", header + "E1,Basic,2025-06-01,,\n", 2, "course", `did you mean "basic"?`},
		{"duplicate row", header + "E1,basic,2025-06-01,,\nE2,basic,2025-06-01,,\nE1,basic,2025-06-01T09:00:00Z,,\n", 4,
			"employee_id, course, completed_at", "repeats row 2 (employee E1, course basic, completed 2025-06-01); remove one of the two rows"},
	}
	before := f.snapshot()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				res, err := f.run(tc.csv, now, dry)
				var ie *compliance.CompletionsImportError
				if !errors.As(err, &ie) {
					t.Fatalf("dry run %v: got %v, %v; want a *CompletionsImportError", dry, res, err)
				}
				found := false
				for _, p := range ie.Problems {
					if p.Row == tc.row && p.Column == tc.column && strings.Contains(p.Message, tc.want) {
						found = true
					}
				}
				if !found {
					t.Errorf("dry run %v: want row %d, column %q: …%s…; got:\n%s", dry, tc.row, tc.column, tc.want, strings.Join(ie.Lines(), "\n"))
				}
			}
		})
	}
	if after := f.snapshot(); after != before {
		t.Errorf("a refused import changed the database:\nbefore %s\nafter %s", before, after)
	}
}

func TestImportCompletionsProblemFormat(t *testing.T) {
	t.Parallel()
	_, err := compliance.ParseCompletionsCSV(strings.NewReader("\uFEFFEmployee ID,Course,Completed At\nE1,basic,someday\n,basic,2025-01-01\nE1,basic,2025-01-01,x\n"), day("2026-01-01"))
	var ie *compliance.CompletionsImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		`row 2, column completed_at: "someday" is not a date; use YYYY-MM-DD (e.g. 2025-06-01) or an RFC 3339 time (e.g. 2025-06-01T14:30:00Z)`,
		"row 3, column employee_id: is empty; give the employee's ID from the HR system, as in the staff import",
		"row 4: has 4 values but the header has 3 columns; check for a missing or extra comma, and quote values that contain commas",
	}
	if got := ie.Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseCompletionsCSV(t *testing.T) {
	t.Parallel()
	csv := "\uFEFF Evidence ,COMPLETED_AT,employee-id,course,Score,Department\n" +
		"\"Certificate 17, signed\",2025-06-01,E1,basic,85%,Nursing\n" +
		",,,,,\n" +
		"\"two\nlines\",2025-06-02T23:30:00-02:00,E2,fire-safety,,\n"
	rows, err := compliance.ParseCompletionsCSV(strings.NewReader(csv), day("2026-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	score := 85
	want := []compliance.CompletionRow{
		{Row: 2, EmployeeNumber: "E1", CourseID: "basic", CompletedAt: day("2025-06-01"), Score: &score, Evidence: "Certificate 17, signed"},
		{Row: 4, EmployeeNumber: "E2", CourseID: "fire-safety", CompletedAt: time.Date(2025, 6, 3, 1, 30, 0, 0, time.UTC), Evidence: "two\nlines"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("got %+v\nwant %+v", rows, want)
	}
}

func TestImportOneBadRowAmongManyChangesNothing(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule("yearly", "basic", 12, 60, compliance.BaseExpiry)
	var b strings.Builder
	b.WriteString(header)
	for i := range 40 {
		f.employee(fmt.Sprintf("E%02d", i), "First", fmt.Sprintf("Last%d", i), people.StatusActive)
		course := "basic"
		if i == 30 {
			course = "no-such-course"
		}
		fmt.Fprintf(&b, "E%02d,%s,2025-%02d-15,90,\n", i, course, i%12+1)
	}
	now := day("2026-01-10")
	// Something already there, which must survive untouched.
	f.mustImport(header+"E00,fire-safety,2025-01-01,,\n", now)
	before := f.snapshot()
	_, err := f.run(b.String(), now, false)
	var ie *compliance.CompletionsImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Row != 32 || ie.Problems[0].Column != "course" {
		t.Fatalf("got %v", err)
	}
	if after := f.snapshot(); after != before {
		t.Errorf("the database changed:\nbefore %s\nafter %s", before, after)
	}
}

func TestImportedCompletionExpiresAndRefresherOpens(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule("yearly", "basic", 12, 60, compliance.BaseExpiry)
	ada := f.employee("E1", "Ada", "Lovelace", people.StatusActive)
	res := f.mustImport(header+"E1,basic,2025-06-01,92,Certificate 1234\n", day("2026-03-01"))
	if got := res.Plan.Completions[0].Line(); got != "row 2: employee E1 (Ada Lovelace), course basic, completed 2025-06-01 → expires 2026-06-01 (new cycle #1)" {
		t.Errorf("line: %s", got)
	}
	cs := f.cycles(ada.ID, "basic")
	if len(cs) != 1 {
		t.Fatalf("%d cycles", len(cs))
	}
	c := cs[0]
	if c.Status != compliance.StatusCompleted || c.Number != 1 || c.Path != compliance.PathFull || !sameDay(c.CompletedAt, "2025-06-01") ||
		!sameDay(c.ExpiresAt, "2026-06-01") || !sameDay(&c.DueAt, "2025-06-01") || !sameDay(&c.WindowOpensAt, "2025-06-01") || c.CourseVersionID != nil {
		t.Errorf("cycle %+v", c)
	}
	wantWhy := "imported from the previous system: completed 1 June 2025; expires 1 June 2026: 12 months after it was completed on 1 June 2025"
	if c.Derivation != wantWhy {
		t.Errorf("derivation %q", c.Derivation)
	}
	var a compliance.Assignment
	if err := f.db.Where("employee_id = ? AND course_id = ?", ada.ID, "basic").Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	if a.Status != "active" || a.RuleID == nil || *a.RuleID != "yearly" {
		// The course has no rule of its own; the rule that applies to Ada
		// becomes the assignment's.
		t.Errorf("assignment %+v", a)
	}
	var ic struct {
		CycleID, Evidence, SourceFile string
		Score                         *int
		SourceRow                     int
	}
	if err := f.db.Table("imported_completions").Take(&ic).Error; err != nil {
		t.Fatal(err)
	}
	if ic.CycleID != c.ID || ic.Score == nil || *ic.Score != 92 || ic.Evidence != "Certificate 1234" || ic.SourceFile != "history.csv" || ic.SourceRow != 2 {
		t.Errorf("imported completion %+v", ic)
	}

	// The day before the window opens, nothing; on 2 April 2026 (60 days
	// before 1 June) the refresher opens, due 1 June 2026.
	for _, at := range []string{"2026-04-01", "2026-04-02"} {
		if err := f.db.Transaction(func(tx *gorm.DB) error {
			_, err := f.eng.AdvanceTx(tx, day(at))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.cycles(ada.ID, "basic")); (at == "2026-04-01") != (n == 1) {
			t.Errorf("%s: %d cycles", at, n)
		}
	}
	cs = f.cycles(ada.ID, "basic")
	if len(cs) != 2 {
		t.Fatalf("%d cycles after the window opened", len(cs))
	}
	r := cs[1]
	if r.Number != 2 || r.Path != compliance.PathRefresher || r.Status != compliance.StatusOpen || !sameDay(&r.DueAt, "2026-06-01") || !sameDay(&r.WindowOpensAt, "2026-04-02") {
		t.Errorf("refresher %+v", r)
	}
}

func TestImportedCompletionUsesCourseRule(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule(compliance.CourseRuleID("basic"), "basic", 12, 60, compliance.BaseExpiry)
	ada := f.employee("E1", "Ada", "Lovelace", people.StatusActive)
	grace := f.employee("E2", "Grace", "Hopper", people.StatusInactive)
	// Imported on 10 April 2026, the refresher window (from 2 April) is
	// already open: the pass in the same transaction starts it at once.
	res := f.mustImport(header+"E1,basic,2025-06-01,,\nE2,basic,2025-06-01,,\n", day("2026-04-10"))
	if res.Pass.WindowsOpened != 1 {
		t.Errorf("pass %+v", res.Pass)
	}
	if got := res.Plan.RefresherLines(); len(got) != 1 || got[0] != "employee E1 (Ada Lovelace), course basic: refresher cycle #2 starts now, due 2026-06-01" {
		t.Errorf("refresher lines %q", got)
	}
	cs := f.cycles(ada.ID, "basic")
	if len(cs) != 2 || !sameDay(cs[0].ExpiresAt, "2026-06-01") || cs[1].Status != compliance.StatusOpen || !sameDay(&cs[1].DueAt, "2026-06-01") {
		t.Fatalf("cycles %+v", cs)
	}
	var a compliance.Assignment
	f.db.Where("employee_id = ?", ada.ID).Take(&a)
	if a.RuleID == nil || *a.RuleID != compliance.CourseRuleID("basic") || a.Status != "active" {
		t.Errorf("assignment %+v", a)
	}
	// Grace has left: her history is kept, on a closed assignment, and
	// nobody asks her to take a refresher.
	gs := f.cycles(grace.ID, "basic")
	var ga compliance.Assignment
	f.db.Where("employee_id = ?", grace.ID).Take(&ga)
	if len(gs) != 1 || gs[0].Status != compliance.StatusCompleted || ga.Status != "closed" || ga.ClosedReason != compliance.ClosedInactive {
		t.Errorf("inactive employee: cycles %+v, assignment %+v", gs, ga)
	}
}

func TestImportCompletesOpenCycleOrAppends(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule("yearly", "basic", 12, 60, compliance.BaseExpiry)
	open := f.employee("E1", "Olive", "Open", people.StatusActive)
	started := f.employee("E2", "Stan", "Started", people.StatusActive)
	renewed := f.employee("E3", "Rene", "Renewed", people.StatusActive)
	migrated := day("2026-03-01")
	if _, err := f.eng.Evaluate(context.Background(), migrated, nil); err != nil {
		t.Fatal(err)
	}
	// Stan has begun his cycle in Onramp: a step is recorded.
	st := f.cycles(started.ID, "basic")[0]
	if err := f.db.Exec(`INSERT INTO step_progress (id, cycle_id, employee_id, module_id, step_id, module_version_id, status, started_at, updated_at)
		VALUES ('p1', ?, ?, 'm', 's', 'v-basic', 'in_progress', ?, ?)`, st.ID, started.ID, migrated, migrated).Error; err != nil {
		t.Fatal(err)
	}
	// Rene completed in Onramp on 10 March 2026; his refresher is not open.
	rc := f.cycles(renewed.ID, "basic")[0]
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		return compliance.Complete(tx, rc, day("2026-03-10"), compliance.Recurrence{EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry}, "v-basic")
	}); err != nil {
		t.Fatal(err)
	}

	now := day("2026-03-20")
	res := f.mustImport(header+
		"E1,basic,2024-05-20,,\n"+ // Olive: three years of history, oldest completes her open cycle
		"E1,basic,2025-05-15,,\n"+
		"E1,basic,2024-12-01,,\n"+ // out of order in the file; recorded in date order
		"E2,basic,2025-09-01,,\n", now)
	var lines []string
	for _, c := range res.Plan.Completions {
		lines = append(lines, c.Line())
	}
	want := []string{
		"row 2: employee E1 (Olive Open), course basic, completed 2024-05-20 → expires 2025-05-20 (completes open cycle #1)",
		"row 3: employee E1 (Olive Open), course basic, completed 2025-05-15 → expires 2026-05-15 (new cycle #3)",
		"row 4: employee E1 (Olive Open), course basic, completed 2024-12-01 → expires 2025-12-01 (new cycle #2)",
		"row 5: employee E2 (Stan Started), course basic, completed 2025-09-01 → expires 2026-09-01 (new cycle #2; closes unfinished cycle #1, keeping its progress)",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	oc := f.cycles(open.ID, "basic")
	if len(oc) != 4 {
		t.Fatalf("Olive has %d cycles", len(oc))
	}
	// Her last completion expires on 15 May 2026; the window opened on 16
	// March, so the pass after the import started the refresher.
	if oc[3].Path != compliance.PathRefresher || oc[3].Status != compliance.StatusOpen || !sameDay(&oc[3].DueAt, "2026-05-15") {
		t.Errorf("refresher: %+v", oc[3])
	}
	// Cycle 1 keeps the rule's dates and says why the expiry counts from
	// the completion.
	if !sameDay(&oc[0].DueAt, "2026-03-31") || !sameDay(oc[0].CompletedAt, "2024-05-20") || oc[0].Status != compliance.StatusCompleted ||
		!strings.HasPrefix(oc[0].Derivation, "due 31 March 2026") ||
		!strings.Contains(oc[0].Derivation, "imported from the previous system: completed 20 May 2024, before this cycle opened on 1 March 2026; expires 20 May 2025: 12 months after it was completed on 20 May 2024") {
		t.Errorf("cycle 1: %+v", oc[0])
	}
	// 1 December 2024 is before the window of 20 May 2025 opened (21
	// March): a cycle of its own, counted from the completion.
	if oc[1].Path != compliance.PathRefresher || !sameDay(&oc[1].DueAt, "2024-12-01") || !sameDay(oc[1].ExpiresAt, "2025-12-01") {
		t.Errorf("cycle 2: %+v", oc[1])
	}
	// The window before 1 December 2025 opened on 2 October 2025, after 15
	// May 2025: this one counts from the completion too.
	if !sameDay(&oc[2].DueAt, "2025-05-15") || !sameDay(oc[2].ExpiresAt, "2026-05-15") {
		t.Errorf("cycle 3: %+v", oc[2])
	}

	sc := f.cycles(started.ID, "basic")
	if len(sc) != 2 || sc[0].Status != compliance.StatusClosed || sc[0].ClosedReason != compliance.ClosedSupersededByImport ||
		sc[1].Status != compliance.StatusCompleted || sc[1].Path != compliance.PathFull {
		t.Errorf("Stan: %+v %+v", sc[0], sc[1])
	}
	var n int64
	f.db.Table("step_progress").Where("cycle_id = ?", st.ID).Count(&n)
	if n != 1 {
		t.Errorf("Stan's progress was erased")
	}

	// Rene already completed on 10 March 2026: an older completion is refused.
	_, err := f.run(header+"E3,basic,2025-06-01,,\nE3,basic,2026-03-10,,\n", now, true)
	var ie *compliance.CompletionsImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	wantLines := []string{
		"row 2, column completed_at: employee E3 already has a completion for basic on 10 March 2026, newer than this one; remove the row",
		"row 3, column completed_at: employee E3 already has a completion for basic on 10 March 2026, the same day as this one (was this file imported before?); remove the row",
	}
	if !reflect.DeepEqual(ie.Lines(), wantLines) {
		t.Errorf("got\n%s", strings.Join(ie.Lines(), "\n"))
	}
}

// TestImportFollowsRefresherWindows: a series of yearly completions on an
// expiry-based rule keeps the anniversary, as it would have in Onramp.
func TestImportFollowsRefresherWindows(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule(compliance.CourseRuleID("basic"), "basic", 12, 60, compliance.BaseExpiry)
	e := f.employee("E1", "Ada", "Lovelace", people.StatusActive)
	res := f.mustImport(header+"E1,basic,2023-05-20,,\nE1,basic,2024-05-10,,\nE1,basic,2025-06-15,,\n", day("2025-07-01"))
	cs := f.cycles(e.ID, "basic")
	if len(cs) != 3 {
		t.Fatalf("%d cycles", len(cs))
	}
	type want struct{ opens, due, expires string }
	for i, w := range []want{
		{"2023-05-20", "2023-05-20", "2024-05-20"},
		{"2024-03-21", "2024-05-20", "2025-05-20"}, // on time within the window: the anniversary holds
		{"2025-03-21", "2025-05-20", "2026-06-15"}, // late: counts from the completion
	} {
		c := cs[i]
		if !sameDay(&c.WindowOpensAt, w.opens) || !sameDay(&c.DueAt, w.due) || !sameDay(c.ExpiresAt, w.expires) {
			t.Errorf("cycle %d: opens %s due %s expires %v; want %+v\n%s", c.Number, c.WindowOpensAt, c.DueAt, c.ExpiresAt, w, c.Derivation)
		}
	}
	if !strings.HasPrefix(cs[1].Derivation, "due 20 May 2024, when the previous completion expires") ||
		!strings.Contains(cs[1].Derivation, "expires 20 May 2025: 12 months after the due date 20 May 2024, because it was completed on time on 10 May 2024") {
		t.Errorf("derivation %q", cs[1].Derivation)
	}
	if res.Pass.WindowsOpened != 0 {
		t.Errorf("pass %+v", res.Pass)
	}
}

func TestImportDryRunEqualsApplied(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	f.rule(compliance.CourseRuleID("basic"), "basic", 12, 60, compliance.BaseExpiry)
	f.rule("fire", "fire-safety", 24, 30, compliance.BaseCompletion)
	var ids []string
	for i := range 6 {
		status := people.StatusActive
		if i == 5 {
			status = people.StatusInactive
		}
		ids = append(ids, f.employee(fmt.Sprintf("E%d", i), "First", fmt.Sprintf("Last%d", i), status).ID)
	}
	if _, err := f.eng.Evaluate(context.Background(), day("2026-01-05"), ids[:3]); err != nil {
		t.Fatal(err)
	}
	// E1 has started the basic course.
	c := f.cycles(ids[1], "basic")[0]
	if err := f.db.Exec(`INSERT INTO quiz_attempts (id, cycle_id, employee_id, module_id, step_id, module_version_id, number, questions, question_count, pass_mark, started_at)
		VALUES ('q1', ?, ?, 'm', 's', 'v-basic', 1, '[]', 5, 80, ?)`, c.ID, ids[1], day("2026-01-06")).Error; err != nil {
		t.Fatal(err)
	}
	csv := header +
		"E0,basic,2025-03-01,88,cert 1\n" +
		"E0,fire-safety,2024-02-01,,\n" +
		"E1,basic,2025-12-01,,\n" +
		"E2,basic,2024-01-10,,\n" +
		"E2,basic,2025-01-05,75%,\n" +
		"E3,fire-safety,2026-01-31T16:45:00Z,100,\"multi\nline\"\n" +
		"E4,basic,2025-02-01,,\n" +
		"E5,basic,2024-11-30,,left in 2025\n"
	now := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	before := f.snapshot()
	dry, err := f.run(csv, now, true)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Applied || f.snapshot() != before {
		t.Fatal("the dry run changed the database")
	}
	applied, err := f.run(csv, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if !applied.Applied {
		t.Error("not applied")
	}
	if !reflect.DeepEqual(dry.Plan, applied.Plan) {
		t.Fatalf("dry run %+v\napplied %+v", dry.Plan, applied.Plan)
	}
	if len(applied.Plan.Completions) != 8 {
		t.Fatalf("%d completions", len(applied.Plan.Completions))
	}
	// Every planned completion is in the database exactly as planned.
	refreshers := 0
	for _, pc := range applied.Plan.Completions {
		var cy compliance.Cycle
		err := f.db.Where("employee_id = ? AND course_id = ? AND number = ?", pc.EmployeeID, pc.CourseID, pc.CycleNumber).Take(&cy).Error
		if err != nil {
			t.Fatalf("row %d: %v", pc.Row, err)
		}
		if (pc.CycleID != "" && cy.ID != pc.CycleID) || cy.Path != pc.Path || !cy.CompletedAt.Equal(pc.CompletedAt) ||
			!cy.DueAt.Equal(pc.DueAt) || !cy.WindowOpensAt.Equal(pc.WindowOpensAt) || cy.Derivation != pc.Derivation ||
			(pc.ExpiresAt == nil) != (cy.ExpiresAt == nil) || (pc.ExpiresAt != nil && !cy.ExpiresAt.Equal(*pc.ExpiresAt)) {
			t.Errorf("row %d: planned %+v\nrecorded %+v", pc.Row, pc, cy)
		}
		if cy.Status != compliance.StatusCompleted && cy.Status != compliance.StatusExpired {
			t.Errorf("row %d: status %s", pc.Row, cy.Status)
		}
		var ic struct {
			Score     *int
			Evidence  string
			SourceRow int
		}
		f.db.Table("imported_completions").Where("cycle_id = ?", cy.ID).Take(&ic)
		if !reflect.DeepEqual(ic.Score, pc.Score) || ic.Evidence != pc.Evidence || ic.SourceRow != pc.Row {
			t.Errorf("row %d: imported record %+v", pc.Row, ic)
		}
		if pc.ClosesCycleID != "" {
			var closed compliance.Cycle
			f.db.Where("id = ?", pc.ClosesCycleID).Take(&closed)
			if closed.Status != compliance.StatusClosed || closed.Number != pc.ClosesCycleNumber {
				t.Errorf("row %d: closes %+v", pc.Row, closed)
			}
		}
		if pc.RefresherDueAt != nil {
			refreshers++
			var next compliance.Cycle
			if err := f.db.Where("employee_id = ? AND course_id = ? AND number = ?", pc.EmployeeID, pc.CourseID, pc.RefresherNumber).Take(&next).Error; err != nil {
				t.Errorf("row %d: planned refresher not started: %v", pc.Row, err)
			} else if !next.DueAt.Equal(*pc.RefresherDueAt) || !next.WindowOpensAt.Equal(*pc.RefresherOpensAt) || next.Path != compliance.PathRefresher {
				t.Errorf("row %d: refresher %+v, planned due %v", pc.Row, next, pc.RefresherDueAt)
			}
		}
	}
	if refreshers == 0 || applied.Pass.WindowsOpened != refreshers {
		t.Errorf("%d refreshers planned, the pass opened %d", refreshers, applied.Pass.WindowsOpened)
	}
	// The same file again: every row is refused, nothing changes.
	after := f.snapshot()
	if _, err := f.run(csv, now, false); err == nil {
		t.Error("importing the same file twice succeeded")
	}
	if f.snapshot() != after {
		t.Error("the refused second import changed the database")
	}
}
