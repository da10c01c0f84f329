package httpserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/web/views"
)

// adminRuleNew shows an empty rule with sensible defaults: a yearly
// refresher counted from the due date, 30 days after hire.
func (s *Server) adminRuleNew(c echo.Context) error {
	r := &compliance.Rule{DueDays: 30, DueFrom: compliance.DueFromHire, EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry, Active: true}
	in := ruleInputOf(r, compliance.Day(s.Clock.Now()))
	v, err := s.ruleFormView(c.Request().Context(), nil, in)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminRuleForm(s.rulePage(c, v), v))
}

// adminRuleEdit shows a stored rule.
func (s *Server) adminRuleEdit(c echo.Context) error {
	stored, err := s.storedRule(c)
	if err != nil {
		return err
	}
	in := ruleInputOf(stored, compliance.Day(s.Clock.Now()))
	v, err := s.ruleFormView(c.Request().Context(), stored, in)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminRuleForm(s.rulePage(c, v), v))
}

func (s *Server) adminRuleCreate(c echo.Context) error { return s.submitRule(c, nil) }

func (s *Server) adminRuleUpdate(c echo.Context) error {
	stored, err := s.storedRule(c)
	if err != nil {
		return err
	}
	return s.submitRule(c, stored)
}

func (s *Server) adminRulePreviewNew(c echo.Context) error { return s.previewRuleFragment(c, nil) }

func (s *Server) adminRulePreviewEdit(c echo.Context) error {
	stored, err := s.storedRule(c)
	if err != nil {
		return err
	}
	return s.previewRuleFragment(c, stored)
}

func (s *Server) storedRule(c echo.Context) (*compliance.Rule, error) {
	return s.Cycles.Rule(c.Request().Context(), c.Param("id"))
}

func (s *Server) rulePage(c echo.Context, v views.RuleFormView) views.Page {
	p := s.page(c, v.Heading, "admin")
	p.Flash = s.takeRulesFlash(c)
	return p
}

// ruleInput is a rule as the form holds it: the values as typed, the rule
// they make when they parse, and what did not parse.
type ruleInput struct {
	rule        compliance.Rule
	exampleHire time.Time
	typed       views.RuleFormView
	problems    []views.AuthProblem
}

// ruleInputOf fills the form from a rule.
func ruleInputOf(r *compliance.Rule, today time.Time) ruleInput {
	in := ruleInput{rule: *r, exampleHire: today}
	in.typed = views.RuleFormView{
		Name: r.Name, Everyone: r.Everyone, DueDays: strconv.Itoa(r.DueDays), DueFrom: string(r.DueFrom),
		EveryMonths: strconv.Itoa(r.EveryMonths), WindowDays: strconv.Itoa(r.WindowDays), Base: string(r.Base),
		Active: r.Active, ExampleHire: today.Format(time.DateOnly),
	}
	if r.Base == compliance.BaseFixed {
		in.typed.FixedMonth, in.typed.FixedDay = strconv.Itoa(r.FixedMonth), strconv.Itoa(r.FixedDay)
	}
	return in
}

