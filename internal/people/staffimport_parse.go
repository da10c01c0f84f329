package people

import (
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	// Time zones are checked against the IANA database built into the
	// binary, so a server without /usr/share/zoneinfo judges them the same.
	_ "time/tzdata"

	"github.com/onramp-lms/onramp/internal/csvimport"
)

// dateExample ends every message about a date, so the fix is always shown.
const dateExample = "use YYYY-MM-DD, e.g. 2024-01-31"

// StaffRecord is one employee as a source gives it, before any check: the
// staff CSV's columns as text. The CSV front end (ParseStaffCSV) makes one
// per row; the JSON API and SCIM build them from their requests.
type StaffRecord struct {
	EmployeeID   string
	Email        string
	FirstName    string
	LastName     string
	Department   string
	JobTitle     string
	Location     string
	ManagerEmail string
	// HireDate is YYYY-MM-DD.
	HireDate string
	// Status is "active", "inactive" or empty (active).
	Status string
	// TimeZone is an IANA name, empty for none; nil leaves an existing
	// employee's zone as it is.
	TimeZone *string
}

// staffSpec is the staff CSV's header, for the CSV front end.
var staffSpec = csvimport.Spec{
	Required:   StaffColumns,
	Optional:   []string{ColumnStatus, ColumnTimeZone},
	EmptyFile:  "the file is empty; its first line must name the columns: " + strings.Join(StaffColumns, ","),
	MissingFix: "the first line must name every column: " + strings.Join(StaffColumns, ",") + " (status and time_zone are optional)",
	NoRows:     "the file has a header but no employees; export the full staff list",
}

