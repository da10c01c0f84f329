package people_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// FuzzParseStaffCSV feeds the parser arbitrary files. It must never panic,
// every failure must be an *ImportError naming where, and every row it
// returns must have passed the checks. The seed corpus is in
// testdata/fuzz/FuzzParseStaffCSV.
func FuzzParseStaffCSV(f *testing.F) {
	f.Add([]byte(staffCSV("E1,a@example.org,Ana,Silva,Nursing,Nurse,North,,2024-01-31,,")))
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := people.ParseStaffCSV(bytes.NewReader(in))
		if err != nil {
			ie, ok := errors.AsType[*people.ImportError](err)
			if !ok {
				t.Fatalf("error %v (%T) is not an *ImportError", err, err)
			}
			if len(ie.Problems) == 0 || len(ie.Problems) > people.MaxImportProblems {
				t.Fatalf("%d problems", len(ie.Problems))
			}
			for _, p := range ie.Problems {
				if p.Row < 0 || p.Message == "" {
					t.Fatalf("problem without a place or a message: %+v", p)
				}
			}
			return
		}
		if len(file.Rows) == 0 {
			t.Fatal("no error and no rows")
		}
		ids, emails := map[string]bool{}, map[string]bool{}
		line := 1
		for _, r := range file.Rows {
			if r.EmployeeNumber == "" || r.Email == "" || r.FirstName == "" || r.LastName == "" || r.HireDate.IsZero() {
				t.Fatalf("row %d lacks a required value: %+v", r.Line, r)
			}
			if r.Email != people.NormalizeEmail(r.Email) || r.ManagerEmail != people.NormalizeEmail(r.ManagerEmail) {
				t.Fatalf("row %d: e-mails not normalised: %+v", r.Line, r)
			}
			if r.ManagerEmail == r.Email {
				t.Fatalf("row %d manages themselves", r.Line)
			}
			if r.Status != people.StatusActive && r.Status != people.StatusInactive {
				t.Fatalf("row %d: status %q", r.Line, r.Status)
			}
			if r.HireDate.Format(time.DateOnly)+"T00:00:00Z" != r.HireDate.Format(time.RFC3339) {
				t.Fatalf("row %d: hire date %v is not a date at midnight UTC", r.Line, r.HireDate)
			}
			if r.Line <= line {
				t.Fatalf("row %d comes after line %d", r.Line, line)
			}
			line = r.Line
			if ids[r.EmployeeNumber] || emails[r.Email] {
				t.Fatalf("row %d repeats an employee_id or e-mail", r.Line)
			}
			ids[r.EmployeeNumber], emails[r.Email] = true, true
		}
	})
}