// readRuleForm parses the posted form. A stored rule keeps its ID and its
// course, whatever the form says.
func (s *Server) readRuleForm(c echo.Context, stored *compliance.Rule) (ruleInput, error) {
	form, err := c.FormParams()
	if err != nil {
		return ruleInput{}, apperr.New(apperr.Malformed, "The form could not be read. Go back, check what you entered, and try again.")
	}
	in := ruleInput{exampleHire: compliance.Day(s.Clock.Now())}
	t := &in.typed
	t.Name, t.DueDays, t.DueFrom = form.Get("name"), strings.TrimSpace(form.Get("due_days")), form.Get("due_from")
	t.EveryMonths, t.WindowDays, t.Base = strings.TrimSpace(form.Get("every_months")), strings.TrimSpace(form.Get("window_days")), form.Get("base")
	t.FixedMonth, t.FixedDay = strings.TrimSpace(form.Get("fixed_month")), strings.TrimSpace(form.Get("fixed_day"))
	t.Everyone, t.Active = form.Get("who") == "everyone", form.Get("active") == "yes"
	t.ExampleHire = strings.TrimSpace(form.Get("example_hire"))
	r := &in.rule
	r.Name, r.Everyone, r.Active = t.Name, t.Everyone, t.Active
	r.CourseID = form.Get("course")
	if stored != nil {
		r.ID, r.CourseID = stored.ID, stored.CourseID
	}
	r.Departments, r.JobTitles, r.Locations = form["department"], form["job_title"], form["location"]
	r.DueFrom, r.Base = compliance.DueFrom(t.DueFrom), compliance.Base(t.Base)
	number := func(id, typed, what string, dst *int) {
		n, err := strconv.Atoi(typed)
		if err != nil {
			in.problems = append(in.problems, views.AuthProblem{FieldID: id, Message: "Enter " + what + " as a whole number, e.g. " + map[string]string{
				"due-days": "30", "every-months": "12", "window-days": "60", "fixed-day": "1",
			}[id] + "."})
			return
		}
		*dst = n
	}
	number("due-days", t.DueDays, "the days to complete it", &r.DueDays)
	if r.Base == compliance.BaseFixed {
		if m, err := strconv.Atoi(t.FixedMonth); err == nil {
			r.FixedMonth = m
		}
		number("fixed-day", t.FixedDay, "the day of the month", &r.FixedDay)
	} else if t.EveryMonths != "" {
		number("every-months", t.EveryMonths, "how many months", &r.EveryMonths)
	}
	if t.WindowDays != "" {
		number("window-days", t.WindowDays, "the refresher window in days", &r.WindowDays)
	}
	if t.ExampleHire != "" {
		d, err := time.Parse(time.DateOnly, t.ExampleHire)
		if err != nil {
			in.problems = append(in.problems, views.AuthProblem{FieldID: "example-hire", Message: "Enter the example hire date as a date, e.g. 2026-03-02."})
		} else {
			in.exampleHire = d
		}
	}
	if len(in.problems) > 0 {
		// Say everything else that is wrong too, not one thing per attempt.
		check := in.rule
		check.Normalize()
		var all []apperr.Problem
		for _, p := range check.Problems() {
			all = append(all, apperr.Problem{Field: p.Field, Message: p.Message})
		}
		for _, p := range ruleProblems(all) {
			if !slices.ContainsFunc(in.problems, func(q views.AuthProblem) bool { return q.FieldID == p.FieldID }) {
				in.problems = append(in.problems, p)
			}
		}
	}
	return in, nil
}

// ruleFieldIDs maps the rule's fields to the form's input ids, where the
// error summary links to.
var ruleFieldIDs = map[string]string{
	compliance.FieldName: "name", compliance.FieldCourse: "course", compliance.FieldWho: "who-everyone",
	compliance.FieldDueDays: "due-days", compliance.FieldDueFrom: "due-from-hire", compliance.FieldEveryMonths: "every-months",
	compliance.FieldWindowDays: "window-days", compliance.FieldBase: "base-expiry", compliance.FieldFixedDate: "fixed-month",
}

// ruleProblems turns a refusal to save (a compliance.RuleError's
// problems, Field one of compliance's Field names) into the form's
// problems.
func ruleProblems(problems []apperr.Problem) []views.AuthProblem {
	var out []views.AuthProblem
	for _, p := range problems {
		id, ok := ruleFieldIDs[p.Field]
		if !ok {
			out = append(out, views.AuthProblem{FieldID: "name", Message: p.Message, FormLevel: true})
			continue
		}
		out = append(out, views.AuthProblem{FieldID: id, Message: p.Message})
	}
	return out
}

