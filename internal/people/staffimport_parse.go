package people

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	// Time zones are checked against the IANA database built into the
	// binary, so a server without /usr/share/zoneinfo judges them the same.
	_ "time/tzdata"

	"github.com/onramp-lms/onramp/internal/csvtext"
)

// dateExample ends every message about a date, so the fix is always shown.
const dateExample = "use YYYY-MM-DD, e.g. 2024-01-31"

// ParseStaffCSV reads a staff CSV and checks every row on its own and
// against the others: required values, e-mail addresses, dates, statuses,
// time zones, duplicate employee IDs and e-mails, and nobody managing
// themselves. The header decides which column is which (any order, any
// case, a UTF-8 byte-order mark tolerated); unknown columns are ignored and
// listed in StaffFile.IgnoredColumns.
//
// Problems in the file come back together as an *ImportError; other errors
// are failures to read r. Checks that need the database (managers who are
// not in the file, management loops through people not in the file, e-mails
// already taken) are made by Plan.
func ParseStaffCSV(r io.Reader) (*StaffFile, error) {
	var problems problemList
	br, isUTF16 := csvtext.Open(r)
	if isUTF16 {
		problems.add(0, "", "", csvtext.UTF16Message)
		return nil, problems.err()
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short or long row is reported, not fatal
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problems.add(1, "", "", "the file is empty; its first line must name the columns: "+strings.Join(StaffColumns, ","))
		return nil, problems.err()
	}
	if err != nil {
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			problems.add(pe.StartLine, "", "", csvSyntaxMessage(pe))
			return nil, problems.err()
		}
		return nil, fmt.Errorf("read staff file: %w", err)
	}
	file := &StaffFile{}
	cols, ok := readStaffHeader(header, file, &problems)
	if !ok {
		return nil, problems.err()
	}

	p := &rowParser{
		cols:        cols,
		width:       len(header),
		file:        file,
		problems:    &problems,
		lineOfID:    map[string]int{},
		firstOfMail: map[string]firstUse{},
		zones:       map[string]bool{},
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				// After a quoting error the reader cannot tell where the
				// next row starts, so the rows after it are not checked.
				problems.add(pe.StartLine, "", "", csvSyntaxMessage(pe))
				break
			}
			return nil, fmt.Errorf("read staff file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p.parse(line, rec)
	}
	if problems.empty() && len(file.Rows) == 0 {
		problems.add(2, "", "", "the file has a header but no employees; export the full staff list")
	}
	if err := problems.err(); err != nil {
		return nil, err
	}
	return file, nil
}

// staffColumnIndex maps each known column to its position in the file
// (-1 when absent).
type staffColumnIndex map[string]int

