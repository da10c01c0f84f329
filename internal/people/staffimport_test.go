package people_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// firstImport is a small organisation: a director, two managers and staff.
var firstImport = staffCSV(
	"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London",
	"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,,",
	"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,,",
	"E4,ola@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,,",
	"E5,pat@example.org,Pat,Porter,Facilities,Porter,South,dana@example.org,2019-11-11,,",
	"E6,quinn@example.org,Quinn,Quiet,Facilities,Porter,South,pat@example.org,2020-02-02,inactive,",
)

// secondImport changes every kind of thing at once: a new hire managed by a
// new manager further down the file, changed details, a new e-mail, a
// leaver marked inactive, a returner, and E5 left out (deactivated only
// with DeactivateMissing).
var secondImport = staffCSV(
	"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London",
	"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,,",
	"E3,nia.new@example.org,Nia,Nurse,ICU,Senior Nurse,North,mo@example.org,2021-09-01,,America/New_York",
	"E4,ola@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,inactive,",
	"E6,quinn@example.org,Quinn,Quiet,Facilities,Porter,South,dana@example.org,2020-02-02,active,",
	"E7,rae@example.org,Rae,Recruit,Pharmacy,Pharmacist,East,sam@example.org,2026-04-01,,",
	"E8,sam@example.org,Sam,Senior,Pharmacy,Chief Pharmacist,East,dana@example.org,2017-05-05,,",
)

func TestStaffImportFirstImport(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	plan, res := importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	if got := plan.Summary(); got != "6 to add, 0 to change, 0 to deactivate, 0 to reactivate, 0 unchanged" {
		t.Errorf("summary = %q", got)
	}
	if res.Added != 6 || len(res.EmployeeIDs) != 6 {
		t.Errorf("result = %+v", res)
	}
	all := employees(t, d)
	dana, mo, nia, quinn := all["dana@example.org"], all["mo@example.org"], all["nia@example.org"], all["quinn@example.org"]
	if deref(mo.ManagerID) != dana.ID || deref(nia.ManagerID) != mo.ID {
		t.Errorf("managers not linked: mo→%v nia→%v", deref(mo.ManagerID), deref(nia.ManagerID))
	}
	if dana.Role != people.RoleManager || mo.Role != people.RoleManager || nia.Role != people.RoleLearner {
		t.Errorf("roles = %s, %s, %s; want manager, manager, learner", dana.Role, mo.Role, nia.Role)
	}
	// Pat manages only Quinn, who is inactive: no reason to be a manager.
	if pat := all["pat@example.org"]; pat.Role != people.RoleLearner {
		t.Errorf("pat's role = %s, want learner (their only report is inactive)", pat.Role)
	}
	if quinn.Status != people.StatusInactive || quinn.DeactivatedAt == nil || !quinn.DeactivatedAt.Equal(importDay) {
		t.Errorf("quinn = %s, deactivated %v; want inactive since %v", quinn.Status, quinn.DeactivatedAt, importDay)
	}
	if dana.TimeZone != "Europe/London" || dana.HireDate.Format(time.DateOnly) != "2015-06-01" || !dana.CreatedAt.Equal(importDay) {
		t.Errorf("dana = %+v", dana)
	}
}

