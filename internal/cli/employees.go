package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/onramp-lms/onramp/internal/csvimport"
	"github.com/onramp-lms/onramp/internal/people"
)

func init() {
	register("employees", "import the staff list from the HR system's CSV (`employees import FILE.csv [--dry-run]`)", runEmployees)
}

const employeesUsage = `usage: onramp employees import FILE.csv [--dry-run] [--deactivate-missing] [flags]

Brings Onramp's employees in line with the staff list your HR system exports.
The first line of FILE.csv names the columns, in any order:

  employee_id, email, first_name, last_name, department, job_title, location,
  manager_email, hire_date (YYYY-MM-DD), and optionally status (active or
  inactive) and time_zone (e.g. Europe/London)

Employees are matched by employee_id. Every row is checked before anything is
written: if any row has a problem, every problem is listed and nothing is
imported. Leavers become inactive; nobody is deleted. Save the file as
"CSV UTF-8" (a UTF-16 "Unicode Text" file is refused).

A sound file is written in batches of short transactions, each with the
assignment rules and report standings of its people, so the site stays
responsive during a large import. Once it has begun writing, an interrupt
(Ctrl-C) lets it finish, audit entry included; a second interrupt stops it
at once. If the import stops part-way (a crash, a second interrupt), run the
same command with the same file again: it writes only what is still missing
and ends where an uninterrupted import would.

  --dry-run             show what would be added, changed and deactivated, and change nothing
  --deactivate-missing  make active employees who are not in the file inactive`

// importListLimit is how many employees each list of the output shows.
const importListLimit = 50

func runEmployees(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(env.Stderr, "onramp: unknown employees command %q\n", args[0])
		}
		fmt.Fprintln(env.Stderr, employeesUsage)
		return 2
	}
	return runEmployeesImport(ctx, env, args[1:])
}

func runEmployeesImport(ctx context.Context, env Env, args []string) int {
	fs, load := flags("employees import", env)
	dryRun := fs.Bool("dry-run", false, "show what the import would do, and change nothing")
	deactivateMissing := fs.Bool("deactivate-missing", false, "make active employees who are not in the file inactive")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, employeesUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	// Flags may come before or after FILE.csv.
	cfg, files, code := parseWithArgs(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if len(files) != 1 {
		if len(files) == 0 {
			fmt.Fprintln(env.Stderr, "onramp: name the staff file to import, e.g. onramp employees import staff.csv")
		} else {
			fmt.Fprintf(env.Stderr, "onramp: import one staff file at a time (got %s)\n", strings.Join(files, ", "))
		}
		fmt.Fprintln(env.Stderr, employeesUsage)
		return 2
	}
	name := files[0]

	file, err := readStaffFile(name)
	if err != nil {
		return importFailed(env, name, err)
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	opts := people.PlanOptions{DeactivateMissing: *deactivateMissing}
	plan, err := a.Staff.PlanImport(ctx, file, opts)
	if err != nil {
		return importFailed(env, name, err)
	}
	printStaffPlan(env.Stdout, name, plan, *dryRun)
	if *dryRun {
		fmt.Fprintln(env.Stdout, "\nDry run: nothing was changed.")
		return 0
	}
	if plan.Empty() {
		return 0
	}
	// In batches of short transactions, as HR's page and the API do: the
	// people each batch writes get (or lose) their courses and their report
	// standings in the same transaction, and one audit entry records the
	// import.
	// Once it has begun writing, an interrupt does not stop it part-way
	// (people written without the import's audit entry): say so.
	applied := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fmt.Fprintln(env.Stderr, "Interrupted: the import stops now if it has not begun writing, else it finishes (a second interrupt stops it at once; running the same file again then finishes it).")
		case <-applied:
		}
	}()
	res, err := a.Staff.ApplyImport(ctx, plan, people.ImportSource{File: filepath.Base(name), Via: people.ViaCommandLine}, a.Clock.Now())
	close(applied)
	if err != nil {
		return importFailed(env, name, err)
	}
	fmt.Fprintf(env.Stdout, "\nImported: %s.\n", res.Summary())
	if assigned := res.Assignments; assigned.Assigned > 0 || assigned.Closed > 0 {
		fmt.Fprintf(env.Stdout, "Assignment rules: %d %s assigned, %d closed.\n",
			assigned.Assigned, pluralWord(assigned.Assigned, "course", "courses"), assigned.Closed)
	}
	return 0
}

func readStaffFile(name string) (*people.StaffFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return people.ParseStaffCSV(f)
}

// importFailed reports why an import (of staff or of completions) did
// nothing: every problem of the file on its own line, or the one error; it
// returns the error's exit code (65 for problems in the file).
func importFailed(env Env, name string, err error) int {
	if ie, ok := errors.AsType[*csvimport.Error](err); ok {
		n := len(ie.Problems) + ie.More
		fmt.Fprintf(env.Stderr, "onramp: %s has %d %s:\n", name, n, pluralWord(n, "problem", "problems"))
		for _, line := range ie.Lines() {
			fmt.Fprintln(env.Stderr, line)
		}
	} else {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
	}
	fmt.Fprintln(env.Stderr, "Nothing was imported.")
	return exitCode(err)
}

// printStaffPlan writes the plan: a summary line, warnings, then each list.
func printStaffPlan(w io.Writer, name string, plan *people.StaffPlan, dryRun bool) {
	verb := "Importing"
	if dryRun {
		verb = "Dry run of"
	}
	fmt.Fprintf(w, "%s %s: %d %s.\n", verb, name, plan.Rows, pluralWord(plan.Rows, "employee", "employees"))
	for _, warning := range plan.Warnings {
		fmt.Fprintf(w, "Warning: %s.\n", warning)
	}
	if plan.Empty() {
		fmt.Fprintf(w, "\nNothing to change: %s.\n", plan.Summary())
		return
	}
	fmt.Fprintf(w, "\n%s.\n", plan.Summary())
	printChanges(w, "To add", plan.Added)
	printChanges(w, "To change", plan.Changed)
	printChanges(w, "To deactivate", plan.Deactivated)
	printChanges(w, "To reactivate", plan.Reactivated)
}

// printChanges writes one list: a line per employee (their changed fields
// each on a line of their own), at most importListLimit employees.
func printChanges(w io.Writer, title string, changes []people.StaffChange) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, len(changes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, c := range changes {
		if i == importListLimit {
			tw.Flush()
			rest := len(changes) - importListLimit
			fmt.Fprintf(w, "  … and %d more %s\n", rest, pluralWord(rest, "employee", "employees"))
			return
		}
		id := c.EmployeeNumber
		if id == "" {
			id = "-"
		}
		where := "-" // not in the file
		if c.Row > 0 {
			where = "row " + strconv.Itoa(c.Row)
		}
		about := c.Name
		if c.Role != people.RoleLearner && c.Role != "" {
			about += " (" + string(c.Role) + ")"
		}
		if c.Reason != "" {
			about += ": " + c.Reason
		}
		if len(c.Fields) == 0 || c.Reason != "" || title == "To add" {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", id, c.Email, where, about)
		}
		for _, f := range c.Fields {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s: %q → %q\n", id, c.Email, where, f.Field, f.Old, f.New)
		}
	}
	tw.Flush()
}
