package httpserver

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/web/views"
)

// cycleChange is what the form does to the selected cycles.
type cycleChange string

const (
	cycleExtend cycleChange = "extend"
	cycleExempt cycleChange = "exempt"
)

func (k cycleChange) heading(n int) string {
	if k == cycleExtend {
		return "Extend the due date of " + rulesPeople(n)
	}
	return "Exempt " + rulesPeople(n)
}

// cyclesBack returns where the change form goes back to: the list of open
// cycles with the filters it came from, or a person's page (which links
// here with back=/admin/people/ID), never anywhere else.
func cyclesBack(raw string) string {
	if safeNext(raw) != raw {
		return "/admin/cycles"
	}
	if raw == "/admin/cycles" || strings.HasPrefix(raw, "/admin/cycles?") || strings.HasPrefix(raw, "/admin/people/") {
		return raw
	}
	return "/admin/cycles"
}

// adminCycleChangeForm shows the selected cycles (from the list's
// checkboxes, or a link with cycle=ID) and the form to change them.
func (s *Server) adminCycleChangeForm(kind cycleChange) echo.HandlerFunc {
	return func(c echo.Context) error {
		ids := c.QueryParams()["cycle"]
		v := views.CycleChangeView{Kind: string(kind), Action: "/admin/cycles/" + string(kind), Back: cyclesBack(c.QueryParam("back"))}
		if len(ids) > compliance.MaxSelection {
			v.Heading = kind.heading(len(ids))
			v.Problems = []views.AuthProblem{{FieldID: "main", Message: fmt.Sprintf("Select at most %d people at a time; %d are selected.", compliance.MaxSelection, len(ids)), FormLevel: true}}
			return render(c, http.StatusUnprocessableEntity, views.AdminCycleChange(s.page(c, v.Heading, "admin"), v))
		}
		if err := s.fillCycleChangeRows(c, &v, ids, nil); err != nil {
			return err
		}
		v.Heading = kind.heading(len(v.Rows))
		return render(c, http.StatusOK, views.AdminCycleChange(s.page(c, v.Heading, "admin"), v))
	}
}

// fillCycleChangeRows loads the selection into the form, marking each
// cycle that cannot be changed with why (refused's problems keyed by cycle
// ID); unknown IDs become problems.
func (s *Server) fillCycleChangeRows(c echo.Context, v *views.CycleChangeView, ids []string, refused *apperr.Error) error {
	now := s.Clock.Now()
	found, missing, err := s.Cycles.SelectCycles(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	problem := map[string]string{}
	if refused != nil {
		for _, p := range refused.Problems {
			if p.Key != "" {
				problem[p.Key] = p.Message
			}
		}
	}
	for _, sc := range found {
		st := sc.DisplayStatus(now)
		row := views.CycleChangeRow{
			ID: sc.ID, Name: sc.EmployeeName, Course: sc.CourseTitle, Number: sc.Number, Status: string(st),
			StatusLabel: cycleStatusLabel(st), Due: compliance.FormatDay(sc.DueAt), Problem: problem[sc.ID], Selected: true,
		}
		v.Rows = append(v.Rows, row)
		if row.Problem != "" {
			v.Problems = append(v.Problems, views.AuthProblem{FieldID: "cycle-" + sc.ID, Message: sc.EmployeeName + ", " + sc.CourseTitle + ": " + row.Problem + ".", FormLevel: true})
		}
	}
	if len(missing) > 0 {
		v.Problems = append(v.Problems, views.AuthProblem{FieldID: "main", Message: rulesPeople(len(missing)) + " in the selection could not be found; they are left out.", FormLevel: true})
	}
	return nil
}

// adminCycleChangeApply extends or exempts the selection in one
// transaction: everyone or, if anyone's cycle cannot be changed, nobody.
func (s *Server) adminCycleChangeApply(kind cycleChange) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return errUnreadableRequest
		}
		ids := form["cycle"]
		v := views.CycleChangeView{
			Kind: string(kind), Action: "/admin/cycles/" + string(kind), Back: cyclesBack(form.Get("back")),
			Due: strings.TrimSpace(form.Get("due")), Until: strings.TrimSpace(form.Get("until")), Reason: strings.TrimSpace(form.Get("reason")),
		}
		var day *time.Time
		var fieldProblems []views.AuthProblem
		switch {
		case kind == cycleExtend && v.Due == "":
			fieldProblems = append(fieldProblems, views.AuthProblem{FieldID: "due", Message: "Enter the new due date."})
		case kind == cycleExtend:
			d, err := time.Parse(time.DateOnly, v.Due)
			if err != nil {
				fieldProblems = append(fieldProblems, views.AuthProblem{FieldID: "due", Message: "Enter the new due date as a date, e.g. 2026-04-30."})
			}
			day = &d
		case v.Until != "":
			d, err := time.Parse(time.DateOnly, v.Until)
			if err != nil {
				fieldProblems = append(fieldProblems, views.AuthProblem{FieldID: "until", Message: "Enter the end date as a date, e.g. 2026-09-01, or leave it empty."})
			}
			day = &d
		}
		now := s.Clock.Now()
		// refused is the selection the engine would not change (an Invalid
		// error: a problem per form field, and one per cycle keyed by its ID).
		var refused *apperr.Error
		var changed []*compliance.Cycle
		if len(fieldProblems) == 0 {
			emp := viewerOf(c).Employee
			by := compliance.Actor{ID: emp.ID, Name: emp.FullName()}
			// One use case each, owning the transaction, the audit entries
			// and the report standings of the people changed.
			if kind == cycleExtend {
				changed, err = s.Engine.ExtendCycles(c.Request().Context(), ids, *day, v.Reason, by, now)
			} else {
				changed, err = s.Engine.ExemptCycles(c.Request().Context(), ids, v.Reason, day, by, now)
			}
			switch {
			case apperr.CodeOf(err) == apperr.Invalid:
				refused = apperr.As(err)
			case err != nil:
				return err
			default:
				s.setRulesFlash(c, cycleChangeDone(kind, len(changed), day, v.Reason))
				return redirectSeeOther(c, v.Back)
			}
		}
		v.Problems = fieldProblems
		if refused != nil {
			field := map[string]string{}
			for _, p := range refused.Problems {
				if p.Field != "" && p.Key == "" {
					field[p.Field] = p.Message
				}
			}
			for _, id := range []string{"due", "until", "reason"} {
				if msg := field[id]; msg != "" {
					v.Problems = append(v.Problems, views.AuthProblem{FieldID: id, Message: msg})
				}
			}
			if msg := field["cycles"]; msg != "" {
				v.Problems = append(v.Problems, views.AuthProblem{FieldID: "main", Message: msg, FormLevel: true})
			}
		}
		if len(ids) <= compliance.MaxSelection {
			if err := s.fillCycleChangeRows(c, &v, ids, refused); err != nil {
				return err
			}
		}
		v.Heading = kind.heading(len(v.Rows))
		return render(c, http.StatusUnprocessableEntity, views.AdminCycleChange(s.page(c, v.Heading, "admin"), v))
	}
}

func cycleChangeDone(kind cycleChange, n int, day *time.Time, reason string) string {
	if kind == cycleExtend {
		return fmt.Sprintf("Extended the due date of %s to %s (%s).", rulesPeople(n), compliance.FormatDay(*day), reason)
	}
	if day != nil {
		return fmt.Sprintf("Exempted %s until %s (%s).", rulesPeople(n), compliance.FormatDay(*day), reason)
	}
	return fmt.Sprintf("Exempted %s (%s).", rulesPeople(n), reason)
}
