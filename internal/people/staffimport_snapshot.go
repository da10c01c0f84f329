package people

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// staffRecord is what the import reads and writes of one employee. It is
// both the "before" loaded from the database and the "after" a plan holds.
type staffRecord struct {
	ID string
	// EmployeeNumber is "" when the employee has none (NULL).
	EmployeeNumber string
	Email          string
	FirstName      string
	LastName       string
	Department     string
	JobTitle       string
	Location       string
	// ManagerID is "" for nobody (NULL).
	ManagerID string
	// HireDate is YYYY-MM-DD, or "" when unknown (NULL).
	HireDate      string
	Status        Status
	TimeZone      string
	Role          Role
	DeactivatedAt *time.Time
}

func (r *staffRecord) name() string { return strings.TrimSpace(r.FirstName + " " + r.LastName) }

// staffSnapshot is every employee as Plan saw them, indexed for matching.
type staffSnapshot struct {
	records  []staffRecord
	byID     map[string]int
	byNumber map[string]int
	byEmail  map[string]int
	// fingerprint is a hash of every record, in ID order: Apply refuses a
	// plan whose database has changed since.
	fingerprint [sha256.Size]byte
}

// staffSnapshotSQL selects only the columns the import compares; password
// hashes and timestamps other than deactivated_at stay out of it.
const staffSnapshotSQL = `SELECT id, employee_number, email, first_name, last_name, department, job_title,
location, manager_id, hire_date, status, time_zone, role, deactivated_at FROM employees ORDER BY id`

// loadStaffSnapshot reads every employee in one query.
func loadStaffSnapshot(q *gorm.DB) (*staffSnapshot, error) {
	rows, err := q.Raw(staffSnapshotSQL).Rows()
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	defer rows.Close()
	s := &staffSnapshot{byID: map[string]int{}, byNumber: map[string]int{}, byEmail: map[string]int{}}
	hash := sha256.New()
	var buf []byte
	for rows.Next() {
		var (
			r                 staffRecord
			number, managerID sql.NullString
			hireDate, deact   any
			status, role      string
		)
		if err := rows.Scan(&r.ID, &number, &r.Email, &r.FirstName, &r.LastName, &r.Department, &r.JobTitle,
			&r.Location, &managerID, &hireDate, &status, &r.TimeZone, &role, &deact); err != nil {
			return nil, fmt.Errorf("load employees: %w", err)
		}
		r.EmployeeNumber, r.ManagerID = number.String, managerID.String
		r.Status, r.Role = Status(status), Role(role)
		if r.HireDate, err = civilDate(hireDate); err != nil {
			return nil, fmt.Errorf("load employee %s: hire_date: %w", r.ID, err)
		}
		if r.DeactivatedAt, err = instant(deact); err != nil {
			return nil, fmt.Errorf("load employee %s: deactivated_at: %w", r.ID, err)
		}
		// One buffer per row keeps hashing 100,000 employees cheap.
		buf = buf[:0]
		for _, f := range []string{r.ID, number.String, r.Email, r.FirstName, r.LastName, r.Department,
			r.JobTitle, r.Location, r.ManagerID, r.HireDate, status, r.TimeZone, role} {
			buf = append(append(buf, f...), 0)
		}
		buf = strconv.AppendBool(buf, number.Valid)
		if r.DeactivatedAt != nil {
			buf = r.DeactivatedAt.UTC().AppendFormat(buf, time.RFC3339Nano)
		}
		buf = append(buf, '\n')
		hash.Write(buf)
		i := len(s.records)
		s.records = append(s.records, r)
		s.byID[r.ID] = i
		if r.EmployeeNumber != "" {
			s.byNumber[r.EmployeeNumber] = i
		}
		s.byEmail[r.Email] = i
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	copy(s.fingerprint[:], hash.Sum(nil))
	return s, nil
}

// civilDate turns a DATE as a driver returns it into YYYY-MM-DD. The date is
// the value's own calendar day: SQLite and PostgreSQL both hand back
// midnight UTC for what was stored as a date.
func civilDate(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		return v.Format(time.DateOnly), nil
	case string:
		return dateText(v)
	case []byte:
		return dateText(string(v))
	}
	return "", fmt.Errorf("unexpected %T", v)
}

func dateText(s string) (string, error) {
	if len(s) >= 10 {
		if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return s[:10], nil
		}
	}
	return "", fmt.Errorf("%q is not a date", s)
}

// instant turns a TIMESTAMP as a driver returns it into a time.
func instant(v any) (*time.Time, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return &v, nil
	case string, []byte:
		s := fmt.Sprintf("%s", v)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
			if t, err := time.Parse(layout, s); err == nil {
				return &t, nil
			}
		}
		return nil, fmt.Errorf("%q is not a time", s)
	}
	return nil, fmt.Errorf("unexpected %T", v)
}
