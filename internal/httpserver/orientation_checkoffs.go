package httpserver

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/web/views"
)

func checkoffURL(personID, courseID, moduleID, stepID string) string {
	return "/people/" + url.PathEscape(personID) + "/checkoffs/" + url.PathEscape(courseID) + "/" + url.PathEscape(moduleID) + "/" + url.PathEscape(stepID)
}

func skillRows(cl *orientation.Checklist) []views.SkillRow {
	var out []views.SkillRow
	for _, sk := range cl.Step.Checkoff.Skills {
		r := views.SkillRow{ID: sk.ID, Title: sk.Title, Observe: sk.Observe}
		if m := cl.Latest[sk.ID]; m != nil {
			r.Status, r.Comment, r.By, r.When = "not_met", m.Comment, m.ObserverName, formatMoment(m.MarkedAt)
			if m.Met {
				r.Status = "met"
			}
		}
		out = append(out, r)
	}
	return out
}

func signedOf(so *orientation.SignOff) *views.Signed {
	if so == nil {
		return nil
	}
	return &views.Signed{Name: so.PrintedName, When: formatMoment(so.SignedAt), Meaning: so.Meaning}
}

// adminObservers is HR's list of observers with the add form.
func (s *Server) adminObservers(c echo.Context) error {
	return s.renderObservers(c, "", nil, http.StatusOK)
}

func (s *Server) renderObservers(c echo.Context, email string, err error, status int) error {
	obs, lerr := s.Orientation.Observers(c.Request().Context())
	if lerr != nil {
		return lerr
	}
	v := views.ObserversView{Email: email}
	for _, co := range s.Catalog.Courses {
		v.Courses = append(v.Courses, views.Option{Value: co.ID, Label: co.Title})
	}
	for _, o := range obs {
		course := "Every course"
		if co := s.Catalog.Course(o.CourseID); co != nil {
			course = co.Title
		}
		dept := o.Department
		if dept == "" {
			dept = "Every department"
		}
		v.Rows = append(v.Rows, views.ObserverRow{ID: o.ID, Name: o.Name, Course: course, Department: dept})
	}
	if e := apperr.As(err); e != nil {
		for _, pr := range e.Problems {
			v.Problems = append(v.Problems, views.PersonFormProblem{Field: pr.Field, Message: pr.Message})
		}
	}
	p := s.page(c, "Check-off observers", "admin")
	noStore(c)
	return render(c, status, views.AdminObservers(p, v))
}

func (s *Server) adminObserverAdd(c echo.Context) error {
	err := s.Orientation.AddObserver(c.Request().Context(), viewerOf(c).Employee, c.FormValue("email"), c.FormValue("course"), c.FormValue("department"))
	if apperr.CodeOf(err) == apperr.Invalid {
		return s.renderObservers(c, c.FormValue("email"), err, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, "/admin/observers")
}

func (s *Server) adminObserverDelete(c echo.Context) error {
	if err := s.Orientation.RemoveObserver(c.Request().Context(), viewerOf(c).Employee, c.Param("id")); err != nil {
		return err
	}
	return redirectSeeOther(c, "/admin/observers")
}

// checkoffs is the observer's entry page: find a person by e-mail and
// list their open check-offs.
func (s *Server) checkoffs(c echo.Context) error {
	ctx := c.Request().Context()
	v := views.CheckoffsView{Email: c.QueryParam("email")}
	if v.Email != "" {
		person, err := s.People.ByEmail(ctx, v.Email)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			v.Problem = "No one in Onramp has the e-mail " + v.Email + "."
		case err != nil:
			return err
		default:
			v.Person = person.FullName()
			for _, co := range s.Catalog.Courses {
				steps := checkoffSteps(co)
				if len(steps) == 0 {
					continue
				}
				cy, err := s.Cycles.CurrentFor(ctx, person.ID, co.ID)
				if apperr.CodeOf(err) == apperr.NotFound || (err == nil && cy.Status == compliance.StatusClosed) {
					continue
				}
				if err != nil {
					return err
				}
				for _, st := range steps {
					v.Links = append(v.Links, views.LinkItem{Title: co.Title + ": " + st[1].Title, URL: checkoffURL(person.ID, co.ID, st[0].ID, st[1].ID)})
				}
			}
		}
	}
	noStore(c)
	return render(c, http.StatusOK, views.Checkoffs(s.page(c, "Skills check-offs", ""), v))
}