// ParseStaffCSV reads a staff CSV and checks every row as CheckStaff does.
// The header decides which column is which (any order, any case, a UTF-8
// byte-order mark tolerated); unknown columns are ignored and listed in
// StaffFile.IgnoredColumns; blank lines are skipped.
//
// Problems in the file come back together as an *ImportError; other errors
// are failures to read r.
func ParseStaffCSV(r io.Reader) (*StaffFile, error) {
	var problems csvimport.Problems
	file := &StaffFile{Numbering: csvimport.File}
	p := newRowParser(file, &problems)
	err := csvimport.ReadCSV(r, staffSpec, &problems, func(h *csvimport.Header) {
		file.IgnoredColumns, file.HasStatus, file.HasTimeZone = h.Ignored, h.Has(ColumnStatus), h.Has(ColumnTimeZone)
	}, func(line int, cell func(string) string) {
		rec := StaffRecord{
			EmployeeID: cell(ColumnEmployeeID), Email: cell(ColumnEmail), FirstName: cell(ColumnFirstName),
			LastName: cell(ColumnLastName), Department: cell(ColumnDepartment), JobTitle: cell(ColumnJobTitle),
			Location: cell(ColumnLocation), ManagerEmail: cell(ColumnManagerEmail), HireDate: cell(ColumnHireDate),
			Status: cell(ColumnStatus),
		}
		if file.HasTimeZone {
			zone := cell(ColumnTimeZone)
			rec.TimeZone = &zone
		}
		p.check(line, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("read staff file: %w", err)
	}
	if err := problems.Err(importSubject); err != nil {
		return nil, err
	}
	return file, nil
}

// CheckStaff checks typed records as ParseStaffCSV checks a file's rows:
// required values, e-mail addresses, dates, statuses, time zones, duplicate
// employee IDs and e-mails, and nobody managing themselves. Rows are
// numbered by n (csvimport.List("employees") for a request's list: record
// i is row i+1, named employees[i] in messages). Every record counts, even
// an empty one. A record without a time zone keeps the employee's.
//
// Problems come back together as an *ImportError. Checks that need the
// database (managers who are not in the list, management loops, e-mails
// already taken) are made by Plan.
func CheckStaff(records []StaffRecord, n csvimport.Numbering) (*StaffFile, error) {
	var problems csvimport.Problems
	file := &StaffFile{Numbering: n, HasStatus: true}
	for _, rec := range records {
		file.HasTimeZone = file.HasTimeZone || rec.TimeZone != nil
	}
	p := newRowParser(file, &problems)
	for i, rec := range records {
		p.check(n.First+i, rec)
	}
	if len(records) == 0 {
		problems.Add(0, "", "", n.Input+" has no employees")
	}
	if err := problems.Err(importSubject); err != nil {
		return nil, err
	}
	return file, nil
}

// firstUse is the first row that used an e-mail address.
type firstUse struct {
	line           int
	employeeNumber string
}

// rowParser checks records one by one and remembers what it has seen so
// duplicates name the earlier row.
type rowParser struct {
	file     *StaffFile
	problems *csvimport.Problems
	// lineOfID and firstOfMail remember the first row of each employee_id
	// and e-mail.
	lineOfID    map[string]int
	firstOfMail map[string]firstUse
	// zones caches time-zone checks: time.LoadLocation reads the database
	// on every call.
	zones map[string]bool
}

func newRowParser(file *StaffFile, problems *csvimport.Problems) *rowParser {
	return &rowParser{file: file, problems: problems, lineOfID: map[string]int{}, firstOfMail: map[string]firstUse{}, zones: map[string]bool{}}
}

// check checks one record and, when it is sound, adds it to the file.
func (p *rowParser) check(line int, rec StaffRecord) {
	c := csvimport.Cells{Row: line, Problems: p.problems}
	name := p.file.Numbering.Name
	row := StaffRow{
		Line:           line,
		EmployeeNumber: c.Text(ColumnEmployeeID, rec.EmployeeID, false),
		Email:          NormalizeEmail(c.Text(ColumnEmail, rec.Email, false)),
		FirstName:      c.Text(ColumnFirstName, rec.FirstName, false),
		LastName:       c.Text(ColumnLastName, rec.LastName, false),
		Department:     c.Text(ColumnDepartment, rec.Department, false),
		JobTitle:       c.Text(ColumnJobTitle, rec.JobTitle, false),
		Location:       c.Text(ColumnLocation, rec.Location, false),
		ManagerEmail:   NormalizeEmail(c.Text(ColumnManagerEmail, rec.ManagerEmail, false)),
		Status:         StatusActive,
	}
	hireDate := c.Text(ColumnHireDate, rec.HireDate, false)
	status := c.Text(ColumnStatus, rec.Status, false)
	if rec.TimeZone != nil {
		row.TimeZone = c.Text(ColumnTimeZone, *rec.TimeZone, false)
	} else {
		row.KeepTimeZone = p.file.HasTimeZone
	}
	if c.Bad {
		return
	}

	c.Required(ColumnEmployeeID, row.EmployeeNumber, "give the employee's ID from the HR system")
	c.Required(ColumnEmail, row.Email, "give the employee's work e-mail address")
	c.Required(ColumnFirstName, row.FirstName, "give the employee's first name")
	c.Required(ColumnLastName, row.LastName, "give the employee's last name")
	c.Required(ColumnHireDate, hireDate, "give the date the employee was hired; "+dateExample)
	if row.Email != "" && !bareEmail(row.Email) {
		c.Report(ColumnEmail, row.Email, fmt.Sprintf("%q is not an e-mail address; write it as name@example.org", row.Email))
	}
	if row.ManagerEmail != "" && !bareEmail(row.ManagerEmail) {
		c.Report(ColumnManagerEmail, row.ManagerEmail, fmt.Sprintf("%q is not an e-mail address; write the manager's address as name@example.org, or leave it empty", row.ManagerEmail))
	} else if row.ManagerEmail != "" && row.ManagerEmail == row.Email {
		c.Report(ColumnManagerEmail, row.ManagerEmail, fmt.Sprintf("%q is the employee's own e-mail, and nobody manages themselves; give their manager's e-mail or leave it empty", row.ManagerEmail))
	}
	if hireDate != "" {
		d, err := time.Parse(time.DateOnly, hireDate)
		if err != nil {
			c.Report(ColumnHireDate, hireDate, fmt.Sprintf("%q is not a date; %s", hireDate, dateExample))
		}
		row.HireDate = d
	}
	switch strings.ToLower(status) {
	case "", string(StatusActive):
	case string(StatusInactive):
		row.Status = StatusInactive
	default:
		c.Report(ColumnStatus, status, fmt.Sprintf("%q is not a status; use active or inactive (empty means active)", status))
	}
	if row.TimeZone != "" && !p.validZone(row.TimeZone) {
		c.Report(ColumnTimeZone, row.TimeZone, fmt.Sprintf("%q is not a time zone; use an IANA name such as Europe/London or America/New_York, or leave it empty", row.TimeZone))
	}
	if row.EmployeeNumber != "" {
		if first, dup := p.lineOfID[row.EmployeeNumber]; dup {
			c.Report(ColumnEmployeeID, row.EmployeeNumber, fmt.Sprintf("%q is also on %s; each employee must appear once, so remove or merge one of the two rows", row.EmployeeNumber, name(first)))
		} else {
			p.lineOfID[row.EmployeeNumber] = line
		}
	}
	if row.Email != "" {
		if first, dup := p.firstOfMail[row.Email]; dup {
			c.Report(ColumnEmail, row.Email, fmt.Sprintf("%q is also on %s (employee_id %s); two employees cannot share an e-mail address, so correct one of them", row.Email, name(first.line), first.employeeNumber))
		} else {
			p.firstOfMail[row.Email] = firstUse{line, row.EmployeeNumber}
		}
	}
	if !c.Bad {
		p.file.Rows = append(p.file.Rows, row)
	}
}

func (p *rowParser) validZone(name string) bool {
	ok, seen := p.zones[name]
	if !seen {
		// "Local" is the server's zone, not a place; it means nothing to
		// the employee.
		_, err := time.LoadLocation(name)
		ok = err == nil && name != "Local"
		p.zones[name] = ok
	}
	return ok
}

// bareEmail reports whether s is a plain address (no display name, no
// angle brackets) with a dotted domain.
func bareEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	// Nearly every address is a plain dot-atom, which net/mail accepts;
	// checking those directly spares 100,000 parses. The rest (quoted
	// local parts, unusual characters) go to net/mail.
	if dotAtom(s[:at], "!#$%&'*+/=?^_`{|}~-") && dotAtom(domain, "-") {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// dotAtom reports whether s is ASCII letters, digits and the given
// symbols in dot-separated, non-empty parts.
func dotAtom(s, symbols string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || strings.IndexByte(symbols, c) >= 0) {
			return false
		}
	}
	return true
}
