package httpserver

import (
	"strings"

	"github.com/onramp-lms/onramp/internal/people"
)

// apiPrivilegedRefusal is the sentence of the 403 an API call gets when it
// would change a manager's or HR admin's e-mail address, role or status.
const apiPrivilegedRefusal = "An API token cannot change the e-mail address, role or status of a manager or HR admin: " +
	"an HR admin changes them in Onramp (People → the person → Edit, Deactivate or Reactivate). Nothing was saved."

// apiPrivilegedChanges lists the changes of a planned upsert an API token
// may not make: the sign-in e-mail address, role or status of anyone who is
// a manager or HR admin before the call. A changed address would receive
// the next set-password link, so a token that could change it could take
// the account over. Promoting a learner to manager (because the call names
// them as someone's manager) is not refused.
func apiPrivilegedChanges(plan *people.StaffPlan, items []apiEmployeeInput, batch bool) []apiProblem {
	var out []apiProblem
	check := func(ch people.StaffChange, statusChange bool) {
		before := ch.Role
		for _, f := range ch.Fields {
			if f.Field == "role" {
				before = people.Role(f.Old)
			}
		}
		var who string
		switch before {
		case people.RoleHRAdmin:
			who = "an HR admin"
		case people.RoleManager:
			who = "a manager"
		default:
			return
		}
		problem := func(field, value, what string) {
			p := apiProblem{EmployeeID: ch.EmployeeNumber, Field: field, Value: value,
				Message: ch.Email + " is " + who + ": an API token cannot change their " + what + "; an HR admin does it in Onramp"}
			if i := ch.Row - 1; ch.Row >= 1 && i < len(items) {
				p.EmployeeID = strings.TrimSpace(items[i].EmployeeID)
				if batch {
					p.Index = &i
				}
			}
			out = append(out, p)
		}
		for _, f := range ch.Fields {
			switch f.Field {
			case people.ColumnEmail:
				problem(people.ColumnEmail, f.New, "e-mail address")
			case "role":
				problem("role", f.New, "role")
			}
		}
		if statusChange {
			status := string(people.StatusInactive)
			if ch.Reason == people.ReasonMarkedActive {
				status = string(people.StatusActive)
			}
			problem(people.ColumnStatus, status, "status")
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