// TestStaffImportDryRunEqualsApplied checks that Apply does exactly what
// the plan (the dry run's output) says, no more and no less.
func TestStaffImportDryRunEqualsApplied(t *testing.T) {
	t.Parallel()
	for _, deactivateMissing := range []bool{false, true} {
		t.Run(fmt.Sprintf("deactivate missing %v", deactivateMissing), func(t *testing.T) {
			d := openStaffDB(t)
			importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
			before := employees(t, d)

			plan := planCSV(t, d, secondImport, people.PlanOptions{DeactivateMissing: deactivateMissing})
			if !equalEmployees(before, employees(t, d)) {
				t.Fatal("Plan wrote to the database")
			}
			res, err := people.Apply(context.Background(), d, plan, reimportDay)
			if err != nil {
				t.Fatal(err)
			}
			after := employees(t, d)
			touched := checkPlanApplied(t, plan, before, after)

			// Everyone the plan does not name is exactly as before.
			for email, b := range before {
				if !touched[b.ID] && !equalEmployee(b, after[email]) {
					t.Errorf("%s changed but is not in the plan:\nbefore %+v\nafter  %+v", email, b, after[email])
				}
			}
			if int64(len(before)+len(plan.Added)) != employeeCount(t, d) {
				t.Errorf("%d employees, want %d: nobody is ever deleted", employeeCount(t, d), len(before)+len(plan.Added))
			}
			if res.Added != len(plan.Added) || res.Changed != len(plan.Changed) || res.Deactivated != len(plan.Deactivated) ||
				res.Reactivated != len(plan.Reactivated) || res.Unchanged != plan.Unchanged {
				t.Errorf("result %s, plan %s", res.Summary(), plan.Summary())
			}
			if len(res.EmployeeIDs) != len(touched) {
				t.Errorf("result names %d employees, the plan %d", len(res.EmployeeIDs), len(touched))
			}

			// And what the plan showed is now true: a second plan of the
			// same file finds nothing to do.
			again := planCSV(t, d, secondImport, people.PlanOptions{DeactivateMissing: deactivateMissing})
			if !again.Empty() || again.Unchanged != again.Rows {
				t.Errorf("re-planning the applied file: %s; changes %+v", again.Summary(), again.Changed)
			}

			wantSummary := "2 to add, 1 to change, 1 to deactivate, 1 to reactivate, 2 unchanged"
			if deactivateMissing {
				wantSummary = "2 to add, 1 to change, 2 to deactivate, 1 to reactivate, 2 unchanged"
			}
			if plan.Summary() != wantSummary {
				t.Errorf("summary = %q, want %q", plan.Summary(), wantSummary)
			}
		})
	}
}

// checkPlanApplied checks every entry of the plan against the database after
// Apply and returns the IDs the plan names.
func checkPlanApplied(t *testing.T, plan *people.StaffPlan, before, after map[string]people.Employee) map[string]bool {
	t.Helper()
	byID := map[string]people.Employee{}
	for _, e := range after {
		byID[e.ID] = e
	}
	touched := map[string]bool{}
	lists := []struct {
		name    string
		changes []people.StaffChange
		status  people.Status
	}{
		{"added", plan.Added, ""},
		{"changed", plan.Changed, ""},
		{"deactivated", plan.Deactivated, people.StatusInactive},
		{"reactivated", plan.Reactivated, people.StatusActive},
	}
	for _, list := range lists {
		for _, c := range list.changes {
			if touched[c.ID] {
				t.Errorf("%s is in more than one list", c.Email)
			}
			touched[c.ID] = true
			e, ok := byID[c.ID]
			if !ok {
				t.Errorf("%s %s: not in the database", list.name, c.Email)
				continue
			}
			if e.Email != c.Email || deref(e.EmployeeNumber) != c.EmployeeNumber || e.Role != c.Role {
				t.Errorf("%s %s: stored as %s/%s/%s", list.name, c.Email, e.Email, deref(e.EmployeeNumber), e.Role)
			}
			for _, f := range c.Fields {
				if got := fieldValue(t, after, e, f.Field); got != f.New {
					t.Errorf("%s %s: %s = %q, the plan said %q", list.name, c.Email, f.Field, got, f.New)
				}
				var old people.Employee
				for _, b := range before {
					if b.ID == c.ID {
						old = b
					}
				}
				if got := fieldValue(t, before, old, f.Field); got != f.Old {
					t.Errorf("%s %s: %s was %q, the plan said %q", list.name, c.Email, f.Field, got, f.Old)
				}
			}
			switch list.status {
			case people.StatusInactive:
				if e.Status != people.StatusInactive || e.DeactivatedAt == nil || !e.DeactivatedAt.Equal(reimportDay) {
					t.Errorf("deactivated %s: status %s since %v", c.Email, e.Status, e.DeactivatedAt)
				}
			case people.StatusActive:
				if e.Status != people.StatusActive || e.DeactivatedAt != nil {
					t.Errorf("reactivated %s: status %s since %v", c.Email, e.Status, e.DeactivatedAt)
				}
			}
			if list.name != "added" && !e.UpdatedAt.Equal(reimportDay) {
				t.Errorf("%s %s: updated_at %v", list.name, c.Email, e.UpdatedAt)
			}
		}
	}
	return touched
}

