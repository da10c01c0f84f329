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
	"time"

	"github.com/onramp-lms/onramp/internal/csvimport"
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
	// Line is the row's number as StaffFile.Numbering counts it: its line
	// in a file (the header is line 1), or its place in a list from 1.
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
	// has a time_zone column (StaffFile.HasTimeZone) and the row does not
	// say KeepTimeZone.
	TimeZone string
	// KeepTimeZone leaves an existing employee's time zone as it is (a
	// record without one, in a list where others have one).
	KeepTimeZone bool
}

// StaffFile is a checked staff list, from a CSV file (ParseStaffCSV) or
// typed records (CheckStaff): its rows and what its header held.
type StaffFile struct {
	Rows []StaffRow
	// Numbering is how the rows are numbered and named in problems: a
	// file's lines, or a request's list.
	Numbering csvimport.Numbering
	// IgnoredColumns are header names Onramp does not use, as written.
	IgnoredColumns []string
	// HasStatus is true when the file has a status column. Without one,
	// everybody in the file is active.
	HasStatus bool
	// HasTimeZone is true when the file has a time_zone column. Without
	// one, the import leaves existing employees' time zones alone.
	HasTimeZone bool
}

// RowProblem is one thing wrong with the staff list, with the fix in its
// message: its row (as the list's Numbering counts it; 0 for the list as a
// whole), column, value as written, and message.
type RowProblem = csvimport.Problem

// MaxImportProblems is how many problems an ImportError lists; the rest
// are only counted.
const MaxImportProblems = csvimport.MaxProblems

// ImportError says why a staff list cannot be imported, problem by
// problem (sorted by row). Nothing was written when it is returned.
type ImportError = csvimport.Error

// importSubject names the staff list in an ImportError's text.
const importSubject = "staff file"

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
