package people

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ByNumber returns the employee with the HR system's employee_id (the
// staff import's column), or ErrNotFound.
func (s *Store) ByNumber(ctx context.Context, number string) (*Employee, error) {
	var e Employee
	err := s.DB.WithContext(ctx).Where("employee_number = ?", number).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %s: %w", number, err)
	}
	return &e, nil
}

// IDsByNumber maps each of the HR system's employee_ids to Onramp's ID,
// in one query (a page of a report links each name to the person).
// Numbers nobody has are left out.
func (s *Store) IDsByNumber(ctx context.Context, numbers []string) (map[string]string, error) {
	out := make(map[string]string, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	var rows []struct{ ID, EmployeeNumber string }
	if err := s.DB.WithContext(ctx).Model(&Employee{}).Select("id, employee_number").
		Where("employee_number IN ?", numbers).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("look up employee IDs: %w", err)
	}
	for _, r := range rows {
		out[r.EmployeeNumber] = r.ID
	}
	return out, nil
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
