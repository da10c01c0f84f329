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
