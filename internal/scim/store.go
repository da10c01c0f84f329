package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// identity is a row of scim_users: the identity provider's names for one
// employee.
type identity struct {
	EmployeeID  string `gorm:"primaryKey"`
	UserName    string
	UserNameKey string
	ExternalID  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time
}

func (identity) TableName() string { return "scim_users" }

// userNameKey is how userNames compare: without regard to case (RFC 7643
// §4.1.1 makes userName caseExact false).
func userNameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// store reads SCIM's view of people and keeps scim_users. Every read costs
// what it returns: lookups go through indexes, lists are one page.
type store struct {
	db *db.DB
}

// visible reports whether the employee's identity allows SCIM to see them.
func (i *identity) visible() bool { return i == nil || i.DeletedAt == nil }

// identities loads the scim_users rows of the given employees.
func (s *store) identities(q *gorm.DB, ids []string) (map[string]*identity, error) {
	out := map[string]*identity{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*identity
	if err := q.Where("employee_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load SCIM identities: %w", err)
	}
	for _, r := range rows {
		out[r.EmployeeID] = r
	}
	return out, nil
}

// users turns employees into Users, with their identities and managers'
// names: three queries, whatever the number of employees.
func (s *store) users(q *gorm.DB, emps []*people.Employee) ([]*User, error) {
	ids := make([]string, 0, len(emps))
	var managerIDs []string
	for _, e := range emps {
		ids = append(ids, e.ID)
		if e.ManagerID != nil {
			managerIDs = append(managerIDs, *e.ManagerID)
		}
	}
	idents, err := s.identities(q, ids)
	if err != nil {
		return nil, err
	}
	managers := map[string]string{}
	if len(managerIDs) > 0 {
		var ms []*people.Employee
		if err := q.Select("id, first_name, last_name").Where("id IN ?", managerIDs).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("load managers: %w", err)
		}
		for _, m := range ms {
			managers[m.ID] = m.FullName()
		}
	}
	out := make([]*User, 0, len(emps))
	for _, e := range emps {
		u := &User{
			ID: e.ID, UserName: e.Email, GivenName: e.FirstName, FamilyName: e.LastName, Email: e.Email,
			Active: e.Active(), Title: e.JobTitle, TimeZone: e.TimeZone, Department: e.Department,
			Created: e.CreatedAt, LastModified: e.UpdatedAt,
		}
		if e.EmployeeNumber != nil {
			u.EmployeeNumber = *e.EmployeeNumber
		}
		if e.ManagerID != nil {
			u.ManagerID, u.ManagerName = *e.ManagerID, managers[*e.ManagerID]
		}
		if id := idents[e.ID]; id != nil {
			u.UserName, u.ExternalID = id.UserName, id.ExternalID
			if id.UpdatedAt.After(u.LastModified) {
				u.LastModified = id.UpdatedAt
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// get returns the visible User with the given id, or a 404.
func (s *store) get(ctx context.Context, id string) (*User, error) {
	q := s.db.WithContext(ctx)
	var emps []*people.Employee
	if err := q.Where("id = ?", id).Limit(1).Find(&emps).Error; err != nil {
		return nil, fmt.Errorf("load employee %s: %w", id, err)
	}
	if len(emps) == 0 {
		return nil, NotFound(id)
	}
	idents, err := s.identities(q, []string{id})
	if err != nil {
		return nil, err
	}
	if !idents[id].visible() {
		return nil, NotFound(id)
	}
	us, err := s.users(q, emps)
	if err != nil {
		return nil, err
	}
	return us[0], nil
}

// notDeleted keeps the employees SCIM has not deleted.
const notDeleted = "NOT EXISTS (SELECT 1 FROM scim_users d WHERE d.employee_id = employees.id AND d.deleted_at IS NOT NULL)"

// find returns the IDs of the visible employees matching f (at most a
// few: every filter Onramp supports names one person), in ID order.
func (s *store) find(ctx context.Context, f Filter) ([]string, error) {
	q := s.db.WithContext(ctx)
	var ids []string
	pluck := func(query *gorm.DB, column string) error {
		var part []string
		if err := query.Pluck(column, &part).Error; err != nil {
			return fmt.Errorf("filter users on %s: %w", f.Attr, err)
		}
		ids = append(ids, part...)
		return nil
	}
	emps := func() *gorm.DB { return q.Model(&people.Employee{}).Where(notDeleted) }
	identities := func() *gorm.DB { return q.Model(&identity{}).Where("deleted_at IS NULL") }
	var err error
	switch f.Attr {
	case FilterID:
		err = pluck(emps().Where("employees.id = ?", f.Value), "employees.id")
	case FilterEmail:
		err = pluck(emps().Where("employees.email = ?", people.NormalizeEmail(f.Value)), "employees.id")
	case FilterEmployeeNumber:
		err = pluck(emps().Where("employees.employee_number = ?", strings.TrimSpace(f.Value)), "employees.id")
	case FilterExternalID:
		// externalId is caseExact (RFC 7643 §3.1).
		if f.Value != "" {
			err = pluck(identities().Where("external_id = ?", f.Value), "employee_id")
		}
	case FilterUserName:
		// A userName the identity provider set, or the e-mail address of
		// someone who has none.
		key := userNameKey(f.Value)
		if err = pluck(identities().Where("user_name_key = ?", key), "employee_id"); err == nil {
			err = pluck(emps().Where("employees.email = ? AND NOT EXISTS (SELECT 1 FROM scim_users n WHERE n.employee_id = employees.id)", key), "employees.id")
		}
	default:
		return nil, fmt.Errorf("scim: filter on %q not handled", f.Attr)
	}
	return ids, err
}

// page returns count visible employees' IDs from the 1-based startIndex,
// in ID order, and how many there are in all.
func (s *store) page(ctx context.Context, startIndex, count int) ([]string, int64, error) {
	q := s.db.WithContext(ctx)
	var total int64
	if err := q.Model(&people.Employee{}).Where(notDeleted).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	var ids []string
	if count > 0 {
		err := q.Model(&people.Employee{}).Where(notDeleted).Order("employees.id").
			Offset(startIndex-1).Limit(count).Pluck("employees.id", &ids).Error
		if err != nil {
			return nil, 0, fmt.Errorf("list users: %w", err)
		}
	}
	return ids, total, nil
}

// byIDs loads the Users with the given IDs, in that order.
func (s *store) byIDs(ctx context.Context, ids []string) ([]*User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx)
	var emps []*people.Employee
	if err := q.Where("id IN ?", ids).Find(&emps).Error; err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	us, err := s.users(q, emps)
	if err != nil {
		return nil, err
	}
	byID := map[string]*User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	out := make([]*User, 0, len(ids))
	for _, id := range ids {
		if u := byID[id]; u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// holderOfUserName returns the ID of the visible employee other than
// except whose userName is name, or "".
func (s *store) holderOfUserName(ctx context.Context, name, except string) (string, error) {
	ids, err := s.find(ctx, Filter{Attr: FilterUserName, Value: name})
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id != except {
			return id, nil
		}
	}
	return "", nil
}

// employeeBy returns the employee whose column equals value, or nil.
func (s *store) employeeBy(ctx context.Context, column, value string) (*people.Employee, error) {
	var emps []*people.Employee
	if err := s.db.WithContext(ctx).Where(column+" = ?", value).Limit(1).Find(&emps).Error; err != nil {
		return nil, fmt.Errorf("look up employee by %s: %w", column, err)
	}
	if len(emps) == 0 {
		return nil, nil
	}
	return emps[0], nil
}

// identityOf returns an employee's scim_users row, or nil.
func (s *store) identityOf(ctx context.Context, employeeID string) (*identity, error) {
	m, err := s.identities(s.db.WithContext(ctx), []string{employeeID})
	if err != nil {
		return nil, err
	}
	return m[employeeID], nil
}

// saveIdentity records the identity provider's names for an employee and
// makes them visible again if SCIM had deleted them; inside the
// transaction of the person's change (people.Also).
func saveIdentity(tx *gorm.DB, employeeID, userName, externalID string, now time.Time) error {
	row := identity{
		EmployeeID: employeeID, UserName: strings.TrimSpace(userName), UserNameKey: userNameKey(userName),
		ExternalID: externalID, CreatedAt: now, UpdatedAt: now,
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "employee_id"}},
		DoUpdates: clause.Assignments(map[string]any{"user_name": row.UserName, "user_name_key": row.UserNameKey, "external_id": externalID, "updated_at": now, "deleted_at": nil}),
	}).Create(&row).Error
	if err != nil && isUniqueViolation(err) {
		return errorf(409, TypeUniqueness, "The userName %s belongs to another user.", quote(userName))
	}
	if err != nil {
		return fmt.Errorf("save the SCIM identity of %s: %w", employeeID, err)
	}
	return nil
}

// markDeleted hides an employee from SCIM from now on; inside the
// transaction of their deactivation (people.Also) when there is one.
func markDeleted(tx *gorm.DB, u *User, now time.Time) error {
	row := identity{EmployeeID: u.ID, UserName: u.UserName, UserNameKey: userNameKey(u.UserName), ExternalID: u.ExternalID,
		CreatedAt: now, UpdatedAt: now, DeletedAt: &now}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "employee_id"}},
		DoUpdates: clause.Assignments(map[string]any{"updated_at": now, "deleted_at": now}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("mark %s deleted: %w", u.ID, err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "unique constraint") || strings.Contains(msg, "duplicate key")
}
