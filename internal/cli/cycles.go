package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
)

func init() {
	register("cycles", "show an employee's cycles, or extend or exempt one (`cycles show|extend|exempt --employee ID …`)", runCycles)
}

// changedByCLI is recorded as who made an extension or exemption from the
// command line.
const changedByCLI = "cli"

const cyclesUsage = `usage: onramp cycles show   --employee EMPLOYEE_ID [flags]
       onramp cycles extend --employee EMPLOYEE_ID --course COURSE --due YYYY-MM-DD --reason "…" [flags]
       onramp cycles exempt --employee EMPLOYEE_ID --course COURSE --reason "…" [--until YYYY-MM-DD] [flags]

EMPLOYEE_ID is the HR system's ID (employee_id in the staff import); COURSE is
a course ID that ` + "`onramp courses`" + ` lists. extend and exempt change the latest
cycle of the employee's assignment for the course.`

func runCycles(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, cyclesUsage)
		return 2
	}
	switch args[0] {
	case "show":
		return runCyclesShow(ctx, env, args[1:])
	case "extend", "exempt":
		return runCyclesChange(ctx, env, args[0], args[1:])
	}
	fmt.Fprintf(env.Stderr, "onramp: unknown cycles command %q\n%s\n", args[0], cyclesUsage)
	return 2
}

// cycleFlags parses a cycles subcommand's flags; it takes no arguments.
func cycleFlags(fs *flag.FlagSet, load func() (config.Config, error), args []string, env Env) (config.Config, int) {
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, cyclesUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, rest, code := parseWithArgs(fs, load, args, env)
	if code >= 0 {
		return cfg, code
	}
	if len(rest) > 0 {
		fmt.Fprintf(env.Stderr, "onramp: unexpected argument %q; every value is given with a flag, e.g. --reason \"…\"\n", rest[0])
		return cfg, 2
	}
	return cfg, -1
}

// refuse is a refusal by Onramp's rules, with its apperr code (its exit
// code) and a message that says what to do; it carries no cause.
func refuse(code apperr.Code, format string, args ...any) error {
	return apperr.Errorf(code, format, args...)
}

// flagCheck is a required flag's value and what to say when it is empty.
type flagCheck struct{ value, hint string }

// requireFlags reports the first required flag that is empty, with its
// hint ("--employee is required: …"), and returns 2; -1 when all are given.
func requireFlags(env Env, checks ...flagCheck) int {
	for _, c := range checks {
		if strings.TrimSpace(c.value) == "" {
			fmt.Fprintln(env.Stderr, "onramp: "+c.hint)
			return exitUsage
		}
	}
	return -1
}

// needEmployee is the hint for a missing --employee.
const needEmployee = "--employee is required: give the employee's employee_id from the HR system, e.g. --employee E1042"

// employeeByNumber finds an employee by the HR system's ID.
func employeeByNumber(tx *gorm.DB, number string) (*people.Employee, error) {
	var e people.Employee
	err := tx.Where("employee_number = ?", number).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, refuse(apperr.NotFound, "no employee has the employee_id %q; check the ID (it is the HR system's, as in the staff import)", number)
	}
	if err != nil {
		return nil, fmt.Errorf("look up employee %s: %w", number, err)
	}
	return &e, nil
}

