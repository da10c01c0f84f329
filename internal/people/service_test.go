package people_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/csvimport"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestServiceRefusesToRunWithoutTheEngine: a change to people without the
// assignment rules to follow it is a wiring mistake; the Service refuses it
// and writes nothing, rather than building an engine with no notifier.
func TestServiceRefusesToRunWithoutTheEngine(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	svc := &people.Service{DB: d}
	f, err := people.ParseStaffCSV(strings.NewReader(staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,")))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := svc.PlanImport(context.Background(), f, people.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyImport(context.Background(), plan, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine}, importDay); err == nil ||
		!strings.Contains(err.Error(), "Engine") {
		t.Errorf("ApplyImport without an engine: %v", err)
	}
	_, err = svc.Create(context.Background(), people.Actor{}, people.Details{
		EmployeeNumber: "E2", Email: "mo@example.org", FirstName: "Mo", LastName: "Manager", Role: people.RoleLearner,
	}, importDay)
	if err == nil || !strings.Contains(err.Error(), "Engine") {
		t.Errorf("Create without an engine: %v", err)
	}
	if n := len(employees(t, d)); n != 0 {
		t.Errorf("%d employees written", n)
	}
}

// TestCheckStaffNumbersARequestsList: typed records are checked as a file's
// rows are, numbered by the list (record i is row i+1) and named as the
// request's items in messages; a record without a time zone keeps the
// employee's.
func TestCheckStaffNumbersARequestsList(t *testing.T) {
	t.Parallel()
	zone := "Europe/London"
	recs := []people.StaffRecord{
		{EmployeeID: "E1", Email: "a@example.org", FirstName: "A", LastName: "A", HireDate: "2024-01-01", TimeZone: &zone},
		{EmployeeID: "E1", Email: "b@example.org", FirstName: "B", LastName: "B", HireDate: "2024-01-01"},
	}
	_, err := people.CheckStaff(recs, csvimportList())
	ie := importError(t, err)
	want := `row 2, column employee_id: "E1" is also on employees[0]; each employee must appear once, so remove or merge one of the two rows`
	if len(ie.Problems) != 1 || ie.Problems[0].String() != want {
		t.Errorf("problems = %q", ie.Lines())
	}
	recs[1].EmployeeID = "E2"
	f, err := people.CheckStaff(recs, csvimportList())
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasTimeZone || f.Rows[0].KeepTimeZone || !f.Rows[1].KeepTimeZone || f.Rows[1].Line != 2 {
		t.Errorf("rows = %+v", f.Rows)
	}
}

func csvimportList() csvimport.Numbering { return csvimport.List("employees") }
