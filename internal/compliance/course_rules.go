package compliance

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// CourseRuleID is the ID of the rule a course file declares; being fixed, two
// instances starting together cannot both create it.
func CourseRuleID(courseID string) string { return "course-default-" + courseID }

// RuleFromSpec turns a course file's rule into a Rule for the course.
func RuleFromSpec(courseID string, s *catalog.RuleSpec, now time.Time) *Rule {
	r := &Rule{
		ID: CourseRuleID(courseID), Name: s.Name, CourseID: courseID, Everyone: s.Everyone,
		Departments: s.Departments, JobTitles: s.JobTitles, Locations: s.Locations,
		DueDays: s.DueDays, DueFrom: DueFrom(s.DueFrom), EveryMonths: s.EveryMonths, WindowDays: s.WindowDays,
		Base: Base(s.Base), FixedMonth: s.FixedMonth, FixedDay: s.FixedDay,
		ReminderPolicy: "{}", Source: "course", Active: true, CreatedAt: now, UpdatedAt: now,
	}
	if r.Name == "" {
		r.Name = "Default rule from the course file"
	}
	if r.DueFrom == "" {
		r.DueFrom = DueFromHire
	}
	if r.Base == "" {
		r.Base = BaseExpiry
	}
	return r
}

// SyncCourseRules creates the rule each course file declares, the first time
// the course is seen. Afterwards the rule belongs to HR: a later edit of the
// course file does not overwrite what HR changed.
func SyncCourseRules(tx *gorm.DB, courses []*catalog.Course, now time.Time) error {
	for _, c := range courses {
		if c.DefaultRule == nil {
			continue
		}
		var existing Rule
		err := tx.Where("id = ?", CourseRuleID(c.ID)).Take(&existing).Error
		if err == nil {
			continue
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("load course rule: %w", err)
		}
		r := RuleFromSpec(c.ID, c.DefaultRule, now)
		if err := r.Validate(); err != nil {
			return fmt.Errorf("course %s: default rule: %w", c.ID, err)
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(r).Error; err != nil {
			return fmt.Errorf("create course rule: %w", err)
		}
	}
	return noteRulesIfNobody(tx)
}
