package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// assignAll runs the rules now, so Ada and Bob each get cycle #1 of basic,
// due in 30 days.
func (r *recordsDB) assignAll(now time.Time) {
	r.t.Helper()
	eng := &compliance.Engine{DB: r.db}
	if _, err := eng.Evaluate(context.Background(), now, nil); err != nil {
		r.t.Fatal(err)
	}
}

func TestCyclesExtendAndExempt(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	now := time.Now().UTC()
	today := compliance.Day(now)
	r.assignAll(now)
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := r.db.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('fire-safety', 'Fire Safety', ?, ?)", at, at).Error; err != nil {
		t.Fatal(err)
	}
	iso := func(t time.Time) string { return t.Format(time.DateOnly) }
	due, newDue := today.AddDate(0, 0, 30), today.AddDate(0, 0, 60)

	res := r.run("cycles", "extend", "--employee", "E1", "--course", "basic", "--due", iso(newDue), "--reason", " night shifts in March ")
	want := "Extended cycle #1 of basic (Basic Training) for Ada Lovelace (E1).\nStatus: open\n" +
		"due " + compliance.FormatDay(newDue) + ": extended from " + compliance.FormatDay(due) + " (night shifts in March); before that, " +
		"due " + compliance.FormatDay(due) + ": 30 days after this course was assigned to you on " + compliance.FormatDay(today) + "\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("extend: exit %d\n%s%s\nwant:\n%s", res.code, res.stdout, res.stderr, want)
	}
	var ch compliance.CycleChange
	if err := r.db.Where("kind = 'extension'").Take(&ch).Error; err != nil {
		t.Fatal(err)
	}
	if ch.ChangedBy != "cli" || ch.Reason != "night shifts in March" || !ch.NewDueAt.Equal(newDue) || !ch.OldDueAt.Equal(due) {
		t.Errorf("change %+v", ch)
	}
	if c := r.cycles(r.ada.ID)[0]; !c.DueAt.Equal(newDue) {
		t.Errorf("due %v", c.DueAt)
	}

	until := today.AddDate(0, 0, 90)
	res = r.run("cycles", "exempt", "--employee", "E2", "--course", "basic", "--reason", "parental leave", "--until", iso(until))
	want = "Exempted cycle #1 of basic (Basic Training) for Bob Builder (E2).\nStatus: exempt\n" +
		"exempt until " + compliance.FormatDay(until) + ": parental leave\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exempt: exit %d\n%s%s\nwant:\n%s", res.code, res.stdout, res.stderr, want)
	}
	if c := r.cycles(r.bob.ID)[0]; c.Status != compliance.StatusExempt || c.ExemptUntil == nil || !c.ExemptUntil.Equal(until) {
		t.Errorf("exempt cycle %+v", c)
	}

	// Carol completed hers: there is nothing to extend or exempt.
	carol := r.employee("E3", "Carol", "Done")
	r.assignAll(now)
	cc := r.cycles(carol.ID)[0]
	version := mustVersion(t, r)
	if err := r.db.Transaction(func(tx *gorm.DB) error {
		return compliance.Complete(tx, cc, now, compliance.Recurrence{}, version)
	}); err != nil {
		t.Fatal(err)
	}

	before := snapshotCycles(t, r)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing reason", []string{"extend", "--employee", "E1", "--course", "basic", "--due", iso(newDue)}, 2, "--reason is required"},
		{"blank reason", []string{"exempt", "--employee", "E1", "--course", "basic", "--reason", "  "}, 2, "--reason is required"},
		{"missing due", []string{"extend", "--employee", "E1", "--course", "basic", "--reason", "x"}, 2, "--due is required"},
		{"bad due", []string{"extend", "--employee", "E1", "--course", "basic", "--due", "30/04/2026", "--reason", "x"}, 2, `--due "30/04/2026" is not a date; give it as YYYY-MM-DD`},
		{"bad until", []string{"exempt", "--employee", "E1", "--course", "basic", "--until", "soon", "--reason", "x"}, 2, `--until "soon" is not a date`},
		{"missing employee", []string{"exempt", "--course", "basic", "--reason", "x"}, 2, "--employee is required"},
		{"missing course", []string{"exempt", "--employee", "E1", "--reason", "x"}, 2, "--course is required"},
		{"stray argument", []string{"exempt", "E1", "--course", "basic", "--reason", "x"}, 2, `unexpected argument "E1"`},
		{"unknown employee", []string{"extend", "--employee", "E404", "--course", "basic", "--due", iso(newDue), "--reason", "x"}, 66,
			`onramp: no employee has the employee_id "E404"; check the ID (it is the HR system's, as in the staff import); nothing was changed`},
		{"unknown course", []string{"extend", "--employee", "E1", "--course", "nope", "--due", iso(newDue), "--reason", "x"}, 66, `no course has the ID "nope"`},
		{"no assignment", []string{"exempt", "--employee", "E1", "--course", "fire-safety", "--reason", "x"}, 66,
			"Ada Lovelace (E1) has no assignment for fire-safety; their courses are basic; nothing was changed"},
		{"earlier due date", []string{"extend", "--employee", "E1", "--course", "basic", "--due", iso(due), "--reason", "x"}, 65, "must be after the current one"},
		{"already exempt", []string{"exempt", "--employee", "E2", "--course", "basic", "--reason", "x"}, 75, "cycle #1 of basic for Bob Builder (E2) is exempt; only an open, in-progress or overdue cycle can be exempted; nothing was changed"},
		{"already completed", []string{"extend", "--employee", "E3", "--course", "basic", "--due", iso(newDue), "--reason", "x"}, 75, "cycle #1 of basic for Carol Done (E3) is completed; only an open, in-progress or overdue cycle can be extended; nothing was changed"},
		{"unknown subcommand", []string{"close"}, 2, `unknown cycles command "close"`},
	} {
		res := r.run(append([]string{"cycles"}, tc.args...)...)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) || res.stdout != "" {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s\nwant exit %d and …%s…", tc.name, res.code, res.stdout, res.stderr, tc.code, tc.want)
		}
	}
	if after := snapshotCycles(t, r); after != before {
		t.Errorf("a refused change changed the cycles")
	}
}

