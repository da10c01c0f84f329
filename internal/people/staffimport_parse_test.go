package people_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

const staffHeader = "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date,status,time_zone"

// staffCSV is a staff file with the full header and the given data lines.
func staffCSV(lines ...string) string {
	return staffHeader + "\n" + strings.Join(lines, "\n") + "\n"
}

// importError fails the test unless err is an *ImportError.
func importError(t *testing.T, err error) *people.ImportError {
	t.Helper()
	ie, ok := errors.AsType[*people.ImportError](err)
	if !ok {
		t.Fatalf("error = %v (%T), want *people.ImportError", err, err)
	}
	return ie
}

func TestParseStaffCSVReadsAGoodFile(t *testing.T) {
	t.Parallel()
	// Columns out of order, odd spacing and case, a byte-order mark, an
	// unknown column, a blank line and a row of empty cells.
	in := "\uFEFF Email ,Employee ID,first_name,LAST_NAME,department,job_title,location,manager_email,hire_date,Cost Centre\n" +
		"Ana.Silva@Example.org, E1 ,Ana,Silva,Nursing,Registered Nurse,North,,2024-01-31,CC1\n" +
		"\n" +
		"bo@example.org,E2,Bo,Berg,,,,ana.silva@example.org,2023-12-01,CC2\n" +
		",,,,,,,,,\n"
	f, err := people.ParseStaffCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 {
		t.Fatalf("rows = %d, want 2", len(f.Rows))
	}
	want := people.StaffRow{
		Line: 2, EmployeeNumber: "E1", Email: "ana.silva@example.org", FirstName: "Ana", LastName: "Silva",
		Department: "Nursing", JobTitle: "Registered Nurse", Location: "North",
		HireDate: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), Status: people.StatusActive,
	}
	if f.Rows[0] != want {
		t.Errorf("row 2 = %+v\nwant      %+v", f.Rows[0], want)
	}
	if r := f.Rows[1]; r.Line != 4 || r.ManagerEmail != "ana.silva@example.org" {
		t.Errorf("second row = %+v, want line 4 managed by ana.silva@example.org", r)
	}
	if f.HasStatus || f.HasTimeZone {
		t.Errorf("HasStatus, HasTimeZone = %v, %v; the file has neither column", f.HasStatus, f.HasTimeZone)
	}
	if len(f.IgnoredColumns) != 1 || f.IgnoredColumns[0] != "Cost Centre" {
		t.Errorf("ignored columns = %q, want [Cost Centre]", f.IgnoredColumns)
	}
}

func TestParseStaffCSVStatusAndTimeZone(t *testing.T) {
	t.Parallel()
	f, err := people.ParseStaffCSV(strings.NewReader(staffCSV(
		"E1,a@example.org,A,A,,,,,2024-01-01,Inactive,Europe/London",
		"E2,b@example.org,B,B,,,,,2024-01-01,,",
	)))
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasStatus || !f.HasTimeZone {
		t.Fatal("the optional columns were not noticed")
	}
	if f.Rows[0].Status != people.StatusInactive || f.Rows[0].TimeZone != "Europe/London" {
		t.Errorf("row 2 = %+v", f.Rows[0])
	}
	if f.Rows[1].Status != people.StatusActive || f.Rows[1].TimeZone != "" {
		t.Errorf("an empty status must mean active: %+v", f.Rows[1])
	}
}

