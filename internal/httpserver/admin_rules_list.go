package httpserver

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/web/views"
)

// adminRules lists every assignment rule with its effect in words and how
// many people's assignment it controls.
func (s *Server) adminRules(c echo.Context) error {
	ctx := c.Request().Context()
	var rules []compliance.Rule
	if err := s.DB.WithContext(ctx).Order("active DESC, name, id").Find(&rules).Error; err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	courses, err := s.rulesCourses(ctx)
	if err != nil {
		return err
	}
	var counts []struct {
		RuleID string
		People int
	}
	if err := s.DB.WithContext(ctx).Model(&compliance.Assignment{}).Select("rule_id, COUNT(*) AS people").
		Where("status = 'active' AND rule_id IS NOT NULL").Group("rule_id").Scan(&counts).Error; err != nil {
		return fmt.Errorf("count people per rule: %w", err)
	}
	people := map[string]int{}
	for _, n := range counts {
		people[n.RuleID] = n.People
	}
	var v views.RulesView
	for i := range rules {
		r := &rules[i]
		v.Rows = append(v.Rows, views.RuleRow{
			ID: r.ID, Name: r.Name, Course: courses.title(r.CourseID), Who: r.WhoWords(), Due: r.DueWords(),
			Recurrence: r.Recurrence().Words(), Active: r.Active, FromCourseFile: r.Source == "course", People: people[r.ID],
		})
	}
	p := s.page(c, "Assignment rules", "admin")
	p.Wide, p.Flash = true, s.takeRulesFlash(c)
	return render(c, http.StatusOK, views.AdminRules(p, v))
}

// rulesCourseList is the courses a rule can assign, in title order.
type rulesCourseList []struct{ ID, Title string }

func (l rulesCourseList) title(id string) string {
	for _, c := range l {
		if c.ID == id {
			return c.Title
		}
	}
	return id
}

// options returns the courses as select options, selected marking one.
func (l rulesCourseList) options(selected string) []views.RuleOption {
	out := make([]views.RuleOption, len(l))
	for i, c := range l {
		out[i] = views.RuleOption{Value: c.ID, Label: c.Title, Selected: c.ID == selected}
	}
	return out
}

func (s *Server) rulesCourses(ctx context.Context) (rulesCourseList, error) {
	var l rulesCourseList
	if err := s.DB.WithContext(ctx).Table("courses").Select("id, title").Order("title, id").Scan(&l).Error; err != nil {
		return nil, fmt.Errorf("load courses: %w", err)
	}
	return l, nil
}