func mustVersion(t *testing.T, r *recordsDB) string {
	t.Helper()
	if err := r.db.Exec("INSERT INTO content_versions (id, course_id, module_id, hash, title, source, created_at) VALUES ('v1', 'basic', '', 'h', 't', 's', ?)", time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	return "v1"
}

func snapshotCycles(t *testing.T, r *recordsDB) string {
	t.Helper()
	var rows []map[string]any
	if err := r.db.Raw("SELECT * FROM cycles ORDER BY id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	r.db.Table("cycle_changes").Count(&n)
	return fmt.Sprintf("%v\nchanges %d", rows, n)
}

func TestCyclesShow(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	now := time.Now().UTC()
	today := compliance.Day(now)
	// Ada's history comes from the previous system; Bob is assigned now.
	done := today.AddDate(0, 0, -40)
	path := writeFile(t, "history.csv", "employee_id,course,completed_at,score,evidence\nE1,basic,"+done.Format(time.DateOnly)+",92,\"Certificate\n1234\"\n")
	if res := r.run("completions", "import", path); res.code != 0 {
		t.Fatalf("import: %s", res.stderr)
	}
	r.assignAll(now)

	res := r.run("cycles", "show", "--employee", "E1")
	if res.code != 0 {
		t.Fatalf("show: exit %d\n%s", res.code, res.stderr)
	}
	expires := compliance.AddMonths(done, 12)
	d, e := done.Format(time.DateOnly), expires.Format(time.DateOnly)
	want := "Ada Lovelace (employee_id E1): Nursing, Registered Nurse, active\n\n" +
		`basic: Basic Training (assignment active; rule "Everyone, every year")` + "\n" +
		"  CYCLE  PATH  STATUS     WINDOW OPENS  DUE         COMPLETED   EXPIRES\n" +
		"  #1     full  completed  " + d + "    " + d + "  " + d + "  " + e + "\n" +
		"  #1: imported from the previous system: completed " + compliance.FormatDay(done) + "; expires " + compliance.FormatDay(expires) +
		": 12 months after it was completed on " + compliance.FormatDay(done) + "; previous system's record: score 92%, evidence: Certificate 1234\n"
	if res.stdout != want {
		t.Errorf("show printed:\n%s\nwant:\n%s", res.stdout, want)
	}

	res = r.run("cycles", "show", "--employee=E2")
	due := today.AddDate(0, 0, 30).Format(time.DateOnly)
	if res.code != 0 || !strings.Contains(res.stdout, "  #1     full  open    "+today.Format(time.DateOnly)) || !strings.Contains(res.stdout, due+"  -          -\n") ||
		!strings.Contains(res.stdout, "  #1: due "+compliance.FormatDay(today.AddDate(0, 0, 30))+": 30 days after this course was assigned to you on") {
		t.Errorf("show E2: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	r.employee("E4", "Nora", "None")
	if res := r.run("cycles", "show", "--employee", "E4"); res.code != 0 || !strings.Contains(res.stdout, "No courses are assigned.") {
		t.Errorf("show E4: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := r.run("cycles", "show", "--employee", "E404"); res.code != 66 || !strings.Contains(res.stderr, `no employee has the employee_id "E404"`) {
		t.Errorf("show E404: exit %d\n%s", res.code, res.stderr)
	}
	if res := r.run("cycles", "show"); res.code != 2 || !strings.Contains(res.stderr, "--employee is required") {
		t.Errorf("show without --employee: exit %d\n%s", res.code, res.stderr)
	}
}