// latestCycle returns the latest cycle of the employee's assignment for the
// course, and the course's title.
func latestCycle(tx *gorm.DB, e *people.Employee, number, courseID string) (*compliance.Cycle, string, error) {
	var titles []string
	if err := tx.Table("courses").Where("id = ?", courseID).Pluck("title", &titles).Error; err != nil {
		return nil, "", fmt.Errorf("look up course %s: %w", courseID, err)
	}
	if len(titles) == 0 {
		return nil, "", refuse(apperr.NotFound, "no course has the ID %q; use a course ID that `onramp courses` lists", courseID)
	}
	var a compliance.Assignment
	err := tx.Where("employee_id = ? AND course_id = ?", e.ID, courseID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		var assigned []string
		if err := tx.Model(&compliance.Assignment{}).Where("employee_id = ?", e.ID).Order("course_id").Pluck("course_id", &assigned).Error; err != nil {
			return nil, "", fmt.Errorf("look up assignments: %w", err)
		}
		msg := fmt.Sprintf("%s (%s) has no assignment for %s", e.FullName(), number, courseID)
		if len(assigned) > 0 {
			msg += "; their courses are " + strings.Join(assigned, ", ")
		} else {
			msg += "; they have no courses assigned"
		}
		return nil, "", refuse(apperr.NotFound, "%s", msg)
	}
	if err != nil {
		return nil, "", fmt.Errorf("look up assignment: %w", err)
	}
	var c compliance.Cycle
	err = tx.Where("assignment_id = ?", a.ID).Order("number DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", refuse(apperr.NotFound, "%s (%s) has no cycle for %s yet", e.FullName(), number, courseID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("look up cycle: %w", err)
	}
	return &c, titles[0], nil
}

// runCyclesChange extends or exempts the latest cycle of one assignment,
// recording the reason, in one transaction.
func runCyclesChange(ctx context.Context, env Env, action string, args []string) int {
	fs, load := flags("cycles "+action, env)
	employee := fs.String("employee", "", "the employee's employee_id from the HR system (required)")
	course := fs.String("course", "", "the course's ID (required)")
	reason := fs.String("reason", "", "why, in words kept with the change (required)")
	var due, until *string
	if action == "extend" {
		due = fs.String("due", "", "the new due date, YYYY-MM-DD (required)")
	} else {
		until = fs.String("until", "", "the day the exemption ends, YYYY-MM-DD (default: it does not end)")
	}
	cfg, code := cycleFlags(fs, load, args, env)
	if code >= 0 {
		return code
	}
	*employee, *course, *reason = strings.TrimSpace(*employee), strings.TrimSpace(*course), strings.TrimSpace(*reason)
	if code := requireFlags(env, flagCheck{*employee, needEmployee},
		flagCheck{*course, "--course is required: give the course's ID, e.g. --course social-media"},
		flagCheck{*reason, fmt.Sprintf("--reason is required: say why, e.g. --reason %q", map[string]string{
			"extend": "on sick leave during March", "exempt": "on parental leave until September",
		}[action])}); code >= 0 {
		return code
	}
	var day *time.Time
	if action == "extend" {
		if *due == "" {
			fmt.Fprintln(env.Stderr, "onramp: --due is required: give the new due date as YYYY-MM-DD, e.g. --due 2026-04-30")
			return 2
		}
		d, err := time.Parse(time.DateOnly, *due)
		if err != nil {
			fmt.Fprintf(env.Stderr, "onramp: --due %q is not a date; give it as YYYY-MM-DD, e.g. --due 2026-04-30\n", *due)
			return 2
		}
		day = &d
	} else if *until != "" {
		d, err := time.Parse(time.DateOnly, *until)
		if err != nil {
			fmt.Fprintf(env.Stderr, "onramp: --until %q is not a date; give it as YYYY-MM-DD, e.g. --until 2026-09-01, or leave it out for an exemption that does not end\n", *until)
			return 2
		}
		day = &d
	}

	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	now := a.Clock.Now()
	var emp *people.Employee
	var changed *compliance.Cycle
	var title string
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if emp, err = employeeByNumber(tx, *employee); err != nil {
			return err
		}
		var c *compliance.Cycle
		if c, title, err = latestCycle(tx, emp, *employee, *course); err != nil {
			return err
		}
		if action == "extend" {
			changed, err = compliance.Extend(tx, c.ID, *day, *reason, changedByCLI, now)
		} else {
			changed, err = compliance.Exempt(tx, c.ID, *reason, day, changedByCLI, now)
		}
		if errors.Is(err, compliance.ErrNotOpen) || (err == nil && changed == nil) {
			return refuse(apperr.Conflict, "cycle #%d of %s for %s (%s) is %s; only an open, in-progress or overdue cycle can be %s",
				c.Number, *course, emp.FullName(), *employee, strings.ReplaceAll(string(c.DisplayStatus(now)), "_", " "), action+"ed")
		}
		if err != nil {
			return err
		}
		return compliance.RecordCycleChange(tx, c, changed, *reason, compliance.Actor{Name: changedByCLI}, now)
	})
	if err != nil {
		return fail(env, err, "; nothing was changed")
	}
	verb := "Extended"
	if action == "exempt" {
		verb = "Exempted"
	}
	fmt.Fprintf(env.Stdout, "%s cycle #%d of %s (%s) for %s (%s).\n", verb, changed.Number, *course, title, emp.FullName(), *employee)
	fmt.Fprintf(env.Stdout, "Status: %s\n", strings.ReplaceAll(string(changed.DisplayStatus(now)), "_", " "))
	fmt.Fprintln(env.Stdout, changed.Derivation)
	return 0
}

// runCyclesShow lists every cycle of every course of one employee: HR's
// view of why each date is what it is.
func runCyclesShow(ctx context.Context, env Env, args []string) int {
	fs, load := flags("cycles show", env)
	employee := fs.String("employee", "", "the employee's employee_id from the HR system (required)")
	cfg, code := cycleFlags(fs, load, args, env)
	if code >= 0 {
		return code
	}
	*employee = strings.TrimSpace(*employee)
	if code := requireFlags(env, flagCheck{*employee, needEmployee}); code >= 0 {
		return code
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	var view employeeCycles
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		view, err = loadEmployeeCycles(tx, *employee)
		return err
	})
	if err != nil {
		return fail(env, err, "")
	}
	view.write(env.Stdout, *employee, a.Clock.Now())
	return 0
}

// employeeCycles is everything `cycles show` prints about one employee.
type employeeCycles struct {
	employee    *people.Employee
	assignments []compliance.Assignment
	cycles      map[string][]*compliance.Cycle // by assignment, by number
	titles      map[string]string              // course titles
	rules       map[string]string              // rule names
	imported    map[string]importedNote        // by cycle
}