// readStaffHeader maps the header's names to columns, recording ignored and
// optional columns in file. It reports missing and repeated columns.
func readStaffHeader(header []string, file *StaffFile, problems *problemList) (staffColumnIndex, bool) {
	known := map[string]bool{ColumnStatus: true, ColumnTimeZone: true}
	for _, c := range StaffColumns {
		known[c] = true
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		problems.add(1, "", header[0], "the columns are separated by semicolons or tabs; save the file as CSV with commas between the columns")
		return nil, false
	}
	cols := staffColumnIndex{}
	ok := true
	for i, raw := range header {
		name := normaliseColumnName(raw)
		if !known[name] {
			if name != "" {
				file.IgnoredColumns = append(file.IgnoredColumns, strings.TrimSpace(raw))
			}
			continue
		}
		if first, dup := cols[name]; dup {
			problems.add(1, name, strings.TrimSpace(raw), fmt.Sprintf("appears twice in the header (columns %d and %d); keep only one", first+1, i+1))
			ok = false
			continue
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range StaffColumns {
		if _, found := cols[c]; !found {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		what := "is missing from the header"
		if len(missing) > 1 {
			what = "are missing from the header"
		}
		problems.add(1, strings.Join(missing, ", "), "", what+"; the first line must name every column: "+strings.Join(StaffColumns, ",")+" (status and time_zone are optional)")
		ok = false
	}
	_, file.HasStatus = cols[ColumnStatus]
	_, file.HasTimeZone = cols[ColumnTimeZone]
	return cols, ok
}

// normaliseColumnName makes " Employee ID" and "employee-id" both read as
// employee_id.
func normaliseColumnName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

func csvSyntaxMessage(pe *csv.ParseError) string {
	return fmt.Sprintf("is not valid CSV (%v); put values that contain commas or quotes in double quotes, and double any quote inside them", pe.Err)
}

// firstUse is the first row that used an e-mail address.
type firstUse struct {
	line           int
	employeeNumber string
}

// rowParser checks data rows one by one and remembers what it has seen so
// duplicates name the earlier row.
type rowParser struct {
	cols     staffColumnIndex
	width    int
	file     *StaffFile
	problems *problemList
	// lineOfID and firstOfMail remember the first row of each employee_id
	// and e-mail.
	lineOfID    map[string]int
	firstOfMail map[string]firstUse
	// zones caches time-zone checks: time.LoadLocation reads the database
	// on every call.
	zones map[string]bool
}

// parse checks one data row and, when it is sound, adds it to the file.
func (p *rowParser) parse(line int, rec []string) {
	if blankRecord(rec) {
		// Spreadsheets export empty rows as a line of commas.
		return
	}
	if len(rec) != p.width {
		p.problems.add(line, "", "", fmt.Sprintf("has %d values but the header has %d columns; check for a missing or extra comma, and quote values that contain commas", len(rec), p.width))
		return
	}
	bad := false
	report := func(column, value, message string) {
		p.problems.add(line, column, value, message)
		bad = true
	}
	cell := func(column string) string {
		i, ok := p.cols[column]
		if !ok {
			return ""
		}
		v := strings.TrimSpace(rec[i])
		if !utf8.ValidString(v) {
			report(column, strings.ToValidUTF8(v, "\uFFFD"), "is not UTF-8 text; save the file as \"CSV UTF-8\"")
			return ""
		}
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			report(column, v, "contains a control character (such as a line break or tab); remove it")
			return ""
		}
		return v
	}
	row := StaffRow{
		Line:           line,
		EmployeeNumber: cell(ColumnEmployeeID),
		Email:          NormalizeEmail(cell(ColumnEmail)),
		FirstName:      cell(ColumnFirstName),
		LastName:       cell(ColumnLastName),
		Department:     cell(ColumnDepartment),
		JobTitle:       cell(ColumnJobTitle),
		Location:       cell(ColumnLocation),
		ManagerEmail:   NormalizeEmail(cell(ColumnManagerEmail)),
		Status:         StatusActive,
	}
	hireDate := cell(ColumnHireDate)
	status := cell(ColumnStatus)
	row.TimeZone = cell(ColumnTimeZone)
	if bad {
		return
	}

	required := []struct{ column, value, fix string }{
		{ColumnEmployeeID, row.EmployeeNumber, "give the employee's ID from the HR system"},
		{ColumnEmail, row.Email, "give the employee's work e-mail address"},
		{ColumnFirstName, row.FirstName, "give the employee's first name"},
		{ColumnLastName, row.LastName, "give the employee's last name"},
		{ColumnHireDate, hireDate, "give the date the employee was hired; " + dateExample},
	}
	for _, r := range required {
		if r.value == "" {
			report(r.column, "", "is empty; "+r.fix)
		}
	}
	if row.Email != "" && !bareEmail(row.Email) {
		report(ColumnEmail, row.Email, fmt.Sprintf("%q is not an e-mail address; write it as name@example.org", row.Email))
	}
	if row.ManagerEmail != "" && !bareEmail(row.ManagerEmail) {
		report(ColumnManagerEmail, row.ManagerEmail, fmt.Sprintf("%q is not an e-mail address; write the manager's address as name@example.org, or leave it empty", row.ManagerEmail))
	} else if row.ManagerEmail != "" && row.ManagerEmail == row.Email {
		report(ColumnManagerEmail, row.ManagerEmail, fmt.Sprintf("%q is the employee's own e-mail, and nobody manages themselves; give their manager's e-mail or leave it empty", row.ManagerEmail))
	}
	if hireDate != "" {
		d, err := time.Parse(time.DateOnly, hireDate)
		if err != nil {
			report(ColumnHireDate, hireDate, fmt.Sprintf("%q is not a date; %s", hireDate, dateExample))
		}
		row.HireDate = d
	}
	switch strings.ToLower(status) {
	case "", string(StatusActive):
	case string(StatusInactive):
		row.Status = StatusInactive
	default:
		report(ColumnStatus, status, fmt.Sprintf("%q is not a status; use active or inactive (empty means active)", status))
	}
	if row.TimeZone != "" && !p.validZone(row.TimeZone) {
		report(ColumnTimeZone, row.TimeZone, fmt.Sprintf("%q is not a time zone; use an IANA name such as Europe/London or America/New_York, or leave it empty", row.TimeZone))
	}
	if row.EmployeeNumber != "" {
		if first, dup := p.lineOfID[row.EmployeeNumber]; dup {
			report(ColumnEmployeeID, row.EmployeeNumber, fmt.Sprintf("%q is also on row %d; each employee must appear once, so remove or merge one of the two rows", row.EmployeeNumber, first))
		} else {
			p.lineOfID[row.EmployeeNumber] = line
		}
	}
	if row.Email != "" {
		if first, dup := p.firstOfMail[row.Email]; dup {
			report(ColumnEmail, row.Email, fmt.Sprintf("%q is also on row %d (employee_id %s); two employees cannot share an e-mail address, so correct one of them", row.Email, first.line, first.employeeNumber))
		} else {
			p.firstOfMail[row.Email] = firstUse{line, row.EmployeeNumber}
		}
	}
	if !bad {
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

func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
