package httpserver

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/web/views"
)

// errNoRuleChange answers a progress page for a change that is not there.
var errNoRuleChange = apperr.New(apperr.NotFound, "There is no such rule change. Its link may be mistyped; the rules page lists the changes still being applied.")

// adminRuleChange follows a rule change saved in the background: how far
// it is, then what it did. A request from app.js (data-poll) gets only the
// status region.
func (s *Server) adminRuleChange(c echo.Context) error {
	a, err := s.Cycles.RuleApplication(c.Request().Context(), c.Param("id"))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return errNoRuleChange
		}
		return err
	}
	v := ruleChangeView(a, time.Now())
	if c.Request().Header.Get("X-Onramp-Poll") == "1" {
		return render(c, http.StatusOK, views.RuleChangeStatus(v))
	}
	p := s.page(c, "Saving the rule “"+a.RuleName+"”", "admin")
	p.Wide = true
	return render(c, http.StatusOK, views.AdminRuleChange(p, v))
}

// ruleChangeView puts a rule change's row into words; now is the real
// time, to tell a change whose process stopped.
func ruleChangeView(a compliance.RuleApplication, now time.Time) views.RuleChangeView {
	v := views.RuleChangeView{ID: a.ID, RuleName: a.RuleName, By: a.ActorName,
		Started: a.StartedAt.UTC().Format("2 January 2006, 15:04 UTC"), People: a.People, Done: a.Done}
	if v.By == "" {
		v.By = "HR"
	}
	if a.People > 0 {
		v.Percent = a.Done * 100 / a.People
	}
	v.RuleURL = "/admin/rules/new"
	if a.RuleID != "" {
		v.RuleURL = "/admin/rules/" + a.RuleID + "/edit"
	}
	result := fmt.Sprintf("Saved the rule “%s”: %s assigned, %s no longer required.", a.RuleName, rulesPeople(a.Assigned), rulesPeople(a.Closed))
	switch {
	case a.FinishedAt != nil && a.Error == "":
		v.State, v.Result = "done", result
	case a.FinishedAt != nil && a.Saved():
		v.State, v.Problem = "partly", a.Error
		v.Result = fmt.Sprintf("So far: %s assigned, %s no longer required.", rulesPeople(a.Assigned), rulesPeople(a.Closed))
	case a.FinishedAt != nil:
		v.State, v.Problem = "failed", a.Error
	case a.Stalled(now):
		if a.Saved() {
			v.State = "stopped"
		} else {
			v.State, v.Problem = "failed", "The server stopped before the rule was saved. Open the rule again and save it."
		}
	default:
		v.State = "running"
	}
	return v
}