// checkoffSteps lists a course's checkoff steps as (module, step) pairs.
func checkoffSteps(co *catalog.Course) [][2]checkoffRef {
	var out [][2]checkoffRef
	for _, m := range co.AllModules() {
		for _, st := range m.Steps {
			if st.Type == catalog.StepCheckoff {
				out = append(out, [2]checkoffRef{{ID: m.ID, Title: m.Title}, {ID: st.ID, Title: st.Title}})
			}
		}
	}
	return out
}

type checkoffRef struct{ ID, Title string }

// checklist shows a person's check-off to an observer (marks and sign) or
// read only to HR.
func (s *Server) checklist(c echo.Context) error {
	return s.renderChecklist(c, "", "", "", http.StatusOK)
}

func (s *Server) renderChecklist(c echo.Context, problem, nameError, typed string, status int) error {
	viewer := viewerOf(c).Employee
	cl, err := s.Orientation.Checklist(c.Request().Context(), viewer, c.Param("id"), c.Param("course"), c.Param("module"), c.Param("step"))
	if err != nil {
		return err
	}
	if cl.Person.ID == viewer.ID {
		// The learner reads their own list on the course's step.
		return redirectSeeOther(c, stepURL(cl.Course.ID, cl.Module.ID, cl.Step.ID))
	}
	v := views.ChecklistView{
		Person: cl.Person.FullName(), JobTitle: cl.Person.JobTitle, Course: cl.Course.Title, Title: cl.Step.Title,
		ActionURL: checkoffURL(cl.Person.ID, cl.Course.ID, cl.Module.ID, cl.Step.ID), Skills: skillRows(cl),
		MaySign: cl.MaySign, AllMet: cl.AllMet(), Statement: cl.Statement(), ExpectedName: viewer.FullName(),
		Signed: signedOf(cl.SignOff), Problem: problem, NameError: nameError, TypedName: typed,
	}
	p := s.page(c, cl.Step.Title+": "+cl.Person.FullName(), "")
	if c.QueryParam("done") == "marked" {
		p.Flash = "Marks saved."
	}
	noStore(c)
	return render(c, status, views.CheckoffChecklist(p, v))
}

func (s *Server) checklistMarks(c echo.Context) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	co := s.Catalog.Course(c.Param("course"))
	st := co.Module(c.Param("module")).Step(c.Param("step"))
	if st == nil || st.Checkoff == nil {
		return orientation.ErrNoCheckoff
	}
	in := map[string]orientation.SkillInput{}
	for _, sk := range st.Checkoff.Skills {
		in[sk.ID] = orientation.SkillInput{Status: c.FormValue("skill-" + sk.ID), Comment: c.FormValue("comment-" + sk.ID)}
	}
	if err := s.Orientation.MarkSkills(ctx, viewer, c.Param("id"), c.Param("course"), c.Param("module"), c.Param("step"), in); err != nil {
		return err
	}
	return redirectSeeOther(c, checkoffURL(c.Param("id"), c.Param("course"), c.Param("module"), c.Param("step"))+"?done=marked")
}

func (s *Server) checklistSign(c echo.Context) error {
	viewer := viewerOf(c).Employee
	_, err := s.Orientation.SignOffCheckoff(c.Request().Context(), viewer, c.Param("id"), c.Param("course"), c.Param("module"), c.Param("step"),
		orientation.Sign{TypedName: c.FormValue("full_name"), IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		return s.renderChecklist(c, "", apperr.MessageOf(err), c.FormValue("full_name"), http.StatusUnprocessableEntity)
	case apperr.Conflict:
		return s.renderChecklist(c, apperr.MessageOf(err), "", c.FormValue("full_name"), http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, checkoffURL(c.Param("id"), c.Param("course"), c.Param("module"), c.Param("step")))
}
