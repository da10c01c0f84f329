package httpserver_test

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestQuizAttemptsLimitAndShuffle fails the fixture quiz three times (its
// limit): options come in a different order at least once, every attempt is
// stored with its answers, and after the last one the learner is told what
// to do.
func TestQuizAttemptsLimitAndShuffle(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.App.Learning.Rand = rand.New(rand.NewPCG(7, 11)) // deterministic draws
	emp, c := newLearner(t, env, "grace@example.org", "Grace", "Hopper", people.RoleLearner)
	assignBasic(t, env, emp)

	orders := map[string]bool{}
	var attempts []string
	for i := 1; i <= 3; i++ {
		attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
		// Starting again before submitting returns the same attempt: no redraws.
		if again := location(t, c.Post(basicStep+"check/quiz", nil)); again != attemptURL {
			t.Fatalf("a second start drew a new attempt: %s then %s", attemptURL, again)
		}
		res := c.Get(attemptURL)
		mustStatus(t, res, http.StatusOK)
		assertNoAnswerKey(t, env, res.Body)
		doc := learnerDoc(t, res)
		var order []string
		doc.Find("fieldset.question").First().Find("input").Each(func(_ int, s *goquerySelection) {
			v, _ := s.Attr("value")
			order = append(order, v)
		})
		orders[strings.Join(order, ",")] = true

		form := answers(t, env, doc, false)
		if i == 1 {
			form.Del(doc.Find("fieldset.question").Last().Find("input").AttrOr("name", ""))
		}
		mustRedirect(t, c.Post(attemptURL, form), attemptURL)
		res = c.Get(attemptURL)
		mustStatus(t, res, http.StatusOK)
		doc = learnerDoc(t, res)
		if i == 1 && !strings.Contains(doc.Find("[data-testid=unanswered]").Text(), "question 3 unanswered") {
			t.Errorf("the result does not say question 3 was unanswered:\n%s", doc.Find("[data-testid=quiz-summary]").Text())
		}
		if doc.Find("[data-testid=result]").Length() != 3 || doc.Find(".explanation").Length() != 3 {
			t.Error("the result must show every question with its explanation")
		}
		if i < 3 && doc.Find("[data-testid=quiz-retry]").Length() != 1 {
			t.Errorf("attempt %d: no way to try again", i)
		}
		// The right options are shown only when no attempt is left, so a
		// retry is not a copying exercise.
		if revealed := doc.Find(".option-right").Length() > 0; revealed != (i == 3) {
			t.Errorf("attempt %d: right answers revealed = %v", i, revealed)
		}
		attempts = append(attempts, attemptURL)
	}
	if len(orders) < 2 {
		t.Errorf("the options were in the same order on every attempt: %v", orders)
	}

	// After the last failed attempt: a clear message, and no fourth attempt.
	res := c.Get(attempts[2])
	exhausted := learnerDoc(t, res).Find("[data-testid=quiz-exhausted]").Text()
	if !strings.Contains(exhausted, "Contact your manager or your HR team") {
		t.Errorf("no advice after the last attempt:\n%s", res.Body)
	}
	res = c.Get(basicStep + "check")
	if learnerDoc(t, res).Find("[data-testid=quiz-exhausted]").Length() != 1 || learnerDoc(t, res).Find("[data-testid=quiz-start]").Length() != 0 {
		t.Error("the quiz step still offers an attempt")
	}
	res = c.Post(basicStep+"check/quiz", nil)
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(learnerDoc(t, res).Text(), "Contact your manager or your HR team") {
		t.Errorf("refusal does not say what to do:\n%s", res.Body)
	}

	// Every attempt is stored with its answers.
	var stored []learning.QuizAttempt
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Order("number").Find(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 {
		t.Fatalf("stored %d attempts, want 3", len(stored))
	}
	for _, a := range stored {
		if !a.Submitted() || a.Passed || a.Answers == "{}" || a.QuestionCount != 3 || a.PassMark != 100 {
			t.Errorf("attempt %d stored as %+v", a.Number, a)
		}
	}
}

// TestQuizPassCompletesTheStep: a passed attempt completes the step, and no
// new attempt is started afterwards.
func TestQuizPassCompletesTheStep(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "alan@example.org", "Alan", "Turing", people.RoleLearner)
	assignBasic(t, env, emp)
	attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
	doc := learnerDoc(t, c.Get(attemptURL))
	mustRedirect(t, c.Post(attemptURL, answers(t, env, doc, true)), attemptURL)
	res := c.Get(basicStep + "check")
	doc = learnerDoc(t, res)
	if doc.Find("[data-testid=quiz-passed]").Length() != 1 || doc.Find("[data-testid=step-done]").Length() != 1 {
		t.Errorf("the quiz step does not show it was passed:\n%s", res.Body)
	}
	mustStatus(t, c.Post(basicStep+"check/quiz", nil), http.StatusConflict)
}
