package people

// The staff import takes the CSV an HR system exports and brings the
// employees table in line with it, all or nothing, in three steps that the
// command line and the HR page share:
//
//	file, err := ParseStaffCSV(r)          // read and check every row
//	plan, err := Plan(ctx, d, file, opts)  // compare with the database
//	res, err := Apply(ctx, d, plan, now)   // write exactly the plan
//
// A dry run stops after Plan and shows the plan; Apply writes the very
// records the plan holds, so what the dry run shows is what gets applied.
// None of the three prints anything: problems come back as *ImportError,
// one RowProblem per bad cell, for the caller to show.

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The staff CSV's columns. Every file must have the first nine in its
// header, in any order; status and time_zone are optional.
const (
	ColumnEmployeeID   = "employee_id"
	ColumnEmail        = "email"
	ColumnFirstName    = "first_name"
	ColumnLastName     = "last_name"
	ColumnDepartment   = "department"
	ColumnJobTitle     = "job_title"
	ColumnLocation     = "location"
	ColumnManagerEmail = "manager_email"
	ColumnHireDate     = "hire_date"
	ColumnStatus       = "status"
	ColumnTimeZone     = "time_zone"
)

// StaffColumns lists the staff CSV's required columns in the order an
// example file shows them.
var StaffColumns = []string{
	ColumnEmployeeID, ColumnEmail, ColumnFirstName, ColumnLastName, ColumnDepartment,
	ColumnJobTitle, ColumnLocation, ColumnManagerEmail, ColumnHireDate,
}

// StaffRow is one checked row of the staff CSV.
type StaffRow struct {
	// Line is the row's line number in the file; the header is line 1.
	Line int
	// EmployeeNumber is the HR system's ID, the CSV's employee_id.
	EmployeeNumber string
	// Email is normalised: trimmed and lower-case.
	Email      string
	FirstName  string
	LastName   string
	Department string
	JobTitle   string
	Location   string
	// ManagerEmail is normalised like Email; empty for nobody.
	ManagerEmail string
	// HireDate is a calendar date, at midnight UTC.
	HireDate time.Time
	// Status is active unless the row says inactive.
	Status Status
	// TimeZone is an IANA name or empty; it is only applied when the file
	// has a time_zone column (StaffFile.HasTimeZone).
	TimeZone string
}

// StaffFile is a parsed staff CSV: its rows and what its header held.
type StaffFile struct {
	Rows []StaffRow
	// IgnoredColumns are header names Onramp does not use, as written.
	IgnoredColumns []string
	// HasStatus is true when the file has a status column. Without one,
	// everybody in the file is active.
	HasStatus bool
	// HasTimeZone is true when the file has a time_zone column. Without
	// one, the import leaves existing employees' time zones alone.
	HasTimeZone bool
}

// RowProblem is one thing wrong with the staff file, with the fix in its
// message.
type RowProblem struct {
	// Row is the line number in the file (the header is 1), or 0 for a
	// problem of the file as a whole.
	Row int
	// Column is the column's name, or "" for the whole row.
	Column string
	// Value is the cell as written, trimmed.
	Value string
	// Message says what is wrong and how to fix it.
	Message string
}

// String formats the problem as "row 14, column hire_date: message".
func (p RowProblem) String() string {
	switch {
	case p.Row == 0:
		return p.Message
	case p.Column == "":
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	case strings.Contains(p.Column, ","):
		return fmt.Sprintf("row %d, columns %s: %s", p.Row, p.Column, p.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// MaxImportProblems is how many problems an ImportError lists; the rest
// are only counted.
const MaxImportProblems = 200

// ImportError says why a staff file cannot be imported. Nothing was
// written when it is returned.
type ImportError struct {
	// Problems are sorted by row, at most MaxImportProblems of them.
	Problems []RowProblem
	// More counts the problems found beyond Problems.
	More int
}

func (e *ImportError) Error() string {
	n := len(e.Problems) + e.More
	if n == 1 {
		return "staff file: " + e.Problems[0].String()
	}
	return fmt.Sprintf("staff file has %d problems; the first is %s", n, e.Problems[0])
}

// Lines returns one line per problem, and a last "… and N more problems"
// line when some were left out.
func (e *ImportError) Lines() []string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if e.More > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more %s", e.More, plural(e.More, "problem", "problems")))
	}
	return lines
}

// problemList collects problems up to MaxImportProblems and counts the rest.
type problemList struct {
	list []RowProblem
	more int
}

func (l *problemList) add(row int, column, value, message string) {
	if len(l.list) >= MaxImportProblems {
		l.more++
		return
	}
	l.list = append(l.list, RowProblem{Row: row, Column: column, Value: value, Message: message})
}

func (l *problemList) empty() bool { return len(l.list) == 0 && l.more == 0 }

// err returns the problems as an *ImportError sorted by row, or nil.
func (l *problemList) err() error {
	if l.empty() {
		return nil
	}
	sort.SliceStable(l.list, func(i, j int) bool { return l.list[i].Row < l.list[j].Row })
	return &ImportError{Problems: l.list, More: l.more}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