type importedNote struct {
	Score    *int
	Evidence string
}

func loadEmployeeCycles(tx *gorm.DB, number string) (employeeCycles, error) {
	v := employeeCycles{cycles: map[string][]*compliance.Cycle{}, titles: map[string]string{}, rules: map[string]string{}, imported: map[string]importedNote{}}
	var err error
	if v.employee, err = employeeByNumber(tx, number); err != nil {
		return v, err
	}
	if err := tx.Where("employee_id = ?", v.employee.ID).Order("course_id").Find(&v.assignments).Error; err != nil {
		return v, fmt.Errorf("load assignments: %w", err)
	}
	var cycles []*compliance.Cycle
	if err := tx.Where("employee_id = ?", v.employee.ID).Order("number").Find(&cycles).Error; err != nil {
		return v, fmt.Errorf("load cycles: %w", err)
	}
	var ids []string
	for _, c := range cycles {
		v.cycles[c.AssignmentID] = append(v.cycles[c.AssignmentID], c)
		ids = append(ids, c.ID)
	}
	var courses []struct{ ID, Title string }
	if err := tx.Table("courses").Select("id, title").Find(&courses).Error; err != nil {
		return v, fmt.Errorf("load courses: %w", err)
	}
	for _, c := range courses {
		v.titles[c.ID] = c.Title
	}
	var rules []struct{ ID, Name string }
	if err := tx.Table("assignment_rules").Select("id, name").Find(&rules).Error; err != nil {
		return v, fmt.Errorf("load rules: %w", err)
	}
	for _, r := range rules {
		v.rules[r.ID] = r.Name
	}
	for part := range slices.Chunk(ids, 500) {
		var notes []struct {
			CycleID  string
			Score    *int
			Evidence string
		}
		if err := tx.Table("imported_completions").Select("cycle_id, score, evidence").Where("cycle_id IN ?", part).Find(&notes).Error; err != nil {
			return v, fmt.Errorf("load imported completions: %w", err)
		}
		for _, n := range notes {
			v.imported[n.CycleID] = importedNote{Score: n.Score, Evidence: n.Evidence}
		}
	}
	return v, nil
}

func (v employeeCycles) write(w io.Writer, number string, now time.Time) {
	e := v.employee
	var about []string
	for _, s := range []string{e.Department, e.JobTitle} {
		if s != "" {
			about = append(about, s)
		}
	}
	about = append(about, string(e.Status))
	fmt.Fprintf(w, "%s (employee_id %s): %s\n", e.FullName(), number, strings.Join(about, ", "))
	if len(v.assignments) == 0 {
		fmt.Fprintln(w, "\nNo courses are assigned.")
		return
	}
	for _, a := range v.assignments {
		state := "assignment " + a.Status
		if a.Status == "closed" && a.ClosedAt != nil {
			state = fmt.Sprintf("assignment closed on %s: %s", a.ClosedAt.Format(time.DateOnly), a.ClosedReason)
		}
		if a.RuleID != nil {
			state += fmt.Sprintf("; rule %q", cmp.Or(v.rules[*a.RuleID], *a.RuleID))
		} else {
			state += "; assigned by hand"
		}
		fmt.Fprintf(w, "\n%s: %s (%s)\n", a.CourseID, cmp.Or(v.titles[a.CourseID], a.CourseID), state)
		cycles := v.cycles[a.ID]
		if len(cycles) == 0 {
			fmt.Fprintln(w, "  no cycles")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CYCLE\tPATH\tSTATUS\tWINDOW OPENS\tDUE\tCOMPLETED\tEXPIRES")
		for _, c := range cycles {
			fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Number, c.Path, c.DisplayStatus(now),
				c.WindowOpensAt.UTC().Format(time.DateOnly), c.DueAt.UTC().Format(time.DateOnly), dayOrDash(c.CompletedAt), dayOrDash(c.ExpiresAt))
		}
		_ = tw.Flush()
		for _, c := range cycles {
			why := c.Derivation
			if c.Status == compliance.StatusClosed && c.ClosedAt != nil {
				why = joinWhy(why, fmt.Sprintf("closed on %s: %s", compliance.FormatDay(*c.ClosedAt), c.ClosedReason))
			}
			if n, ok := v.imported[c.ID]; ok {
				var parts []string
				if n.Score != nil {
					parts = append(parts, fmt.Sprintf("score %d%%", *n.Score))
				}
				if n.Evidence != "" {
					parts = append(parts, "evidence: "+strings.Join(strings.Fields(n.Evidence), " "))
				}
				if len(parts) > 0 {
					why = joinWhy(why, "previous system's record: "+strings.Join(parts, ", "))
				}
			}
			if why != "" {
				fmt.Fprintf(w, "  #%d: %s\n", c.Number, why)
			}
		}
	}
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func dayOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