func TestStaffImportPlanLists(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	plan := planCSV(t, d, secondImport, people.PlanOptions{DeactivateMissing: true})

	var added []string
	for _, c := range plan.Added {
		added = append(added, fmt.Sprintf("%d %s %s %s", c.Row, c.EmployeeNumber, c.Email, c.Role))
	}
	// Sam (row 8) is new and manages Rae (row 7): a forward reference.
	if want := []string{"7 E7 rae@example.org learner", "8 E8 sam@example.org manager"}; !slices.Equal(added, want) {
		t.Errorf("added = %q, want %q", added, want)
	}
	if len(plan.Changed) != 1 {
		t.Fatalf("changed = %+v", plan.Changed)
	}
	nia := plan.Changed[0]
	var fields []string
	for _, f := range nia.Fields {
		fields = append(fields, f.Field+": "+f.Old+" → "+f.New)
	}
	want := []string{
		"email: nia@example.org → nia.new@example.org",
		"department: Nursing → ICU",
		"job_title: Registered Nurse → Senior Nurse",
		"time_zone:  → America/New_York",
	}
	if nia.Row != 4 || !slices.Equal(fields, want) {
		t.Errorf("row %d changes %q\nwant row 4 %q", nia.Row, fields, want)
	}
	var deactivated []string
	for _, c := range plan.Deactivated {
		deactivated = append(deactivated, fmt.Sprintf("%s %s", c.EmployeeNumber, c.Reason))
	}
	if want := []string{"E4 " + people.ReasonMarkedInactive, "E5 " + people.ReasonMissing}; !slices.Equal(deactivated, want) {
		t.Errorf("deactivated = %q, want %q", deactivated, want)
	}
	// Quinn returns, with a new manager.
	if r := plan.Reactivated; len(r) != 1 || r[0].EmployeeNumber != "E6" || r[0].Reason != people.ReasonMarkedActive ||
		len(r[0].Fields) != 1 || r[0].Fields[0] != (people.FieldChange{Field: "manager_email", Old: "pat@example.org", New: "dana@example.org"}) {
		t.Errorf("reactivated = %+v", plan.Reactivated)
	}
}

func TestStaffImportPromotesManagersOutsideTheFile(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	lee := addByHand(t, d, "lee@example.org", people.RoleLearner)
	plan, _ := importCSV(t, d, staffCSV("E1,ann@example.org,Ann,A,,,,lee@example.org,2024-01-01,,"), people.PlanOptions{}, importDay)
	if len(plan.Changed) != 1 {
		t.Fatalf("plan: %s", plan.Summary())
	}
	c := plan.Changed[0]
	if c.ID != lee.ID || c.Row != 0 || c.Role != people.RoleManager ||
		len(c.Fields) != 1 || c.Fields[0] != (people.FieldChange{Field: "role", Old: "learner", New: "manager"}) {
		t.Errorf("change = %+v", c)
	}
	if e := employees(t, d)["lee@example.org"]; e.Role != people.RoleManager {
		t.Errorf("lee's role = %s", e.Role)
	}
}

func TestStaffImportDeactivateMissing(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	admin := addByHand(t, d, "admin@example.org", people.RoleHRAdmin)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)

	onlyDana := staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London")
	plan := planCSV(t, d, onlyDana, people.PlanOptions{})
	if !plan.Empty() {
		t.Fatalf("without DeactivateMissing, leaving people out changes nothing; got %s", plan.Summary())
	}
	plan, _ = importCSV(t, d, onlyDana, people.PlanOptions{DeactivateMissing: true}, reimportDay)
	if got := plan.Summary(); got != "0 to add, 0 to change, 4 to deactivate, 0 to reactivate, 1 unchanged" {
		t.Errorf("summary = %q", got)
	}
	warnings := strings.Join(plan.Warnings, "\n")
	if !strings.Contains(warnings, "4 of 6 active employees (67%) would be deactivated") ||
		!strings.Contains(warnings, "1 active employee has no employee_id") {
		t.Errorf("warnings = %q", warnings)
	}
	all := employees(t, d)
	if len(all) != 7 {
		t.Fatalf("%d employees, want all 7 kept", len(all))
	}
	for _, email := range []string{"mo@example.org", "nia@example.org", "ola@example.org", "pat@example.org"} {
		if e := all[email]; e.Status != people.StatusInactive || !e.DeactivatedAt.Equal(reimportDay) {
			t.Errorf("%s: %s since %v, want inactive since %v", email, e.Status, e.DeactivatedAt, reimportDay)
		}
	}
	// Quinn was already inactive: the earlier date stays.
	if q := all["quinn@example.org"]; !q.DeactivatedAt.Equal(importDay) {
		t.Errorf("quinn deactivated at %v, want %v still", q.DeactivatedAt, importDay)
	}
	if a := all[admin.Email]; a.Status != people.StatusActive {
		t.Errorf("the hand-made admin was deactivated")
	}
	if dana := all["dana@example.org"]; dana.Role != people.RoleManager {
		t.Errorf("dana lost her manager role (%s); roles are never lowered", dana.Role)
	}
}

