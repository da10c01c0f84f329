package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// courseHelp links a course's sessions (when it has a session step) and
// "Ask a question" (when it names a contact) from the course page.
func courseHelp(c *catalog.Course) []views.LinkItem {
	var out []views.LinkItem
	if len(learning.StepsOfType(c.AllModules(), catalog.StepSession)) > 0 {
		out = append(out, views.LinkItem{Title: "Classroom sessions: book or change", URL: courseURL(c.ID) + "/sessions"})
	}
	if c.Contact != nil {
		out = append(out, views.LinkItem{Title: "Ask a question (" + c.Contact.Name + ")", URL: courseURL(c.ID) + "/questions"})
	}
	return out
}

// courseQuestions shows the form and the learner's questions about a course.
func (s *Server) courseQuestions(c echo.Context) error {
	return s.renderQuestions(c, "", "", http.StatusOK)
}

func (s *Server) renderQuestions(c echo.Context, text, problem string, status int) error {
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	qs, err := s.Orientation.Questions(c.Request().Context(), j.Employee.ID, j.Course.ID)
	if err != nil {
		return err
	}
	v := views.QuestionsView{CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID), Text: text, Problem: problem}
	if ct := j.Course.Contact; ct != nil {
		v.Contact = ct.Name
	}
	for _, q := range qs {
		v.Rows = append(v.Rows, views.QuestionRow{Question: q.Question, Asked: formatMoment(q.AskedAt), Answered: formatMomentPtr(q.AnsweredAt)})
	}
	p := s.page(c, "Ask a question: "+j.Course.Title, "learn")
	if c.QueryParam("done") == "asked" {
		p.Flash = "Your question is on its way. The answer comes by e-mail."
	}
	noStore(c)
	return render(c, status, views.CourseQuestions(p, v))
}

// courseAsk sends the learner's question.
func (s *Server) courseAsk(c echo.Context) error {
	j, err := s.journey(c)
	if err != nil {
		return err
	}
	_, err = s.Orientation.Ask(c.Request().Context(), j.Employee, j.Course.ID, c.FormValue("question"))
	if apperr.CodeOf(err) == apperr.Invalid {
		return s.renderQuestions(c, c.FormValue("question"), apperr.MessageOf(err), http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, courseURL(j.Course.ID)+"/questions?done=asked")
}

// questionAnsweredForm is where the contact's e-mail link leads.
func (s *Server) questionAnsweredForm(c echo.Context) error {
	q, err := s.Orientation.QuestionByToken(c.Request().Context(), c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	noStore(c)
	return render(c, http.StatusOK, views.QuestionAnswered(s.page(c, "Mark a question answered", ""), views.AnsweredView{
		ID: q.ID, Token: c.QueryParam("token"), Question: q.Question, Answered: formatMomentPtr(q.AnsweredAt),
	}))
}

// questionAnswered records the answer time.
func (s *Server) questionAnswered(c echo.Context) error {
	if err := s.Orientation.MarkAnswered(c.Request().Context(), c.Param("id"), c.FormValue("token")); err != nil {
		return err
	}
	return redirectSeeOther(c, "/questions/"+c.Param("id")+"/answered?token="+c.FormValue("token"))
}