// TestParseStaffCSVProblems checks that every kind of problem names its row
// and column and says how to fix it.
func TestParseStaffCSVProblems(t *testing.T) {
	t.Parallel()
	good := "E1,a@example.org,Ana,Silva,Nursing,Nurse,North,,2024-01-31,,"
	tests := []struct {
		name   string
		in     string
		row    int
		column string
		says   string // a fragment of the message, usually the fix
	}{
		{"missing employee_id", staffCSV(good, ",b@example.org,Bo,Berg,,,,,2024-01-31,,"), 3, "employee_id", "is empty; give the employee's ID"},
		{"missing email", staffCSV(good, "E2,,Bo,Berg,,,,,2024-01-31,,"), 3, "email", "is empty; give the employee's work e-mail"},
		{"missing first name", staffCSV(good, "E2,b@example.org,,Berg,,,,,2024-01-31,,"), 3, "first_name", "is empty"},
		{"missing last name", staffCSV(good, "E2,b@example.org,Bo,,,,,,2024-01-31,,"), 3, "last_name", "is empty"},
		{"missing hire date", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,,,"), 3, "hire_date", "use YYYY-MM-DD, e.g. 2024-01-31"},
		{"bad date", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,2024-13-01,,"), 3, "hire_date", `"2024-13-01" is not a date; use YYYY-MM-DD, e.g. 2024-01-31`},
		{"US date", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,01/31/2024,,"), 3, "hire_date", "use YYYY-MM-DD"},
		{"bad email", staffCSV(good, "E2,bo(at)example.org,Bo,Berg,,,,,2024-01-31,,"), 3, "email", "is not an e-mail address; write it as name@example.org"},
		{"email with a name", staffCSV(good, `E2,"Bo <b@example.org>",Bo,Berg,,,,,2024-01-31,,`), 3, "email", "is not an e-mail address"},
		{"bad manager email", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,boss,2024-01-31,,"), 3, "manager_email", "leave it empty"},
		{"bad status", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,2024-01-31,left,"), 3, "status", "use active or inactive"},
		{"bad time zone", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,2024-01-31,,CET+1"), 3, "time_zone", "use an IANA name such as Europe/London"},
		{"Local is no time zone", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,,2024-01-31,,Local"), 3, "time_zone", "is not a time zone"},
		{"duplicate employee_id", staffCSV(good, "E1,b@example.org,Bo,Berg,,,,,2024-01-31,,"), 3, "employee_id", `"E1" is also on row 2`},
		{"duplicate email", staffCSV(good, "E2,A@Example.org,Bo,Berg,,,,,2024-01-31,,"), 3, "email", `"a@example.org" is also on row 2 (employee_id E1)`},
		{"self-management", staffCSV(good, "E2,b@example.org,Bo,Berg,,,,B@example.org,2024-01-31,,"), 3, "manager_email", "nobody manages themselves"},
		{"not UTF-8", staffCSV(good, "E2,b@example.org,Bj\xf6rn,Berg,,,,,2024-01-31,,"), 3, "first_name", `save the file as "CSV UTF-8"`},
		{"control character", staffCSV(good, "E2,b@example.org,\"Bo\nBo\",Berg,,,,,2024-01-31,,"), 3, "first_name", "control character"},
		{"missing columns", "employee_id,email,first_name,last_name,department,job_title,location\nE1,a@example.org,A,B,,,\n", 1, "manager_email, hire_date", "are missing from the header"},
		{"repeated column", "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date,Email\n", 1, "email", "appears twice in the header"},
		{"semicolons", "employee_id;email;first_name\n", 1, "", "save the file as CSV with commas"},
		{"empty file", "", 1, "", "the file is empty"},
		{"header only", staffHeader + "\n", 2, "", "no employees"},
		{"short row", staffCSV(good, "E2,b@example.org,Bo"), 3, "", "has 3 values but the header has 11 columns"},
		{"bad quoting", staffCSV(good, `E2,b@example.org,"Bo,Berg,,,,,2024-01-31,,`), 3, "", "is not valid CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := people.ParseStaffCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; rows %+v", f.Rows)
			}
			ie := importError(t, err)
			p := ie.Problems[0]
			if p.Row != tt.row || p.Column != tt.column || !strings.Contains(p.Message, tt.says) {
				t.Errorf("problem = %s\nwant row %d, column %q, saying %q", p, tt.row, tt.column, tt.says)
			}
			line := p.String()
			wantPrefix := fmt.Sprintf("row %d", tt.row)
			if !strings.HasPrefix(line, wantPrefix) || (tt.column != "" && !strings.Contains(line, tt.column+":")) {
				t.Errorf("line %q does not name row %d and column %q", line, tt.row, tt.column)
			}
		})
	}
}

func TestParseStaffCSVReportsEveryProblem(t *testing.T) {
	t.Parallel()
	f, err := people.ParseStaffCSV(strings.NewReader(staffCSV(
		"E1,a@example.org,Ana,Silva,,,,,2024-02-30,,",
		"E2,not-an-address,Bo,,,,,,2024-01-31,gone,",
		"E3,c@example.org,Cy,Cole,,,,,2024-01-31,,",
	)))
	if err == nil {
		t.Fatalf("no error; rows %+v", f.Rows)
	}
	var got []string
	for _, p := range importError(t, err).Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Row, p.Column))
	}
	want := []string{"2 hire_date", "3 last_name", "3 email", "3 status"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems at %q, want %q", got, want)
	}
}

func TestParseStaffCSVCapsTheProblems(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := range people.MaxImportProblems + 50 {
		lines = append(lines, fmt.Sprintf("E%d,e%d@example.org,A,B,,,,,yesterday,,", i, i))
	}
	_, err := people.ParseStaffCSV(strings.NewReader(staffCSV(lines...)))
	ie := importError(t, err)
	if len(ie.Problems) != people.MaxImportProblems || ie.More != 50 {
		t.Fatalf("%d problems and %d more, want %d and 50", len(ie.Problems), ie.More, people.MaxImportProblems)
	}
	out := ie.Lines()
	if last := out[len(out)-1]; last != "… and 50 more problems" {
		t.Errorf("last line = %q", last)
	}
	if !strings.Contains(ie.Error(), "250 problems") {
		t.Errorf("Error() = %q, want it to count all 250", ie.Error())
	}
}
