package people

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Details are what HR types in about a person on the add and edit forms.
// Fields are named like the staff CSV's columns, and so are their errors.
type Details struct {
	EmployeeNumber string
	Email          string
	FirstName      string
	LastName       string
	Department     string
	JobTitle       string
	Location       string
	// ManagerEmail is the manager's e-mail; empty for nobody.
	ManagerEmail string
	// HireDate is YYYY-MM-DD, or empty when unknown.
	HireDate string
	// TimeZone is an IANA name, or empty for the organisation's.
	TimeZone string
	Role     Role
}

// FieldRole names the role field in a DetailsError (the rest are CSV columns).
const FieldRole = "role"

// DetailsFields lists the fields of Details in the order the form shows them.
var DetailsFields = []string{
	ColumnFirstName, ColumnLastName, ColumnEmail, ColumnEmployeeID, ColumnDepartment, ColumnJobTitle,
	ColumnLocation, ColumnManagerEmail, ColumnHireDate, ColumnTimeZone, FieldRole,
}

// maxDetailLength caps every text field: longer is a paste gone wrong.
const maxDetailLength = 200

// DetailsError says what is wrong with a person's details, field by field.
// Nothing was saved when it is returned.
type DetailsError struct {
	// Fields maps a field (see DetailsFields) to what to fix, in a sentence.
	Fields map[string]string
}

func (e *DetailsError) Error() string {
	var parts []string
	for _, f := range DetailsFields {
		if m, ok := e.Fields[f]; ok {
			parts = append(parts, f+": "+m)
		}
	}
	return "the person's details have problems: " + strings.Join(parts, "; ")
}

// DetailsOf returns e's details as the edit form starts with them; tx finds
// the manager's e-mail.
func DetailsOf(tx *gorm.DB, e *Employee) (Details, error) {
	d := Details{
		Email: e.Email, FirstName: e.FirstName, LastName: e.LastName, Department: e.Department,
		JobTitle: e.JobTitle, Location: e.Location, TimeZone: e.TimeZone, Role: e.Role,
	}
	if e.EmployeeNumber != nil {
		d.EmployeeNumber = *e.EmployeeNumber
	}
	if e.HireDate != nil {
		d.HireDate = e.HireDate.UTC().Format(time.DateOnly)
	}
	if e.ManagerID != nil {
		var m Employee
		if err := tx.Select("email").Where("id = ?", *e.ManagerID).Take(&m).Error; err != nil {
			return d, fmt.Errorf("load manager of %s: %w", e.ID, err)
		}
		d.ManagerEmail = m.Email
	}
	return d, nil
}

