package cli_test

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16LE is text as Excel's "Unicode Text" saves it: UTF-16, little-endian,
// with a byte-order mark.
func utf16LE(text string) string {
	var b strings.Builder
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(text))...) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

// TestImportsNameUTF16Files: both importers say that a UTF-16 file is
// UTF-16 and how to save it, and import nothing.
func TestImportsNameUTF16Files(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	want := `the file is UTF-16 text (Excel's "Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" in Excel and import it again`
	staff := writeFile(t, "staff.txt", utf16LE("employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n"+
		"E3,cy@example.org,Cy,Clerk,Nursing,Registered Nurse,North,,2024-01-01\n"))
	history := writeFile(t, "history.txt", utf16LE("employee_id,course,completed_at\nE1,basic,2025-01-01\n"))
	for _, args := range [][]string{{"employees", "import", staff}, {"completions", "import", history}} {
		res := r.run(args...)
		wantErr := "onramp: " + args[2] + " has 1 problem:\n" + want + "\nNothing was imported.\n"
		if res.code != 65 || res.stderr != wantErr {
			t.Errorf("%s: exit %d\n%s\nwant:\n%s", args[0], res.code, res.stderr, wantErr)
		}
	}
	if cs := r.cycles(r.ada.ID); len(cs) != 0 {
		t.Errorf("%d cycles recorded", len(cs))
	}
}

// TestEmployeesImportRefreshesTheReport: the command line brings the report
// standings of the people it imports up to date, as HR's page and the API
// do, so a new hire's course shows in the reports at once.
func TestEmployeesImportRefreshesTheReport(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	staff := writeFile(t, "staff.csv", "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n"+
		"E3,cy@example.org,Cy,Clerk,Nursing,Registered Nurse,North,,2024-01-01\n")
	if res := r.run("employees", "import", staff); res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	var rows []struct{ CourseID, Status string }
	err := r.db.Raw(`SELECT s.course_id, s.status FROM compliance_status s JOIN employees e ON e.id = s.employee_id
		WHERE e.employee_number = 'E3'`).Scan(&rows).Error
	if err != nil || len(rows) != 1 || rows[0].CourseID != "basic" || rows[0].Status != "not_started" {
		t.Errorf("report standings of the new hire: %+v, %v", rows, err)
	}
}
