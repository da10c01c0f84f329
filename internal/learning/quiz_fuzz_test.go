package learning

import (
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// fuzzQuiz has every question type, more questions than it draws, and
// shuffled options, so a seed changes which questions are on the paper.
func fuzzQuiz() *catalog.Quiz {
	return &catalog.Quiz{PassMark: 67, Draw: 3, ShuffleOptions: true, Questions: []*catalog.Question{
		{ID: "q1", Type: catalog.SingleChoice, Text: "One?", Options: []*catalog.Option{
			{ID: "a", Text: "A"}, {ID: "b", Text: "B", Correct: true}, {ID: "c", Text: "C"}}},
		{ID: "q2", Type: catalog.MultipleChoice, Text: "Several?", Options: []*catalog.Option{
			{ID: "a", Text: "A", Correct: true}, {ID: "b", Text: "B"}, {ID: "c", Text: "C", Correct: true}, {ID: "d", Text: "D", Correct: true}}},
		{ID: "q3", Type: catalog.TrueFalse, Text: "True?", Options: []*catalog.Option{
			{ID: catalog.TrueOptionID, Text: "True"}, {ID: catalog.FalseOptionID, Text: "False", Correct: true}}},
		{ID: "q4", Type: catalog.MultipleChoice, Text: "Only one of many?", Options: []*catalog.Option{
			{ID: "x", Text: "X"}, {ID: "y", Text: "Y", Correct: true}}},
		{ID: "answer-q5", Type: catalog.SingleChoice, Text: "A prefix in the ID?", Options: []*catalog.Option{
			{ID: "a", Text: "A", Correct: true}, {ID: "b", Text: "B"}}},
	}}
}

// FuzzGradeAttempt submits an arbitrary answers form (as the quiz page
// posts it: answer-<question ID>=<option ID>, repeated for several choices)
// against an attempt drawn with an arbitrary seed. Grading must never panic;
// the score stays within 0–100 and agrees with the count; nothing is
// accepted for a question not on the paper or an option not on the
// question; and the answers kept with the attempt regrade to the same
// result (the result page regrades from what was stored). The seed corpus
// is in testdata/fuzz/FuzzGradeAttempt.
func FuzzGradeAttempt(f *testing.F) {
	f.Add(uint64(1), "answer-q1=b&answer-q2=a&answer-q2=c&answer-q2=d&answer-q3=false")
	f.Add(uint64(7), "answer-q4=x&answer-q4=y&answer-q4=y&answer-q9=a&answer-answer-q5=a")
	f.Add(uint64(42), "answer-q1=a&answer-q1=b&answer-q3=true&answer-q3=false&csrf_token=x")
	quiz := fuzzQuiz()
	f.Fuzz(func(t *testing.T, seed uint64, form string) {
		draw := DrawQuestions(quiz, rand.New(rand.NewPCG(seed, seed>>7|1)))
		checkDraw(t, quiz, draw)
		values, err := url.ParseQuery(form)
		if err != nil {
			return // the handler answers 400 before grading
		}
		answers := map[string][]string{}
		for k, vals := range values {
			if id, ok := strings.CutPrefix(k, "answer-"); ok {
				answers[id] = vals
			}
		}

		g := GradeAttempt(draw, answers, quiz.PassMark)
		if g.QuestionCount != len(draw) || len(g.Results) != len(draw) {
			t.Fatalf("%d questions drawn, grade counts %d with %d results", len(draw), g.QuestionCount, len(g.Results))
		}
		if g.CorrectCount < 0 || g.CorrectCount > g.QuestionCount || g.ScorePercent < 0 || g.ScorePercent > 100 {
			t.Fatalf("score %d%% (%d of %d)", g.ScorePercent, g.CorrectCount, g.QuestionCount)
		}
		if g.ScorePercent != g.CorrectCount*100/g.QuestionCount || g.Passed != (g.ScorePercent >= quiz.PassMark) {
			t.Fatalf("score %d%%, passed %v for %d of %d at pass mark %d", g.ScorePercent, g.Passed, g.CorrectCount, g.QuestionCount, quiz.PassMark)
		}
		onPaper := map[string]bool{}
		correct := 0
		for i, r := range g.Results {
			q := draw[i]
			onPaper[q.ID] = true
			if r.Question.ID != q.ID {
				t.Fatalf("result %d is for %s, the paper's question %d is %s", i, r.Question.ID, i, q.ID)
			}
			checkResult(t, q, r)
			if r.Correct {
				correct++
			}
		}
		if correct != g.CorrectCount {
			t.Fatalf("%d results correct, grade says %d", correct, g.CorrectCount)
		}

		// Answers to questions not on the paper change nothing.
		paperOnly := map[string][]string{}
		for id, vals := range answers {
			if onPaper[id] {
				paperOnly[id] = vals
			}
		}
		if again := GradeAttempt(draw, paperOnly, quiz.PassMark); !reflect.DeepEqual(again, g) {
			t.Fatalf("answers off the paper changed the grade:\n%+v\n%+v", g, again)
		}

		// What SubmitAttempt keeps regrades to the same result.
		kept := map[string][]string{}
		for _, r := range g.Results {
			kept[r.Question.ID] = append([]string{}, r.Chosen...)
		}
		questions, _ := json.Marshal(draw)
		stored, _ := json.Marshal(kept)
		regraded, err := (&QuizAttempt{Questions: string(questions), Answers: string(stored), PassMark: quiz.PassMark}).Grade()
		if err != nil {
			t.Fatalf("regrade the stored attempt: %v", err)
		}
		if regraded.ScorePercent != g.ScorePercent || regraded.CorrectCount != g.CorrectCount || regraded.Passed != g.Passed {
			t.Fatalf("the stored attempt regrades to %d%% (%d), graded %d%% (%d)", regraded.ScorePercent, regraded.CorrectCount, g.ScorePercent, g.CorrectCount)
		}
		for i := range g.Results {
			if !reflect.DeepEqual(regraded.Results[i].Chosen, g.Results[i].Chosen) {
				t.Fatalf("question %s: stored choices %v, graded %v", g.Results[i].Question.ID, regraded.Results[i].Chosen, g.Results[i].Chosen)
			}
		}
	})
}

// checkDraw: the draw holds Draw distinct questions of the quiz, each with
// exactly its options.
func checkDraw(t *testing.T, quiz *catalog.Quiz, draw []DrawnQuestion) {
	t.Helper()
	if len(draw) != quiz.Draw {
		t.Fatalf("drew %d questions, want %d", len(draw), quiz.Draw)
	}
	byID := map[string]*catalog.Question{}
	for _, q := range quiz.Questions {
		byID[q.ID] = q
	}
	seen := map[string]bool{}
	for _, dq := range draw {
		q := byID[dq.ID]
		if q == nil || seen[dq.ID] || len(dq.Options) != len(q.Options) {
			t.Fatalf("drawn question %+v is not one of the quiz's, or repeated", dq)
		}
		seen[dq.ID] = true
	}
}

// checkResult: the choices kept are options of the question, once each,
// at most one for a single-answer question; a right answer is exactly the
// correct set.
func checkResult(t *testing.T, q DrawnQuestion, r QuestionResult) {
	t.Helper()
	valid, want := map[string]bool{}, map[string]bool{}
	for _, o := range q.Options {
		valid[o.ID] = true
		if o.Correct {
			want[o.ID] = true
		}
	}
	chosen := map[string]bool{}
	for _, id := range r.Chosen {
		if !valid[id] || chosen[id] {
			t.Fatalf("question %s: choice %q is not an option, or chosen twice: %v", q.ID, id, r.Chosen)
		}
		chosen[id] = true
	}
	if q.Type != string(catalog.MultipleChoice) && len(r.Chosen) > 1 {
		t.Fatalf("single-answer question %s kept %d choices", q.ID, len(r.Chosen))
	}
	if r.Unanswered != (len(r.Chosen) == 0) {
		t.Fatalf("question %s: unanswered %v with choices %v", q.ID, r.Unanswered, r.Chosen)
	}
	if r.Correct != (len(chosen) > 0 && reflect.DeepEqual(chosen, want)) {
		t.Fatalf("question %s: correct = %v for choices %v, key %v", q.ID, r.Correct, r.Chosen, want)
	}
}