// ruleFingerprint identifies what a rule would be saved as, so Save can
// tell whether the person has seen the preview of exactly this rule.
func ruleFingerprint(r compliance.Rule) string {
	r.Normalize()
	b, _ := json.Marshal(struct {
		ID, Name, CourseID                         string
		Everyone, Active                           bool
		Departments, JobTitles, Locations          []string
		DueDays, EveryMonths, WindowDays, FixedMon int
		FixedDay                                   int
		DueFrom, Base                              string
	}{r.ID, r.Name, r.CourseID, r.Everyone, r.Active, r.Departments, r.JobTitles, r.Locations,
		r.DueDays, r.EveryMonths, r.WindowDays, r.FixedMonth, r.FixedDay, string(r.DueFrom), string(r.Base)})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// submitRule answers the form's two buttons. Preview shows what saving would
// do. Save saves, but only a rule whose preview the person has seen: when
// the rule differs from the one last previewed, it shows the preview again
// and saves nothing, so a change is never made blind.
func (s *Server) submitRule(c echo.Context, stored *compliance.Rule) error {
	ctx := c.Request().Context()
	in, err := s.readRuleForm(c, stored)
	if err != nil {
		return err
	}
	v, err := s.ruleFormView(ctx, stored, in)
	if err != nil {
		return err
	}
	if len(in.problems) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.AdminRuleForm(s.rulePage(c, v), v))
	}
	now := s.Clock.Now()
	fingerprint := ruleFingerprint(in.rule)
	if c.FormValue("action") == "save" && c.FormValue("previewed") == fingerprint {
		r := in.rule
		emp := viewerOf(c).Employee
		run, err := s.Engine.StartRuleChange(ctx, &r, compliance.Actor{ID: emp.ID, Name: emp.FullName()}, now)
		if err != nil {
			return err
		}
		if !run.Wait(ctx, s.jobWait()) {
			// Still being applied: its page follows it.
			return redirectSeeOther(c, jobURL(jobs.KindRuleChange, run.ID))
		}
		res, err := run.Result, run.Err
		if problems, _, ok := invalidProblems(err); ok {
			v.Problems = ruleProblems(problems)
			return render(c, http.StatusUnprocessableEntity, views.AdminRuleForm(s.rulePage(c, v), v))
		}
		if errors.Is(err, compliance.ErrPlanningBusy) {
			// Nothing was saved: the form stays as filled in, to save again.
			v.Problems = []views.AuthProblem{{FieldID: "name", Message: apperr.MessageOf(err), FormLevel: true}}
			return render(c, http.StatusConflict, views.AdminRuleForm(s.rulePage(c, v), v))
		}
		if err != nil {
			return err
		}
		s.setRulesFlash(c, fmt.Sprintf("Saved the rule “%s”: %s assigned, %s no longer required.", r.Name, rulesPeople(res.Assigned), rulesPeople(res.Closed)))
		return redirectSeeOther(c, "/admin/rules")
	}
	pv, err := s.rulePreview(ctx, in, now, fingerprint)
	if problems, _, ok := invalidProblems(err); ok {
		v.Problems = ruleProblems(problems)
		return render(c, http.StatusUnprocessableEntity, views.AdminRuleForm(s.rulePage(c, v), v))
	}
	if err != nil {
		return err
	}
	if c.FormValue("action") == "save" {
		pv.Notice = "Nothing has been saved yet. This is what saving would do; check it, then press Save rule again."
	}
	v.Preview = pv
	return render(c, http.StatusOK, views.AdminRuleForm(s.rulePage(c, v), v))
}

// previewRuleFragment answers htmx: just the preview panel, problems
// included, always 200 so htmx swaps it in.
func (s *Server) previewRuleFragment(c echo.Context, stored *compliance.Rule) error {
	in, err := s.readRuleForm(c, stored)
	if err != nil {
		return err
	}
	if len(in.problems) > 0 {
		return render(c, http.StatusOK, views.RulePreviewPanel(&views.RulePreviewView{Problems: in.problems}))
	}
	pv, err := s.rulePreview(c.Request().Context(), in, s.Clock.Now(), ruleFingerprint(in.rule))
	if problems, _, ok := invalidProblems(err); ok {
		return render(c, http.StatusOK, views.RulePreviewPanel(&views.RulePreviewView{Problems: ruleProblems(problems)}))
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RulePreviewPanel(pv))
}