func TestStaffImportReactivation(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	plan, _ := importCSV(t, d, staffCSV(
		"E6,quinn@example.org,Quinn,Quiet,Facilities,Porter,South,pat@example.org,2020-02-02,,",
	), people.PlanOptions{}, reimportDay)
	if len(plan.Reactivated) != 1 || len(plan.Reactivated[0].Fields) != 0 {
		t.Fatalf("plan: %s %+v", plan.Summary(), plan.Reactivated)
	}
	all := employees(t, d)
	if q := all["quinn@example.org"]; q.Status != people.StatusActive || q.DeactivatedAt != nil {
		t.Errorf("quinn: %s, deactivated %v", q.Status, q.DeactivatedAt)
	}
	// Pat now manages an active employee.
	if p := all["pat@example.org"]; p.Role != people.RoleManager {
		t.Errorf("pat's role = %s, want manager", p.Role)
	}
}

func TestStaffImportWarnsOfLeavingManagers(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	// Mo leaves; Nia and Ola, not in this file, are still managed by Mo.
	plan := planCSV(t, d, staffCSV("E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,inactive,"), people.PlanOptions{})
	want := "2 active employees not in the file are managed by someone this import deactivates; give them a new manager"
	if !slices.Contains(plan.Warnings, want) {
		t.Errorf("warnings = %q", plan.Warnings)
	}
}

func TestStaffImportTimeZoneColumnIsOptional(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	noZones := "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n" +
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01\n"
	plan := planCSV(t, d, noZones, people.PlanOptions{})
	if !plan.Empty() {
		t.Errorf("a file without time_zone must not clear time zones: %s %+v", plan.Summary(), plan.Changed)
	}
}

func TestStaffImportAdoptsHandMadeEmployees(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	admin := addByHand(t, d, "dana@example.org", people.RoleHRAdmin)
	plan, _ := importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	if len(plan.Added) != 5 || len(plan.Changed) != 1 {
		t.Fatalf("plan: %s", plan.Summary())
	}
	all := employees(t, d)
	dana := all["dana@example.org"]
	if dana.ID != admin.ID || deref(dana.EmployeeNumber) != "E1" || dana.Role != people.RoleHRAdmin || dana.FirstName != "Dana" {
		t.Errorf("dana = %+v; want the hand-made admin, given E1, still hr_admin", dana)
	}
}

func TestStaffImportSwapsEmails(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	plan, _ := importCSV(t, d, staffCSV(
		"E3,ola@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,,",
		"E4,nia@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,,",
		"E9,mo.new@example.org,Mo,Manager,Nursing,Ward Manager,North,,2018-03-15,,",
	), people.PlanOptions{}, reimportDay)
	if plan.Summary() != "1 to add, 2 to change, 0 to deactivate, 0 to reactivate, 0 unchanged" {
		t.Errorf("summary = %s", plan.Summary())
	}
	all := employees(t, d)
	if deref(all["ola@example.org"].EmployeeNumber) != "E3" || deref(all["nia@example.org"].EmployeeNumber) != "E4" {
		t.Errorf("e-mails not swapped")
	}
}

