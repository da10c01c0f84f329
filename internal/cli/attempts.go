package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/learning"
)

func init() {
	register("attempts", "grant a person more attempts at a quiz (`attempts grant --employee ID --course C --quiz MODULE --extra N --reason R`)", runAttempts)
}

const attemptsUsage = `usage: onramp attempts grant --employee EMPLOYEE_ID --course COURSE --quiz MODULE --extra N --reason "…" [flags]

EMPLOYEE_ID is the HR system's ID (employee_id in the staff import); COURSE is
a course ID that ` + "`onramp courses`" + ` lists; MODULE is the ID of the module whose
quiz it is. The attempts are added to the person's current cycle of the
course; the grant is kept in the audit trail and the person is e-mailed.`

func runAttempts(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "grant" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(env.Stderr, "onramp: unknown attempts command %q\n", args[0])
		}
		fmt.Fprintln(env.Stderr, attemptsUsage)
		return 2
	}
	fs, load := flags("attempts grant", env)
	employee := fs.String("employee", "", "the employee's employee_id from the HR system (required)")
	course := fs.String("course", "", "the course's ID (required)")
	quiz := fs.String("quiz", "", "the ID of the module whose quiz it is (required)")
	step := fs.String("step", "", "the quiz step's ID, when the module has more than one quiz")
	extra := fs.Int("extra", 1, fmt.Sprintf("how many more attempts, 1 to %d", learning.MaxExtraAttempts))
	reason := fs.String("reason", "", "why, in words sent to the person and kept in the audit trail (required)")
	cfg, code := cycleFlags(fs, load, args[1:], env)
	if code >= 0 {
		return code
	}
	*employee, *course, *quiz = strings.TrimSpace(*employee), strings.TrimSpace(*course), strings.TrimSpace(*quiz)
	if code := requireFlags(env, flagCheck{*employee, needEmployee},
		flagCheck{*course, "--course is required: give the course's ID, e.g. --course hand-hygiene"},
		flagCheck{*quiz, "--quiz is required: give the ID of the module whose quiz it is, e.g. --quiz final-assessment"},
		flagCheck{*reason, `--reason is required: say why, e.g. --reason "went through the answers together"`}); code >= 0 {
		return code
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	emp, err := employeeByNumber(a.DB.WithContext(ctx), *employee)
	if err != nil {
		return fail(env, err, "; nothing was changed")
	}
	g, err := a.Learning.GrantAttempts(ctx, nil, learning.Grant{
		EmployeeID: emp.ID, CourseID: *course, ModuleID: *quiz, StepID: strings.TrimSpace(*step), Extra: *extra, Reason: *reason,
	})
	if apperr.CodeOf(err) == apperr.Invalid {
		// A learning.GrantError: its message is a sentence.
		return fail(env, err, " Nothing was changed.")
	}
	if err != nil {
		return fail(env, err, "; nothing was changed")
	}
	fmt.Fprintf(env.Stdout, "Granted %s (%s) %d more %s at the %s quiz of %s. They are e-mailed; the grant is in the audit trail.\n",
		emp.FullName(), *employee, g.Extra, map[bool]string{true: "attempt", false: "attempts"}[g.Extra == 1], g.ModuleID, *course)
	return 0
}
