package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The same work in the database's own shell, for comparison in the same
// run. The SQL is what internal/report runs (see completionsPlan,
// overduePlan and dashboard.go), without filters.
const (
	completionsSQL = `SELECT e.employee_number, TRIM(e.first_name || ' ' || e.last_name), e.department, e.job_title, c.course_id,
  COALESCE(co.title, c.course_id), c.number, %s, %s,
  COALESCE(ct.score_percent, ic.score), cv.hash, ic.id, ct.code
FROM cycles c JOIN employees e ON e.id = c.employee_id
  LEFT JOIN courses co ON co.id = c.course_id
  LEFT JOIN certificates ct ON ct.cycle_id = c.id
  LEFT JOIN imported_completions ic ON ic.cycle_id = c.id
  LEFT JOIN content_versions cv ON cv.id = c.course_version_id
WHERE c.completed_at IS NOT NULL
ORDER BY c.completed_at, c.id`

	dashboardSQL = `SELECT t.course_id, COALESCE(co.title, t.course_id) AS title, t.status, t.n
FROM (SELECT s.course_id, s.status, COUNT(*) AS n FROM compliance_status s GROUP BY s.course_id, s.status) t
  LEFT JOIN courses co ON co.id = t.course_id;
SELECT s.department, s.status, COUNT(*) AS n FROM compliance_status s GROUP BY s.department, s.status ORDER BY s.department;`

	overdueSQL = `SELECT COUNT(*) FROM compliance_status s WHERE s.status IN ('overdue', 'expired');
SELECT s.*, e.employee_number, e.first_name, e.last_name, e.job_title, e.location, m.first_name, m.last_name
FROM compliance_status s JOIN employees e ON e.id = s.employee_id LEFT JOIN courses co ON co.id = s.course_id
  LEFT JOIN employees m ON m.id = e.manager_id
WHERE s.status IN ('overdue', 'expired') ORDER BY s.due_at, s.sort_name, s.employee_id, s.course_id LIMIT 100;`
)

// shellSteps runs the comparison SQL in sqlite3 or psql, and the CSV export
// from the command line.
func (b *bench) shellSteps(ctx context.Context) {
	out := filepath.Join(b.out, "report-completions.csv")
	b.onrampStep(ctx, "`onramp report completions` CSV to a file", "", b.o.Timeouts.Download, b.env(),
		"report", "completions", "--format", "csv", "--out", out)

	b.shell(ctx, "shell: the dashboard's counts", dashboardSQL, false, "")
	b.shell(ctx, "shell: overdue count and first 100 rows", overdueSQL, false, "")
	b.shell(ctx, "shell: the completions CSV join written to a file", b.completionsSQL(), true, filepath.Join(b.out, "shell-completions.csv"))
}

// completionsSQL is completionsSQL with its two times written as text, as
// Onramp's CSV writes them: SQLite stores them as integer microseconds
// (internal/db/sqlitetime.go), PostgreSQL's COPY writes its own text.
func (b *bench) completionsSQL() string {
	if b.sqlite != "" {
		text := func(c string) string {
			return "strftime('%Y-%m-%dT%H:%M:%fZ', " + c + " / 1000000.0, 'unixepoch')"
		}
		return fmt.Sprintf(completionsSQL, text("c.completed_at"), text("c.expires_at"))
	}
	return fmt.Sprintf(completionsSQL, "c.completed_at", "c.expires_at")
}

// shell runs sql in sqlite3 (or psql) and records the time and memory.
func (b *bench) shell(ctx context.Context, what, sql string, csv bool, to string) {
	var name string
	var args []string
	if b.sqlite != "" {
		name = "sqlite3"
		args = []string{"-bail"}
		if csv {
			args = append(args, "-csv", "-header")
		}
		args = append(args, b.sqlite, sql)
	} else {
		name = "psql"
		args = []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", b.dbURL}
		if csv {
			args = append(args, "-c", "COPY ("+sql+") TO STDOUT WITH CSV HEADER")
		} else {
			args = append(args, "-c", sql)
		}
	}
	if _, err := exec.LookPath(name); err != nil {
		b.rows = append(b.rows, row{What: what, Measured: name + " is not installed", Command: name})
		return
	}
	var stdout *os.File
	dest := os.DevNull
	if to != "" {
		dest = to
	}
	stdout, err := os.Create(dest)
	if err != nil {
		b.fail(what, err)
		return
	}
	defer stdout.Close()
	b.logf("%s: %s", what, name)
	r := b.runChildTo(ctx, b.o.Timeouts.Download, os.Environ(), stdout, name, args...)
	measured := seconds(r.Wall)
	switch {
	case r.TimedOut:
		measured = "not finished after " + r.Wall.Round(time.Second).String()
	case r.Err != nil:
		measured = fmt.Sprintf("failed (%v): %s", r.Err, lastLine(r.Stderr))
	case to != "":
		if fi, err := os.Stat(to); err == nil {
			measured += ", " + mibOrKB(fi.Size())
		}
	}
	b.logf("  %s, peak RSS %s", measured, mib(r.MaxRSS))
	cmd := name + " " + strings.Join(strings.Fields(sql), " ")
	if csv && b.sqlite == "" {
		cmd = "psql -c COPY (" + strings.Join(strings.Fields(sql), " ") + ") TO STDOUT WITH CSV HEADER"
	}
	if len(cmd) > 160 {
		cmd = cmd[:160] + "…"
	}
	if to != "" {
		cmd += " > " + filepath.Base(to)
	}
	b.rows = append(b.rows, row{What: what, Measured: measured, Seconds: r.Wall.Seconds(), PeakRSS: r.MaxRSS, Command: cmd, OK: r.Err == nil})
}