func TestStaffImportManagerProblems(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	tests := []struct {
		name   string
		lines  []string
		opts   people.PlanOptions
		row    int
		column string
		says   string
	}{
		{"unknown manager", []string{
			"E9,zed@example.org,Zed,Z,,,,boss@example.org,2024-01-01,,",
		}, people.PlanOptions{}, 2, "manager_email", `"boss@example.org" is not in the file and is not an employee in Onramp`},
		{"old address of a manager", []string{
			"E2,mo.new@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,,",
			"E9,zed@example.org,Zed,Z,,,,mo@example.org,2024-01-01,,",
		}, people.PlanOptions{}, 3, "manager_email", "is the old e-mail of employee_id E2, whom row 2 gives the e-mail mo.new@example.org; use mo.new@example.org"},
		{"inactive manager in the database", []string{
			"E9,zed@example.org,Zed,Z,,,,quinn@example.org,2024-01-01,,",
		}, people.PlanOptions{}, 2, "manager_email", "inactive in Onramp; name an active manager"},
		{"manager marked inactive in the file", []string{
			"E9,zed@example.org,Zed,Z,,,,yan@example.org,2024-01-01,,",
			"E10,yan@example.org,Yan,Y,,,,,2024-01-01,inactive,",
		}, people.PlanOptions{}, 2, "manager_email", "is marked inactive on row 3"},
		{"manager left out with DeactivateMissing", []string{
			"E9,zed@example.org,Zed,Z,,,,dana@example.org,2024-01-01,,",
		}, people.PlanOptions{DeactivateMissing: true}, 2, "manager_email", "deactivating missing employees would make them inactive"},
		{"loop in the file", []string{
			"E9,zed@example.org,Zed,Z,,,,yan@example.org,2024-01-01,,",
			"E10,yan@example.org,Yan,Y,,,,xu@example.org,2024-01-01,,",
			"E11,xu@example.org,Xu,X,,,,zed@example.org,2024-01-01,,",
		}, people.PlanOptions{}, 2, "manager_email",
			`zed@example.org (row 2) → yan@example.org (row 3) → xu@example.org (row 4) → zed@example.org (row 2); give one of them a different manager`},
		{"loop through the database", []string{
			// Mo (not in this file) is managed by Dana; Dana is now managed by Mo.
			"E1,dana@example.org,Dana,Director,Management,Director,HQ,mo@example.org,2015-06-01,,Europe/London",
		}, people.PlanOptions{}, 2, "manager_email",
			`dana@example.org (row 2) → mo@example.org (not in the file) → dana@example.org (row 2)`},
		{"e-mail of someone outside the file", []string{
			"E9,pat@example.org,Zed,Z,,,,,2024-01-01,,",
		}, people.PlanOptions{}, 2, "email", `"pat@example.org" already belongs to employee_id E5 (Pat Porter), who is not in the file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := employees(t, d)
			ie := planError(t, d, staffCSV(tt.lines...), tt.opts)
			p := ie.Problems[0]
			if p.Row != tt.row || p.Column != tt.column || !strings.Contains(p.Message, tt.says) {
				t.Errorf("problem = %s\nwant row %d, column %s, saying %q", p, tt.row, tt.column, tt.says)
			}
			if len(ie.Problems) != 1 {
				t.Errorf("%d problems, want 1: %q", len(ie.Problems), ie.Lines())
			}
			if !equalEmployees(before, employees(t, d)) {
				t.Error("a failed plan changed the database")
			}
		})
	}
}

func TestStaffImportKeepsAnHRAdmin(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	if err := d.Model(&people.Employee{}).Where("email = ?", "dana@example.org").Update("role", people.RoleHRAdmin).Error; err != nil {
		t.Fatal(err)
	}
	ie := planError(t, d, staffCSV("E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,,2018-03-15,,"), people.PlanOptions{DeactivateMissing: true})
	if p := ie.Problems[0]; p.Row != 0 || !strings.Contains(p.Message, "dana@example.org, the last active HR admin") {
		t.Errorf("problem = %s", p)
	}
	ie = planError(t, d, staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,inactive,"), people.PlanOptions{})
	if p := ie.Problems[0]; p.Row != 2 || p.Column != "status" {
		t.Errorf("problem = %s", p)
	}
}
