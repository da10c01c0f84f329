package compliance

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// This file holds the questions the web pages and the API ask of
// assignments, cycles and rules, so they need not know the tables.

// Keyset is one page of a list ordered by (a time, an ID), a pair that
// never changes for an item: the page starts after the item at (AfterAt,
// AfterID) (the first page when AfterID is empty) and holds up to Limit
// items. Lists return one more item than Limit when a page follows.
type Keyset struct {
	AfterAt time.Time
	AfterID string
	Limit   int
}

// Apply adds the position, the order and the limit (one more, to know
// whether a page follows) to q.
func (k Keyset) Apply(q *gorm.DB, timeColumn, idColumn string) *gorm.DB {
	if k.AfterID != "" {
		q = q.Where("("+timeColumn+" > ? OR ("+timeColumn+" = ? AND "+idColumn+" > ?))", k.AfterAt, k.AfterAt, k.AfterID)
	}
	return q.Order(timeColumn + ", " + idColumn).Limit(k.Limit + 1)
}

// OpenCycles is one page of the cycles people still owe; see
// ListOpenCycles.
func (s *Store) OpenCycles(ctx context.Context, f OpenCycleFilter, now time.Time, p OpenCyclesPage) ([]SelectedCycle, bool, int64, error) {
	return ListOpenCycles(s.DB.WithContext(ctx), f, now, p)
}

// RuleName returns the name of the rule with the given ID; found is false
// when there is none.
func (s *Store) RuleName(ctx context.Context, id string) (name string, found bool, err error) {
	var names []string
	if err := s.DB.WithContext(ctx).Model(&Rule{}).Where("id = ?", id).Pluck("name", &names).Error; err != nil {
		return "", false, fmt.Errorf("load rule name: %w", err)
	}
	if len(names) == 0 {
		return "", false, nil
	}
	return names[0], true, nil
}

// RuleWithPeople is a rule and how many active assignments it controls.
type RuleWithPeople struct {
	Rule
	People int
}

// RulesWithPeople lists every rule, active ones first, then by name, each
// with how many people's active assignment it controls.
func (s *Store) RulesWithPeople(ctx context.Context) ([]RuleWithPeople, error) {
	var rules []Rule
	if err := s.DB.WithContext(ctx).Order("active DESC, name, id").Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	var counts []struct {
		RuleID string
		People int
	}
	if err := s.DB.WithContext(ctx).Model(&Assignment{}).Select("rule_id, COUNT(*) AS people").
		Where("status = 'active' AND rule_id IS NOT NULL").Group("rule_id").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count people per rule: %w", err)
	}
	byRule := make(map[string]int, len(counts))
	for _, n := range counts {
		byRule[n.RuleID] = n.People
	}
	out := make([]RuleWithPeople, len(rules))
	for i, r := range rules {
		out[i] = RuleWithPeople{Rule: r, People: byRule[r.ID]}
	}
	return out, nil
}

// CourseTitle is a course a rule can assign.
type CourseTitle struct{ ID, Title string }

// CourseTitles lists every course Onramp has had (retired ones too: their
// records stay), in title order.
func (s *Store) CourseTitles(ctx context.Context) ([]CourseTitle, error) {
	var l []CourseTitle
	if err := s.DB.WithContext(ctx).Table("courses").Select("id, title").Order("title, id").Scan(&l).Error; err != nil {
		return nil, fmt.Errorf("load courses: %w", err)
	}
	return l, nil
}

// CourseExists says whether Onramp has ever had a course with the ID.
func (s *Store) CourseExists(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := s.DB.WithContext(ctx).Table("courses").Where("id = ?", id).Limit(1).Count(&n).Error; err != nil {
		return false, err
	}
	return n > 0, nil
}

// AssignmentFilter narrows a list of assignments; empty fields do not.
type AssignmentFilter struct {
	CourseID   string
	EmployeeID string
}

// AssignmentWithCycle is an assignment and its latest cycle (nil before
// the first exists).
type AssignmentWithCycle struct {
	*Assignment
	Latest *Cycle
}

// Assignments lists assignments in the order they were made (created_at,
// id), one keyset page at a time (up to k.Limit+1 items), each with its
// latest cycle. Two queries, whatever the page size.
func (s *Store) Assignments(ctx context.Context, f AssignmentFilter, k Keyset) ([]AssignmentWithCycle, error) {
	q := s.DB.WithContext(ctx).Model(&Assignment{})
	if f.CourseID != "" {
		q = q.Where("course_id = ?", f.CourseID)
	}
	if f.EmployeeID != "" {
		q = q.Where("employee_id = ?", f.EmployeeID)
	}
	var as []*Assignment
	if err := k.Apply(q, "created_at", "id").Find(&as).Error; err != nil {
		return nil, err
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	latest := map[string]*Cycle{}
	if len(ids) > 0 {
		var cycles []*Cycle
		if err := s.DB.WithContext(ctx).Where("assignment_id IN ?", ids).Order("number").Find(&cycles).Error; err != nil {
			return nil, err
		}
		for _, cy := range cycles {
			latest[cy.AssignmentID] = cy // ordered by number: the last wins
		}
	}
	out := make([]AssignmentWithCycle, len(as))
	for i, a := range as {
		out[i] = AssignmentWithCycle{Assignment: a, Latest: latest[a.ID]}
	}
	return out, nil
}

// Record is one person's assignments and cycles, for HR's page of them.
type Record struct {
	// Assignments in the order they were made.
	Assignments []*Assignment
	// Cycles by course, the latest of each first.
	Cycles []*Cycle
	// RuleNames names the rules the assignments came from, by ID.
	RuleNames map[string]string
}

// RecordOf reads a person's assignments, cycles and the names of the rules
// behind them, each through its employee index.
func (s *Store) RecordOf(ctx context.Context, employeeID string) (*Record, error) {
	q := s.DB.WithContext(ctx)
	rec := &Record{RuleNames: map[string]string{}}
	if err := q.Where("employee_id = ?", employeeID).Order("created_at, course_id").Find(&rec.Assignments).Error; err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	if err := q.Where("employee_id = ?", employeeID).Order("course_id, number DESC").Find(&rec.Cycles).Error; err != nil {
		return nil, fmt.Errorf("load cycles: %w", err)
	}
	var ruleIDs []string
	for _, a := range rec.Assignments {
		if a.RuleID != nil {
			ruleIDs = append(ruleIDs, *a.RuleID)
		}
	}
	if len(ruleIDs) > 0 {
		var rules []Rule
		if err := q.Select("id, name").Where("id IN ?", ruleIDs).Find(&rules).Error; err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		for _, r := range rules {
			rec.RuleNames[r.ID] = r.Name
		}
	}
	return rec, nil
}
