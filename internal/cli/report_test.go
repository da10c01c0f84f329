package cli_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/report"
)

// reportDB is recordsDB with Ada's course completed and Bob's overdue.
func newReportDB(t *testing.T) *recordsDB {
	t.Helper()
	r := newRecordsDB(t)
	// The command runs on the real clock: dates relative to today.
	now := time.Now().UTC()
	today := compliance.Day(now)
	err := r.db.Transaction(func(tx *gorm.DB) error {
		ada, err := compliance.Assign(tx, r.ada.ID, "basic", now, today.AddDate(0, 0, 10), "test")
		if err != nil {
			return err
		}
		if err := tx.Model(ada).Updates(map[string]any{"status": compliance.StatusCompleted, "completed_at": now, "expires_at": today.AddDate(0, 0, 45)}).Error; err != nil {
			return err
		}
		_, err = compliance.Assign(tx, r.bob.ID, "basic", now, today.AddDate(0, 0, -2), "test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.db.Exec("UPDATE employees SET manager_id = ? WHERE id = ?", r.ada.ID, r.bob.ID).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportCommand(t *testing.T) {
	t.Parallel()
	r := newReportDB(t)

	res := r.run("report", "overdue")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	records, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if err != nil || len(records) != 2 || records[1][0] != "E2" || records[1][1] != "Bob Builder" || records[1][9] != "2" {
		t.Errorf("overdue CSV (%v):\n%s", err, res.stdout)
	}
	if res.stderr != "Wrote 1 row of the overdue report to standard output.\n" {
		t.Errorf("stderr: %q", res.stderr)
	}

	// Within 30 days nothing expires; within 60, Ada's completion does.
	res = r.run("report", "expiring", "--format", "json")
	if res.code != 0 || strings.TrimSpace(res.stdout) != "[\n]" {
		t.Errorf("expiring in 30 days: exit %d: %q %s", res.code, res.stdout, res.stderr)
	}
	res = r.run("report", "expiring", "--format=json", "--days", "60")
	var objects []map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &objects); err != nil || len(objects) != 1 || objects[0]["employee"] != "Ada Lovelace" || objects[0]["days_left"] != 45.0 {
		t.Errorf("expiring in 60 days: %v (%v)\n%s", objects, err, res.stderr)
	}

	out := filepath.Join(t.TempDir(), "matrix.xlsx")
	res = r.run("report", "matrix", "--format", "xlsx", "--out", out, "--department", "Nursing")
	if res.code != 0 || !strings.Contains(res.stderr, "Wrote 2 rows of the matrix report to "+out) {
		t.Fatalf("matrix: exit %d: %s", res.code, res.stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Report")
	if len(rows) != 3 || rows[0][5] != "Basic Training" || !strings.HasPrefix(rows[1][5], "overdue, due ") || !strings.HasPrefix(rows[2][5], "completed, valid until ") {
		t.Errorf("matrix sheet: %q", rows)
	}

	// The team of Ada (by e-mail address or employee_id) is Bob.
	for _, who := range []string{"e1@example.org", "E1", r.ada.ID} {
		res = r.run("report", "status", "--manager", who)
		if res.code != 0 || strings.Count(res.stdout, "\n") != 2 || !strings.Contains(res.stdout, "Bob Builder") {
			t.Errorf("status --manager %s: exit %d\n%s%s", who, res.code, res.stdout, res.stderr)
		}
	}

	var entries []audit.Entry
	r.db.Where("action = ? AND entity_type = ?", audit.ActionExport, "report").Order("seq").Find(&entries)
	if len(entries) != 7 || entries[0].ActorName != "command line" || entries[0].EntityID != "overdue" ||
		!strings.Contains(entries[3].Details, `"department":"Nursing"`) {
		t.Errorf("audit entries: %d, first %+v", len(entries), entries)
	}
}

func TestReportCommandUsage(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, 2, "onramp: name one report (got 0)\nusage: onramp report NAME"},
		{[]string{"report", "overdue", "matrix"}, 2, "name one report (got 2)"},
		{[]string{"report", "everything"}, 2, `there is no report "everything"; the reports are status, overdue, expiring, completions, matrix, departments`},
		{[]string{"report", "overdue", "--format", "pdf"}, 2, `onramp: --format: unknown format "pdf": choose csv, xlsx or json`},
		{[]string{"report", "overdue", "--status", "late"}, 2, `onramp: --status: unknown status "late"`},
		{[]string{"report", "expiring", "--days", "0"}, 2, "onramp: --days: give a whole number of days from 1 to 366"},
		{[]string{"report", "status", "--job-title", "a\tb"}, 2, "onramp: --job-title: the value contains a control character"},
		{[]string{"report", "status", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"report", "status", "--manager", "nobody@example.org"}, 1, `onramp: --manager: nobody has the e-mail address, employee_id or ID "nobody@example.org"`},
		{[]string{"report", "status", "--out", filepath.Join(t.TempDir(), "missing", "dir", "x.csv")}, 1, "onramp: write the status report"},
	} {
		res := r.run(tc.args...)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", tc.args, res.code, res.stderr, tc.code, tc.want)
		}
	}
	if res := r.run("report", "-h"); res.code != 0 || !strings.Contains(res.stderr, "matrix       One row per person") {
		t.Errorf("help: exit %d\n%s", res.code, res.stderr)
	}
}

// TestReportToAPipe: --out naming something that is not a regular file (a
// named pipe here; /dev/null or /dev/stdout alike) is written to, not
// replaced by a regular file, as the rename of a finished report would.
func TestReportToAPipe(t *testing.T) {
	t.Parallel()
	r := newReportDB(t)
	fifo := filepath.Join(t.TempDir(), "overdue.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, err := os.ReadFile(fifo) // blocks until the command opens it
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		got <- string(b)
	}()
	res := r.run("report", "overdue", "--out", fifo)
	if res.code != 0 || !strings.Contains(res.stderr, "Wrote 1 row of the overdue report to "+fifo) {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	fi, err := os.Lstat(fifo)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		// The reader still waits on the pipe that was replaced.
		t.Fatalf("the pipe was replaced by %v (%v)", fi.Mode(), err)
	}
	select {
	case csv := <-got:
		if !strings.Contains(csv, "Bob Builder") {
			t.Errorf("the pipe read %q, want the overdue report", csv)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing was written to the pipe")
	}
}

// TestReportCommandReadsTheMaintainedTable checks that the report command
// trusts the report table when the scheduler kept it today, instead of
// recomputing the whole of it in one transaction (which held SQLite's
// write lock for seconds at 100,000 people), and that it still refreshes
// everyone, in batches, when no pass or refresh ran today.
func TestReportCommandReadsTheMaintainedTable(t *testing.T) {
	t.Parallel()
	r := newReportDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	// The scheduler's maintenance builds the table and records the day.
	if _, err := report.MaintainBatches(ctx, r.db, now, 400); err != nil {
		t.Fatal(err)
	}
	generation := func() int64 {
		t.Helper()
		var g int64
		if err := r.db.Raw(`SELECT generation FROM compliance_generation WHERE id = 1`).Scan(&g).Error; err != nil {
			t.Fatal(err)
		}
		return g
	}
	before := generation()
	res := r.run("report", "overdue")
	if res.code != 0 || !strings.Contains(res.stdout, "Bob Builder") {
		t.Fatalf("overdue: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if g := generation(); g != before {
		t.Errorf("the report command rewrote a table the scheduler kept today: generation %d, then %d", before, g)
	}

	// --full-refresh recomputes (and recounts) the whole table regardless.
	res = r.run("report", "overdue", "--full-refresh")
	if res.code != 0 || !strings.Contains(res.stdout, "Bob Builder") {
		t.Fatalf("overdue --full-refresh: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if g := generation(); g == before {
		t.Errorf("--full-refresh left the generation at %d: nothing was recomputed", g)
	}

	// The last pass was two days ago and Bob's row says he has not started:
	// his due date passed since, so the command refreshes before reading.
	old := now.AddDate(0, 0, -2)
	if err := r.db.Exec(`UPDATE compliance_refresh SET full_at = ?, pass_at = ? WHERE id = 1`, old, old).Error; err != nil {
		t.Fatal(err)
	}
	if err := r.db.Exec(`UPDATE compliance_status SET status = 'not_started' WHERE employee_id = ?`, r.bob.ID).Error; err != nil {
		t.Fatal(err)
	}
	res = r.run("report", "overdue")
	if res.code != 0 || !strings.Contains(res.stdout, "Bob Builder") {
		t.Errorf("overdue after two days without a pass: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	var fullAt time.Time
	if err := r.db.Raw(`SELECT full_at FROM compliance_refresh WHERE id = 1`).Row().Scan(&fullAt); err != nil || fullAt.Before(now) {
		t.Errorf("full refresh recorded at %v (%v), want after %v", fullAt, err, now)
	}
}