// checkDetails tidies d and checks it inside tx for the employee current
// (nil when adding one). It returns the employee as they would be saved,
// or a *DetailsError.
func checkDetails(tx *gorm.DB, d Details, current *Employee) (*Employee, error) {
	problems := map[string]string{}
	text := func(field, value, label string, required bool) string {
		v := strings.Join(strings.Fields(value), " ")
		switch {
		case v == "" && required:
			problems[field] = "Enter the " + label + "."
		case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
			problems[field] = "The " + label + " contains a character that cannot be stored; type it again."
		case utf8.RuneCountInString(v) > maxDetailLength:
			problems[field] = fmt.Sprintf("The %s is longer than %d characters; shorten it.", label, maxDetailLength)
		}
		return v
	}
	after := &Employee{Status: StatusActive}
	if current != nil {
		*after = *current
	}
	after.FirstName = text(ColumnFirstName, d.FirstName, "first name", true)
	after.LastName = text(ColumnLastName, d.LastName, "last name", true)
	after.Department = text(ColumnDepartment, d.Department, "department", false)
	after.JobTitle = text(ColumnJobTitle, d.JobTitle, "job title", false)
	after.Location = text(ColumnLocation, d.Location, "location", false)
	number := text(ColumnEmployeeID, d.EmployeeNumber, "employee ID", false)
	after.EmployeeNumber = nil
	if number != "" {
		after.EmployeeNumber = &number
	}

	after.Email = NormalizeEmail(d.Email)
	switch {
	case after.Email == "":
		problems[ColumnEmail] = "Enter the person's work e-mail address, like name@example.org."
	case !bareEmail(after.Email) || len(after.Email) > maxDetailLength:
		problems[ColumnEmail] = fmt.Sprintf("%q is not an e-mail address; write it like name@example.org.", after.Email)
	}

	after.HireDate = nil
	if hd := strings.TrimSpace(d.HireDate); hd != "" {
		t, err := time.Parse(time.DateOnly, hd)
		if err != nil {
			problems[ColumnHireDate] = fmt.Sprintf("%q is not a date; %s, or leave it empty.", hd, dateExample)
		} else {
			after.HireDate = &t
		}
	}
	after.TimeZone = strings.TrimSpace(d.TimeZone)
	if after.TimeZone != "" {
		if _, err := time.LoadLocation(after.TimeZone); err != nil || after.TimeZone == "Local" {
			problems[ColumnTimeZone] = fmt.Sprintf("%q is not a time zone; use an IANA name such as Europe/London, or leave it empty for the organisation's.", after.TimeZone)
		}
	}
	switch d.Role {
	case RoleLearner, RoleManager, RoleHRAdmin:
		after.Role = d.Role
	default:
		problems[FieldRole] = "Choose a role: learner, manager or HR admin."
	}

	id := ""
	if current != nil {
		id = current.ID
	}
	if problems[ColumnEmail] == "" && after.Email != "" {
		if other, err := otherWith(tx, "email", after.Email, id); err != nil {
			return nil, err
		} else if other != nil {
			problems[ColumnEmail] = fmt.Sprintf("%s is already the e-mail address of %s; each person needs their own.", after.Email, describe(other))
		}
	}
	if problems[ColumnEmployeeID] == "" && number != "" {
		if other, err := otherWith(tx, "employee_number", number, id); err != nil {
			return nil, err
		} else if other != nil {
			problems[ColumnEmployeeID] = fmt.Sprintf("Employee ID %s already belongs to %s; each person has their own.", number, describe(other))
		}
	}
	if msg, err := checkManager(tx, d.ManagerEmail, after, id); err != nil {
		return nil, err
	} else if msg != "" {
		problems[ColumnManagerEmail] = msg
	}
	if problems[FieldRole] == "" && current != nil && current.Role == RoleHRAdmin && after.Role != RoleHRAdmin && current.Active() {
		last, err := lastActiveHRAdmin(tx, current.ID)
		if err != nil {
			return nil, err
		}
		if last {
			problems[FieldRole] = current.FullName() + " is the only active HR admin; make someone else an HR admin first, or nobody could manage Onramp."
		}
	}
	if len(problems) > 0 {
		return nil, &DetailsError{Fields: problems}
	}
	return after, nil
}

// checkManager resolves the manager's e-mail into after.ManagerID and
// returns what is wrong with it, if anything.
func checkManager(tx *gorm.DB, email string, after *Employee, id string) (string, error) {
	email = NormalizeEmail(email)
	after.ManagerID = nil
	if email == "" {
		return "", nil
	}
	if email == after.Email {
		return "Nobody manages themselves; give their manager's e-mail, or leave it empty.", nil
	}
	var m Employee
	err := tx.Select("id, email, first_name, last_name, status, manager_id").Where("email = ?", email).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Sprintf("Nobody in Onramp has the e-mail %s; add the manager first, correct the address, or leave it empty.", email), nil
	}
	if err != nil {
		return "", fmt.Errorf("load manager %s: %w", email, err)
	}
	if m.ID == id {
		return "Nobody manages themselves; give their manager's e-mail, or leave it empty.", nil
	}
	if !m.Active() {
		return fmt.Sprintf("%s is inactive; name an active manager, or leave it empty.", describe(&m)), nil
	}
	// Follow the manager's own managers: reaching this person would make a
	// loop, where nobody is at the top.
	if id != "" {
		chain := []string{m.FullName()}
		seen := map[string]bool{m.ID: true}
		next := m.ManagerID
		for next != nil && !seen[*next] {
			if *next == id {
				return fmt.Sprintf("%s is managed by this person (%s → %s), so this would make a management loop; choose someone else.",
					m.FullName(), strings.Join(chain, " → "), after.FullName()), nil
			}
			seen[*next] = true
			var up Employee
			if err := tx.Select("id, first_name, last_name, manager_id").Where("id = ?", *next).Take(&up).Error; err != nil {
				return "", fmt.Errorf("follow the managers of %s: %w", m.Email, err)
			}
			chain = append(chain, up.FullName())
			next = up.ManagerID
		}
	}
	after.ManagerID = &m.ID
	return "", nil
}

