package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// learnerCourse shows a course: status, progress, modules and steps.
func (s *Server) learnerCourse(c echo.Context) error {
	ctx := c.Request().Context()
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	var cert *learning.Certificate
	if j.Cycle.Status == compliance.StatusCompleted {
		if cert, err = s.Learning.CertificateForCycle(ctx, j.Cycle.ID); err != nil {
			return err
		}
	}
	v := views.CourseView{Card: courseCard(j, cert, s.Clock.Now()), EstimatedMinutes: j.Course.Minutes(j.Cycle.Path == compliance.PathRefresher)}
	_, resume := j.Resume()
	onPath := map[string]bool{}
	for _, m := range j.Path {
		onPath[m.ID] = true
		v.Modules = append(v.Modules, moduleItem(j, m, resume))
	}
	for _, list := range [][]*catalog.Module{j.Course.Modules, j.Course.RefresherModules} {
		for _, m := range list {
			if !onPath[m.ID] {
				onPath[m.ID] = true
				v.Extra = append(v.Extra, moduleItem(j, m, nil))
			}
		}
	}
	for _, r := range j.Course.Resources {
		v.Resources = append(v.Resources, views.LinkItem{Title: r.Title, URL: courseURL(j.Course.ID) + "/resources/" + r.ID})
	}
	v.Help = courseHelp(j.Course)
	certs, err := s.Learning.Certificates(ctx, j.Employee.ID)
	if err != nil {
		return err
	}
	for _, ct := range certs {
		if ct.CourseID == j.Course.ID && ct.CycleID != j.Cycle.ID {
			v.Earlier = append(v.Earlier, views.LinkItem{Title: "Completed " + formatDay(ct.CompletedAt), URL: certificateURL(ct.Code)})
		}
	}
	noStore(c)
	return render(c, http.StatusOK, views.LearnerCourse(s.page(c, j.Course.Title, "learn"), v))
}

func moduleItem(j *learning.Journey, m *catalog.Module, current *catalog.Step) views.ModuleItem {
	done, total := j.ModuleCounts(m)
	return views.ModuleItem{
		Title: m.Title, URL: moduleURL(j.Course.ID, m.ID), Minutes: m.Minutes,
		Done: done, Total: total, Steps: stepItems(j, m, current),
	}
}

func stepItems(j *learning.Journey, m *catalog.Module, current *catalog.Step) []views.StepItem {
	items := make([]views.StepItem, len(m.Steps))
	for i, st := range m.Steps {
		items[i] = views.StepItem{
			Title: st.Title, URL: stepURL(j.Course.ID, m.ID, st.ID), TypeLabel: stepTypeLabel(st.Type),
			Done: j.Done(m.ID, st.ID), Current: current != nil && current == st, Required: st.Required,
		}
		if l := j.Locked(m, st); l != nil {
			items[i].Locked = "opens once the other steps are done"
			if !l.Acknowledgement {
				items[i].Locked = "opens once the steps before it are done"
			}
		}
	}
	return items
}

func stepTypeLabel(t catalog.StepType) string {
	switch t {
	case catalog.StepVideo:
		return "Video"
	case catalog.StepQuiz:
		return "Quiz"
	case catalog.StepAcknowledgement:
		return "Policy to sign"
	case catalog.StepSession:
		return "Classroom session"
	case catalog.StepCheckoff:
		return "Skills check-off"
	default:
		return "Reading"
	}
}

// learnerModule resumes a module: it sends the learner to its first step
// not yet done, on whichever device they pick it up.
func (s *Server) learnerModule(c echo.Context) error {
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	m, _, err := j.Find(c.Param("module"), "")
	if err != nil {
		return err
	}
	st := j.ResumeIn(m)
	if st == nil {
		return c.Redirect(http.StatusSeeOther, courseURL(j.Course.ID))
	}
	return c.Redirect(http.StatusSeeOther, stepURL(j.Course.ID, m.ID, st.ID))
}

// learnerFinished congratulates the learner once the course is complete.
func (s *Server) learnerFinished(c echo.Context) error {
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	if j.Cycle.Status != compliance.StatusCompleted {
		return c.Redirect(http.StatusSeeOther, courseURL(j.Course.ID))
	}
	cert, err := s.Learning.CertificateForCycle(c.Request().Context(), j.Cycle.ID)
	if err != nil {
		return err
	}
	v := views.FinishedView{
		CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID),
		Completed: formatDayPtr(j.Cycle.CompletedAt), Expires: formatDayPtr(j.Cycle.ExpiresAt),
	}
	if cert != nil {
		v.CertificateURL = certificateURL(cert.Code)
	}
	noStore(c)
	return render(c, http.StatusOK, views.LearnerFinished(s.page(c, "You've finished "+j.Course.Title, "learn"), v))
}
