package people

import (
	"context"
	"fmt"
)

// lookupChunk is how many values one IN list carries.
const lookupChunk = 500

// IDsByNumber returns Onramp's ID of each employee_id (EmployeeNumber)
// that belongs to an employee; the others are left out.
func (s *Store) IDsByNumber(ctx context.Context, numbers []string) (map[string]string, error) {
	out := make(map[string]string, len(numbers))
	for start := 0; start < len(numbers); start += lookupChunk {
		var rows []struct{ ID, EmployeeNumber string }
		err := s.DB.WithContext(ctx).Model(&Employee{}).Select("id, employee_number").
			Where("employee_number IN ?", numbers[start:min(start+lookupChunk, len(numbers))]).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("look up employee IDs: %w", err)
		}
		for _, r := range rows {
			out[r.EmployeeNumber] = r.ID
		}
	}
	return out, nil
}

// ByIDs returns the employees with the given IDs (in no particular order;
// unknown IDs are left out) and the e-mail address of each one's manager,
// by the manager's ID.
func (s *Store) ByIDs(ctx context.Context, ids []string) ([]*Employee, map[string]string, error) {
	var emps []*Employee
	for start := 0; start < len(ids); start += lookupChunk {
		var part []*Employee
		if err := s.DB.WithContext(ctx).Where("id IN ?", ids[start:min(start+lookupChunk, len(ids))]).Find(&part).Error; err != nil {
			return nil, nil, fmt.Errorf("load employees: %w", err)
		}
		emps = append(emps, part...)
	}
	var managerIDs []string
	for _, e := range emps {
		if e.ManagerID != nil {
			managerIDs = append(managerIDs, *e.ManagerID)
		}
	}
	mail := map[string]string{}
	for start := 0; start < len(managerIDs); start += lookupChunk {
		var ms []struct{ ID, Email string }
		err := s.DB.WithContext(ctx).Model(&Employee{}).Select("id, email").
			Where("id IN ?", managerIDs[start:min(start+lookupChunk, len(managerIDs))]).Find(&ms).Error
		if err != nil {
			return nil, nil, fmt.Errorf("load managers' e-mails: %w", err)
		}
		for _, m := range ms {
			mail[m.ID] = m.Email
		}
	}
	return emps, mail, nil
}

// ActiveValues lists the distinct non-empty values of one employee column
// among active people, in order: "department", "job_title" or "location"
// (few, even at 100,000 people), for the rule form's choices.
func (s *Store) ActiveValues(ctx context.Context, column string) ([]string, error) {
	switch column {
	case ColumnDepartment, ColumnJobTitle, ColumnLocation:
	default:
		return nil, fmt.Errorf("people: no list of %q values", column)
	}
	var values []string
	if err := s.DB.WithContext(ctx).Model(&Employee{}).Where("status = ? AND "+column+" <> ''", StatusActive).
		Distinct(column).Order(column).Pluck(column, &values).Error; err != nil {
		return nil, fmt.Errorf("load %s values: %w", column, err)
	}
	return values, nil
}
