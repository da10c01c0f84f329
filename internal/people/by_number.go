package people

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ByNumber returns the employee with the HR system's employee_id (the
// staff import's column), or ErrNotFound saying so in the API's words.
func (s *Store) ByNumber(ctx context.Context, number string) (*Employee, error) {
	var e Employee
	err := s.DB.WithContext(ctx).Where("employee_number = ?", number).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound.Becausef("No employee has the employee_id %s; it is the HR system's ID, as in the staff import.", number)
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %s: %w", number, err)
	}
	return &e, nil
}

// OnlyHR reports whether the organisation has nobody active but its HR
// admins: a new installation before the staff list is imported. One probe.
func (s *Store) OnlyHR(ctx context.Context) (bool, error) {
	var ids []string
	if err := s.DB.WithContext(ctx).Model(&Employee{}).Where("status = ? AND role <> ?", StatusActive, RoleHRAdmin).
		Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, fmt.Errorf("look for staff: %w", err)
	}
	return len(ids) == 0, nil
}