// otherWith returns the employee other than id whose column holds value.
func otherWith(tx *gorm.DB, column, value, id string) (*Employee, error) {
	var others []Employee
	q := tx.Select("id, employee_number, email, first_name, last_name").Where(column+" = ?", value)
	if id != "" {
		q = q.Where("id <> ?", id)
	}
	if err := q.Limit(1).Find(&others).Error; err != nil {
		return nil, fmt.Errorf("look for another employee with that %s: %w", column, err)
	}
	if len(others) == 0 {
		return nil, nil
	}
	return &others[0], nil
}

// describe names an employee in a message: "Ana Smith (employee ID E12)".
func describe(e *Employee) string {
	if e.EmployeeNumber != nil && *e.EmployeeNumber != "" {
		return fmt.Sprintf("%s (employee ID %s)", e.FullName(), *e.EmployeeNumber)
	}
	return fmt.Sprintf("%s (%s)", e.FullName(), e.Email)
}

// lastActiveHRAdmin reports whether id is the only active HR admin. On
// PostgreSQL the HR admins' rows are locked until tx ends, so two admins
// demoting each other at once cannot both succeed.
func lastActiveHRAdmin(tx *gorm.DB, id string) (bool, error) {
	q := tx.Model(&Employee{}).Select("id").Where("role = ? AND status = ?", RoleHRAdmin, StatusActive)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var ids []string
	if err := q.Find(&ids).Error; err != nil {
		return false, fmt.Errorf("count HR admins: %w", err)
	}
	return len(ids) == 0 || (len(ids) == 1 && ids[0] == id), nil
}

// detailChanges lists what differs between before and after, as the staff
// CSV's columns (and role) name it; managerEmail maps a manager's ID to
// their e-mail.
func detailChanges(before, after *Employee, managerEmail func(*string) string) []FieldChange {
	var out []FieldChange
	add := func(field, old, new string) {
		if old != new {
			out = append(out, FieldChange{Field: field, Old: old, New: new})
		}
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.DateOnly)
	}
	add(ColumnEmployeeID, deref(before.EmployeeNumber), deref(after.EmployeeNumber))
	add(ColumnEmail, before.Email, after.Email)
	add(ColumnFirstName, before.FirstName, after.FirstName)
	add(ColumnLastName, before.LastName, after.LastName)
	add(ColumnDepartment, before.Department, after.Department)
	add(ColumnJobTitle, before.JobTitle, after.JobTitle)
	add(ColumnLocation, before.Location, after.Location)
	if deref(before.ManagerID) != deref(after.ManagerID) {
		out = append(out, FieldChange{Field: ColumnManagerEmail, Old: managerEmail(before.ManagerID), New: managerEmail(after.ManagerID)})
	}
	add(ColumnHireDate, day(before.HireDate), day(after.HireDate))
	add(ColumnTimeZone, before.TimeZone, after.TimeZone)
	add(FieldRole, string(before.Role), string(after.Role))
	return slices.Clip(out)
}
