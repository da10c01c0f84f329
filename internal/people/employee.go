package people

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// Role is what a person may do in Onramp.
type Role string

// The roles, from least to most privileged.
const (
	RoleLearner Role = "learner"
	RoleManager Role = "manager"
	RoleHRAdmin Role = "hr_admin"
)

// Status says whether an employee is still with the organisation.
type Status string

// The statuses.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
)

// ErrNotFound is returned when no employee matches.
var ErrNotFound = apperr.New(apperr.NotFound, "Nobody in Onramp has this address. Go back to the list of people.")

// Employee is one person in the organisation.
type Employee struct {
	ID string
	// EmployeeNumber is the HR system's ID (employee_id in the staff CSV).
	EmployeeNumber *string
	Email          string
	FirstName      string
	LastName       string
	Department     string
	JobTitle       string
	Location       string
	ManagerID      *string
	HireDate       *time.Time
	Status         Status
	TimeZone       string
	Role           Role
	PasswordHash   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeactivatedAt  *time.Time
}

// TableName tells GORM the table.
func (Employee) TableName() string { return "employees" }

// FullName is the name the person signs with: first and last name.
func (e *Employee) FullName() string {
	return strings.TrimSpace(e.FirstName + " " + e.LastName)
}

// Active reports whether the employee is still with the organisation.
func (e *Employee) Active() bool { return e.Status == StatusActive }

// Can reports whether the employee's role is at least r.
func (e *Employee) Can(r Role) bool {
	rank := map[Role]int{RoleLearner: 1, RoleManager: 2, RoleHRAdmin: 3}
	return rank[e.Role] >= rank[r]
}

// NormalizeEmail lowercases and trims an address so lookups are exact.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Store reads and writes employees.
type Store struct {
	DB *db.DB
}

// ByID returns the employee with the given ID.
func (s *Store) ByID(ctx context.Context, id string) (*Employee, error) {
	var e Employee
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %s: %w", id, err)
	}
	return &e, nil
}

// ByEmail returns the employee with the given address (case-insensitive).
func (s *Store) ByEmail(ctx context.Context, email string) (*Employee, error) {
	var e Employee
	err := s.DB.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee by email: %w", err)
	}
	return &e, nil
}

// Create inserts a new employee inside tx, filling in ID, status, role and
// timestamps when they are empty.
func Create(tx *gorm.DB, e *Employee, now time.Time) error {
	if e.ID == "" {
		e.ID = db.NewID()
	}
	e.Email = NormalizeEmail(e.Email)
	if e.Email == "" || strings.TrimSpace(e.FirstName) == "" || strings.TrimSpace(e.LastName) == "" {
		return errors.New("an employee needs an e-mail address, a first name and a last name")
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	if e.Role == "" {
		e.Role = RoleLearner
	}
	e.CreatedAt, e.UpdatedAt = now, now
	if err := tx.Create(e).Error; err != nil {
		return fmt.Errorf("create employee %s: %w", e.Email, err)
	}
	return nil
}

// SearchDirectory is one keyset page of the people list (see the package
// function).
func (s *Store) SearchDirectory(ctx context.Context, q DirectoryQuery) (*DirectoryPage, error) {
	return SearchDirectory(ctx, s.DB, q)
}

// DirectoryChoices lists the values the people list's filters offer.
func (s *Store) DirectoryChoices(ctx context.Context) (*DirectoryChoices, error) {
	return LoadDirectoryChoices(ctx, s.DB)
}

// ActiveDepartments lists the departments active people work in, sorted.
func (s *Store) ActiveDepartments(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.DB.WithContext(ctx).Model(&Employee{}).Where("status = ? AND department <> ''", StatusActive).
		Distinct("department").Order("department").Pluck("department", &out).Error; err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}
	return out, nil
}

// IDByNumber returns the Onramp ID of the person with the HR system's
// employee number n; found is false when nobody has it.
func (s *Store) IDByNumber(ctx context.Context, n string) (id string, found bool, err error) {
	var ids []string
	err = s.DB.WithContext(ctx).Model(&Employee{}).Where("employee_number = ?", n).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", false, err
	}
	return ids[0], true, nil
}

// Contacts loads the people with the given IDs by ID, with only their
// employee number, e-mail address and name filled in. IDs nobody has are
// left out.
func (s *Store) Contacts(ctx context.Context, ids []string) (map[string]*Employee, error) {
	out := make(map[string]*Employee, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var emps []*Employee
	if err := s.DB.WithContext(ctx).Select("id, employee_number, email, first_name, last_name").
		Where("id IN ?", ids).Find(&emps).Error; err != nil {
		return nil, err
	}
	for _, e := range emps {
		out[e.ID] = e
	}
	return out, nil
}

// maxManagerDepth bounds the walk up a management chain, so a loop in the
// HR data cannot hang a request.
const maxManagerDepth = 32

// Manages reports whether managerID is above employeeID in the management
// chain, directly or through others; never for themself, and false for an
// employee who does not exist. It is the one answer to "may this manager
// act on that person" (see their records, remind them, grant them
// attempts); HR's own right to act on anyone is the caller's to add.
func (s *Store) Manages(ctx context.Context, managerID, employeeID string) (bool, error) {
	if managerID == "" || managerID == employeeID {
		return false, nil
	}
	id := employeeID
	for range maxManagerDepth {
		emp, err := s.ByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if emp.ManagerID == nil || *emp.ManagerID == "" {
			return false, nil
		}
		if *emp.ManagerID == managerID {
			return true, nil
		}
		id = *emp.ManagerID
	}
	return false, nil
}
