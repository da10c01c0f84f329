package httpserver

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// answerPrefix names a question's inputs: answer-<question ID>.
const answerPrefix = "answer-"

// learnerQuizStart starts an attempt (or returns to the open one).
func (s *Server) learnerQuizStart(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	if l := j.Locked(m, st); l != nil {
		return lockedError(l)
	}
	a, err := s.Learning.StartAttempt(c.Request().Context(), j, m, st)
	if err != nil {
		return err
	}
	return redirectSeeOther(c, stepURL(j.Course.ID, m.ID, st.ID)+"/quiz/"+a.ID)
}

// learnerQuizAttempt shows an open attempt's questions, or a submitted
// attempt's result with explanations.
func (s *Server) learnerQuizAttempt(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	if st.Type != catalog.StepQuiz {
		return errNoPage
	}
	a, err := s.Learning.Attempt(c.Request().Context(), j, m, st, c.Param("attempt"))
	if err != nil {
		return err
	}
	noStore(c)
	if !a.Submitted() {
		return s.renderAttempt(c, j, m, st, a)
	}
	return s.renderResult(c, j, m, st, a)
}

// learnerQuizSubmit grades an attempt on the server and shows the result.
func (s *Server) learnerQuizSubmit(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return errUnreadableForm
	}
	answers := map[string][]string{}
	for k, vals := range form {
		if id, ok := strings.CutPrefix(k, answerPrefix); ok {
			answers[id] = vals
		}
	}
	a, _, _, err := s.Learning.SubmitAttempt(c.Request().Context(), j, m, st, c.Param("attempt"), answers)
	if err != nil {
		return err
	}
	return redirectSeeOther(c, stepURL(j.Course.ID, m.ID, st.ID)+"/quiz/"+a.ID)
}

func (s *Server) renderAttempt(c echo.Context, j *learning.Journey, m *catalog.Module, st *catalog.Step, a *learning.QuizAttempt) error {
	paper, err := a.Paper()
	if err != nil {
		return err
	}
	base := stepURL(j.Course.ID, m.ID, st.ID)
	v := views.QuizAttemptView{
		CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID), ModuleTitle: m.Title,
		StepTitle: st.Title, StepURL: base, Number: a.Number, Limit: st.Quiz.Attempts,
		PassMark: a.PassMark, SubmitURL: base + "/quiz/" + a.ID,
	}
	for i, q := range paper {
		qv := views.QuizQuestion{Number: i + 1, Name: answerPrefix + q.ID, Text: q.Text, Multiple: q.Multiple}
		for k, o := range q.Options {
			qv.Options = append(qv.Options, views.QuizOption{
				ID: o.ID, Text: o.Text, InputID: "q" + strconv.Itoa(i+1) + "-o" + strconv.Itoa(k+1),
			})
		}
		v.Questions = append(v.Questions, qv)
	}
	return render(c, http.StatusOK, views.LearnerQuizAttempt(s.page(c, st.Title+": attempt "+strconv.Itoa(a.Number), "learn"), v))
}

func (s *Server) renderResult(c echo.Context, j *learning.Journey, m *catalog.Module, st *catalog.Step, a *learning.QuizAttempt) error {
	g, err := a.Grade()
	if err != nil {
		return err
	}
	qs, err := s.Learning.QuizStatus(c.Request().Context(), j, m, st)
	if err != nil {
		return err
	}
	base := stepURL(j.Course.ID, m.ID, st.ID)
	v := views.QuizResultView{
		CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID), ModuleTitle: m.Title,
		StepTitle: st.Title, StepURL: base, Number: a.Number,
		Score: a.ScorePercent, PassMark: a.PassMark, Correct: a.CorrectCount, Count: a.QuestionCount, Passed: a.Passed,
		RetryURL: base + "/quiz", Remaining: qs.Remaining(), Unlimited: qs.Remaining() < 0,
	}
	latest := len(qs.Attempts) > 0 && qs.Attempts[len(qs.Attempts)-1].ID == a.ID
	v.CanRetry = latest && !a.Passed && qs.Passed == nil && qs.Remaining() != 0 && !j.ReadOnly()
	v.Exhausted = latest && qs.Exhausted()
	v.RevealKey = qs.Passed != nil || qs.Remaining() == 0
	if a.Passed {
		v.NextURL = afterStep(j, m, st)
		v.NextLabel = "Continue"
	}
	var unanswered []string
	for i, r := range g.Results {
		it := views.ResultItem{Number: i + 1, Text: r.Question.Text, Correct: r.Correct, Unanswered: r.Unanswered, Explanation: r.Question.Explanation}
		for _, o := range r.Question.Options {
			it.Options = append(it.Options, views.ResultOption{Text: o.Text, Chosen: r.Chose(o.ID), Correct: o.Correct})
		}
		if r.Unanswered {
			unanswered = append(unanswered, strconv.Itoa(i+1))
		}
		v.Items = append(v.Items, it)
	}
	v.Unanswered = questionList(unanswered)
	return render(c, http.StatusOK, views.LearnerQuizResult(s.page(c, st.Title+": result", "learn"), v))
}

// questionList writes question numbers in words: "question 2",
// "questions 1, 2 and 3".
func questionList(numbers []string) string {
	switch len(numbers) {
	case 0:
		return ""
	case 1:
		return "question " + numbers[0]
	}
	return "questions " + strings.Join(numbers[:len(numbers)-1], ", ") + " and " + numbers[len(numbers)-1]
}
