package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

func init() {
	register("report", "write a report as CSV, XLSX or JSON (`report "+strings.Join(report.Names(), "|")+" [--format F] [--out FILE]`)", runReport)
}

var reportUsage = `usage: onramp report NAME [--format csv|xlsx|json] [--out FILE] [filters] [flags]

NAME is one of:
` + reportList() + `
The report reflects the moment it runs: when the scheduler has not kept the
report table today, it is brought up to date first, a batch of people at a
time. --full-refresh recomputes the whole table and its counts in one
transaction instead (after a rolling upgrade past migration 00037; it holds
the database for seconds at large sizes). The report is written to standard
output, or to FILE with --out (written whole or not at all). XLSX is a binary
file: give --out, or redirect standard output to a file. Every report is
recorded in the audit trail.

Filters (each optional; the same as on the reports page):
  --department D   --course COURSE_ID   --job-title T   --location L
  --status S       (completed, exempt, in_progress, not_started, overdue, expired)
  --manager M      only people who report to M, directly or through others
                   (M is an e-mail address, an employee_id or an Onramp ID)
  --days N         the expiring report's horizon, 1 to 366 (default 30)`

func reportList() string {
	var b strings.Builder
	for _, r := range report.Reports {
		fmt.Fprintf(&b, "  %-12s %s\n", r.Name, r.Description)
	}
	return b.String()
}

// reportFlags are the filter flags and the query parameters they become.
var reportFlags = []struct{ flag, param, help string }{
	{"department", report.ParamDepartment, "only this department"},
	{"course", report.ParamCourse, "only this course (a course ID)"},
	{"job-title", report.ParamJobTitle, "only this job title"},
	{"location", report.ParamLocation, "only this location"},
	{"status", report.ParamStatus, "only this standing"},
	{"manager", report.ParamManager, "only people who report to this person (e-mail, employee_id or ID)"},
	{"days", report.ParamDays, "expiring within this many days (default 30)"},
}

// reportRefreshBatch is the most people of one transaction when the report
// command has to refresh the report table (the scheduler's reportBatch).
const reportRefreshBatch = 400

func runReport(ctx context.Context, env Env, args []string) int {
	fs, load := flags("report", env)
	format := fs.String("format", "csv", "csv, xlsx or json")
	out := fs.String("out", "", "write to this file instead of standard output")
	fullRefresh := fs.Bool("full-refresh", false, "recompute the whole report table and its counts in one transaction first")
	filterValues := map[string]*string{}
	for _, f := range reportFlags {
		filterValues[f.flag] = fs.String(f.flag, "", f.help)
	}
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, reportUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, rest, code := parseWithArgs(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintf(env.Stderr, "onramp: name one report (got %d)\n%s\n", len(rest), reportUsage)
		return 2
	}
	rep, ok := report.Lookup(rest[0])
	if !ok {
		fmt.Fprintf(env.Stderr, "onramp: there is no report %q; the reports are %s\n", rest[0], strings.Join(report.Names(), ", "))
		return 2
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: --format: %v\n", err)
		return 2
	}
	if f == report.XLSX && *out == "" && isTerminal(env.Stdout) {
		fmt.Fprintln(env.Stderr, "onramp: an XLSX report is a binary file: give --out FILE.xlsx, or redirect the output to a file")
		return 2
	}
	// The filter is checked before anything opens; a manager given by
	// e-mail or employee_id is checked as an ID once it is looked up.
	values := url.Values{}
	manager := ""
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, rf := range reportFlags {
		if !set[rf.flag] {
			continue
		}
		v := *filterValues[rf.flag]
		if rf.param == report.ParamManager && strings.TrimSpace(v) != "" {
			manager, v = strings.TrimSpace(v), "placeholder"
		}
		values.Set(rf.param, v)
	}
	filter, err := report.ParseFilter(values)
	if fe, ok := errors.AsType[*report.FilterError](err); ok {
		fmt.Fprintf(env.Stderr, "onramp: --%s: %s\n", strings.ReplaceAll(fe.Param, "_", "-"), fe.Message)
		return 2
	} else if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 2
	}

	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	if manager != "" {
		m, err := findPerson(a.DB.WithContext(ctx), manager)
		if err != nil {
			fmt.Fprintf(env.Stderr, "onramp: --manager: %v\n", err)
			return 1
		}
		filter.Manager = m.ID
	}
	now := a.Clock.Now()
	// Current as of now, in short transactions: one transaction that
	// recomputed the whole table held SQLite's write lock for seconds at
	// hospital scale (learners and the scheduler waited).
	if !*fullRefresh {
		if _, err := report.Freshen(ctx, a.DB, now, reportRefreshBatch); err != nil {
			fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
			return 1
		}
	}
	err = a.DB.Tx(ctx, func(tx *gorm.DB) error {
		if *fullRefresh {
			if err := report.Refresh(tx, now); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Wrote the %s report (%s) from the command line", strings.ToLower(rep.Title), strings.ToUpper(string(f)))
		if !filter.Empty() || filter.Days != 0 {
			summary += ", filtered by " + filter.Describe()
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorName: "command line", Action: audit.ActionExport, EntityType: "report", EntityID: rep.Name,
			Summary: summary + ".", Details: map[string]any{"report": rep.Name, "format": f, "scope": "organisation", "filters": filter.Map()},
		})
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	rows, err := rep.Open(ctx, a.DB, filter, now, 0)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	defer rows.Close()
	n, err := writeReport(env.Stdout, *out, f, rows)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: write the %s report: %v\n", rep.Name, err)
		return 1
	}
	where := "standard output"
	if *out != "" {
		where = *out
	}
	fmt.Fprintf(env.Stderr, "Wrote %d %s of the %s report to %s.\n", n, pluralWord(n, "row", "rows"), rep.Name, where)
	return 0
}

// writeReport writes to stdout, or to path through a temporary file that
// replaces it only when the report is complete. A path that is not a
// regular file (a device such as /dev/null or /dev/stdout, a named pipe)
// is written directly: renaming over it would replace the device.
func writeReport(stdout io.Writer, path string, f report.Format, rows report.Rows) (int, error) {
	if path == "" {
		return report.Write(stdout, f, rows)
	}
	var n int
	err := writeOut(path, 0o640, func(dst *os.File) error {
		var err error
		n, err = report.Write(dst, f, rows)
		return err
	})
	return n, err
}

// isTerminal reports whether w is a terminal (where binary output would be
// garbage).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// findPerson finds an employee by e-mail address, HR employee_id or Onramp ID.
func findPerson(tx *gorm.DB, who string) (*people.Employee, error) {
	var e people.Employee
	q := tx.Where("id = ? OR employee_number = ?", who, who)
	if strings.Contains(who, "@") {
		q = tx.Where("email = ?", people.NormalizeEmail(who))
	}
	err := q.Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("nobody has the e-mail address, employee_id or ID %q", who)
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}
