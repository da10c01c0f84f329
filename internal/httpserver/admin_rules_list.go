package httpserver

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/web/views"
)

// adminRules lists every assignment rule with its effect in words and how
// many people's assignment it controls.
func (s *Server) adminRules(c echo.Context) error {
	ctx := c.Request().Context()
	rules, err := s.Cycles.RulesWithPeople(ctx)
	if err != nil {
		return err
	}
	courses, err := s.rulesCourses(ctx)
	if err != nil {
		return err
	}
	var v views.RulesView
	for i := range rules {
		r := &rules[i]
		v.Rows = append(v.Rows, views.RuleRow{
			ID: r.ID, Name: r.Name, Course: courses.title(r.CourseID), Who: r.WhoWords(), Due: r.DueWords(),
			Recurrence: r.Recurrence().Words(), Active: r.Active, FromCourseFile: r.Source == "course", People: r.People,
		})
	}
	if v.Running, err = s.jobsRunningOf(c, jobs.KindRuleChange); err != nil {
		return err
	}
	p := s.page(c, "Assignment rules", "admin")
	p.Wide, p.Flash = true, s.takeRulesFlash(c)
	return render(c, http.StatusOK, views.AdminRules(p, v))
}

// rulesCourseList is the courses a rule can assign, in title order.
type rulesCourseList []compliance.CourseTitle

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
	return s.Cycles.CourseTitles(ctx)
}
