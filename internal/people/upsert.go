package people

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/csvimport"
)

// The results of an upsert, per record.
const (
	UpsertAdded       = "added"
	UpsertChanged     = "changed"
	UpsertDeactivated = "deactivated"
	UpsertReactivated = "reactivated"
	UpsertUnchanged   = "unchanged"
)

// UpsertResult is what Upsert did, record by record.
type UpsertResult struct {
	// Results holds each record's UpsertAdded … UpsertUnchanged.
	Results []string
	// IDs holds each record's employee's Onramp ID.
	IDs []string
	// Assignments counts what the assignment rules did.
	Assignments compliance.EvalResult
}

// privilegedRefusal is the message of Upsert's Forbidden error.
const privilegedRefusal = "An API token cannot change the e-mail address, role or status of a manager or HR admin: " +
	"an HR admin changes them in Onramp (People → the person → Edit, Deactivate or Reactivate). Nothing was saved."

// errUpsertStale is Upsert's ErrStalePlan, in the words of a call.
var errUpsertStale = ErrStalePlan.Because("The employees changed while this call was being checked; send it again.")

// Upsert adds or updates the employees of records, all or nothing, as the
// JSON API takes them: a request's list (src.Single false: problems name
// each record by its Index in the list) or one employee (src.Single). The
// records get the staff import's checks (CheckStaff, Plan) and the change
// is ImportSource src's ApplyImport, with all its follow-ups.
//
// Nothing is written when it returns an error: Invalid with every problem
// (Index and Key, the record's employee_id, set), Forbidden when the call
// would change the sign-in e-mail address, role or status of a manager or
// HR admin (see PrivilegedChanges), Conflict (ErrStalePlan) when employees
// changed meanwhile.
func (s *Service) Upsert(ctx context.Context, records []StaffRecord, src ImportSource, now time.Time) (*UpsertResult, error) {
	numbering := csvimport.List("employees")
	if src.Single {
		numbering.Name = func(int) string { return "this employee" }
	}
	file, err := CheckStaff(records, numbering)
	var plan *StaffPlan
	if err == nil {
		plan, err = s.PlanImport(ctx, file, PlanOptions{})
	}
	if ie, ok := errors.AsType[*ImportError](err); ok {
		return nil, upsertProblems(ie, records, src.Single)
	}
	if err != nil {
		return nil, err
	}
	if problems := PrivilegedChanges(plan, records, src.Single); len(problems) > 0 {
		return nil, &apperr.Error{Code: apperr.Forbidden, Message: privilegedRefusal, Problems: problems}
	}
	out := &UpsertResult{Results: make([]string, len(records)), IDs: make([]string, len(records))}
	for i := range out.Results {
		out.Results[i] = UpsertUnchanged
	}
	for result, list := range map[string][]StaffChange{
		UpsertAdded: plan.Added, UpsertChanged: plan.Changed, UpsertDeactivated: plan.Deactivated, UpsertReactivated: plan.Reactivated,
	} {
		for _, ch := range list {
			if i, ok := recordOf(ch.Row, records); ok {
				out.Results[i], out.IDs[i] = result, ch.ID
			}
		}
	}
	if !plan.Empty() {
		res, err := s.ApplyImport(ctx, plan, src, now)
		if errors.Is(err, ErrStalePlan) {
			return nil, errUpsertStale
		}
		if err != nil {
			return nil, err
		}
		out.Assignments = res.Assignments
	}
	// Everyone's ID, the unchanged included, by employee_id.
	numbers := make([]string, len(records))
	for i, r := range records {
		numbers[i] = strings.TrimSpace(r.EmployeeID)
	}
	idOf, err := (&Store{DB: s.DB}).IDsByNumber(ctx, numbers)
	if err != nil {
		return nil, err
	}
	for i, n := range numbers {
		if id := idOf[n]; id != "" {
			out.IDs[i] = id
		}
	}
	return out, nil
}

// recordOf returns the index in records of a checked list's row
// (csvimport.List numbers record i as row i+1), and whether there is one.
func recordOf(row int, records []StaffRecord) (int, bool) {
	i := row - 1
	return i, row >= 1 && i < len(records)
}

// recordProblem is a problem about the record of row: its Index in the
// list (not for a single record) and its employee_id as Key.
func recordProblem(row int, records []StaffRecord, single bool, p apperr.Problem) apperr.Problem {
	if i, ok := recordOf(row, records); ok {
		p.Key = strings.TrimSpace(records[i].EmployeeID)
		if !single {
			p.Index = &i
		}
	}
	return p
}

// upsertProblems is an ImportError about records as the call's Invalid
// error: one problem per problem, naming its record.
func upsertProblems(ie *ImportError, records []StaffRecord, single bool) error {
	problems := make([]apperr.Problem, 0, len(ie.Problems))
	for _, p := range ie.Problems {
		problems = append(problems, recordProblem(p.Row, records, single, apperr.Problem{Field: p.Column, Value: p.Value, Message: p.Message}))
	}
	n := len(ie.Problems) + ie.More
	words := strconv.Itoa(n) + " problem"
	if n != 1 {
		words += "s"
	}
	message := "Nothing was saved: " + words + " to fix in the list."
	if single {
		message = "The employee was not saved: " + words + " to fix."
	}
	return &apperr.Error{Code: apperr.Invalid, Message: message, Problems: problems, More: ie.More, Err: ie}
}

// PrivilegedChanges lists the changes of a planned upsert of records an
// API token may not make: the sign-in e-mail address, role or status of
// anyone who is a manager or HR admin before the call. A changed address
// would receive the next set-password link, so a token that could change
// it could take the account over. Promoting a learner to manager (because
// the call names them as someone's manager) is not refused.
func PrivilegedChanges(plan *StaffPlan, records []StaffRecord, single bool) []apperr.Problem {
	var out []apperr.Problem
	check := func(ch StaffChange, statusChange bool) {
		before := ch.Role
		for _, f := range ch.Fields {
			if f.Field == FieldRole {
				before = Role(f.Old)
			}
		}
		var who string
		switch before {
		case RoleHRAdmin:
			who = "an HR admin"
		case RoleManager:
			who = "a manager"
		default:
			return
		}
		problem := func(field, value, what string) {
			p := apperr.Problem{Key: ch.EmployeeNumber, Field: field, Value: value,
				Message: ch.Email + " is " + who + ": an API token cannot change their " + what + "; an HR admin does it in Onramp"}
			out = append(out, recordProblem(ch.Row, records, single, p))
		}
		for _, f := range ch.Fields {
			switch f.Field {
			case ColumnEmail:
				problem(ColumnEmail, f.New, "e-mail address")
			case FieldRole:
				problem(FieldRole, f.New, "role")
			}
		}
		if statusChange {
			status := string(StatusInactive)
			if ch.Reason == ReasonMarkedActive {
				status = string(StatusActive)
			}
			problem(ColumnStatus, status, "status")
		}
	}
	for _, ch := range plan.Changed {
		check(ch, false)
	}
	for _, ch := range plan.Deactivated {
		check(ch, true)
	}
	for _, ch := range plan.Reactivated {
		check(ch, true)
	}
	return out
}