// rulePreview runs the dry run and puts it into words.
func (s *Server) rulePreview(ctx context.Context, in ruleInput, now time.Time, fingerprint string) (*views.RulePreviewView, error) {
	r := in.rule
	p, err := s.Engine.PreviewRule(ctx, &r, now)
	if err != nil {
		return nil, err
	}
	v := &views.RulePreviewView{
		Fingerprint: fingerprint, Who: p.Rule.WhoWords(), Due: p.Rule.DueWords(), Recurrence: p.Rule.Recurrence().Words(),
		Matched: p.Matched, Assigned: p.Assigned, NewCycles: p.NewCycles, StillValid: p.Assigned - p.NewCycles,
		Closed: p.Closed, Unchanged: p.Unchanged, Hired: compliance.FormatDay(in.exampleHire),
	}
	if !p.FirstDue.IsZero() {
		v.FirstDue, v.LastDue = compliance.FormatDay(p.FirstDue), compliance.FormatDay(p.LastDue)
	}
	person := func(pp compliance.PreviewPerson) views.RulePreviewPerson {
		out := views.RulePreviewPerson{Name: pp.Name, Department: pp.Department, JobTitle: pp.JobTitle, Due: "—", Why: pp.Why}
		if pp.DueAt != nil {
			out.Due = compliance.FormatDay(*pp.DueAt)
		}
		return out
	}
	for _, pp := range p.AssignedSample {
		v.AssignedSample = append(v.AssignedSample, person(pp))
	}
	for _, pp := range p.ClosedSample {
		v.ClosedSample = append(v.ClosedSample, person(pp))
	}
	step := func(st compliance.TimelineStep) views.RuleTimelineStep {
		return views.RuleTimelineStep{Date: compliance.FormatDay(st.At), What: st.What, Why: st.Why}
	}
	tl := p.Rule.Timeline(in.exampleHire, now)
	for _, st := range tl.Steps {
		v.Timeline = append(v.Timeline, step(st))
	}
	for _, st := range tl.Late {
		v.Late = append(v.Late, step(st))
	}
	if tl.Existing != nil {
		e := step(*tl.Existing)
		v.Existing = &e
	}
	return v, nil
}

// ruleFormView builds the whole form: the values as typed, the courses and
// the departments, job titles and locations of the staff list.
func (s *Server) ruleFormView(ctx context.Context, stored *compliance.Rule, in ruleInput) (views.RuleFormView, error) {
	v := in.typed
	v.Problems = in.problems
	courses, err := s.rulesCourses(ctx)
	if err != nil {
		return v, err
	}
	if stored == nil {
		v.Heading, v.Action, v.PreviewURL = "New assignment rule", "/admin/rules/new", "/admin/rules/new/preview"
		v.Courses = courses.options(in.rule.CourseID)
	} else {
		base := "/admin/rules/" + url.PathEscape(stored.ID)
		v.ID, v.Heading, v.Action, v.PreviewURL = stored.ID, "Edit rule: "+stored.Name, base+"/edit", base+"/preview"
		v.CourseTitle, v.FromCourseFile = courses.title(stored.CourseID), stored.Source == "course"
	}
	for _, g := range []struct {
		column   string
		selected []string
		dst      *[]views.RuleChoice
	}{
		{"department", in.rule.Departments, &v.Departments},
		{"job_title", in.rule.JobTitles, &v.JobTitles},
		{"location", in.rule.Locations, &v.Locations},
	} {
		if *g.dst, err = s.ruleChoices(ctx, g.column, g.selected); err != nil {
			return v, err
		}
	}
	return v, nil
}

// ruleChoices lists the distinct values of one employee column (few, even
// at 100,000 people), case-insensitively once each as the rules match, plus
// any value the rule names that nobody has any more.
func (s *Server) ruleChoices(ctx context.Context, column string, selected []string) ([]views.RuleChoice, error) {
	values, err := s.People.ActiveValues(ctx, column)
	if err != nil {
		return nil, err
	}
	var out []views.RuleChoice
	seen := map[string]bool{}
	add := func(v string) {
		key := strings.ToLower(strings.TrimSpace(v))
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		checked := false
		for _, sel := range selected {
			if strings.EqualFold(strings.TrimSpace(sel), strings.TrimSpace(v)) {
				checked = true
			}
		}
		out = append(out, views.RuleChoice{Value: strings.TrimSpace(v), Checked: checked})
	}
	for _, v := range values {
		add(v)
	}
	for _, sel := range selected {
		add(sel)
	}
	return out, nil
}

func rulesPeople(n int) string {
	if n == 1 {
		return "1 person"
	}
	return strconv.Itoa(n) + " people"
}
