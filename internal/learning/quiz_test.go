package learning

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/onramp-lms/onramp/internal/catalog"
)

func testQuiz() *catalog.Quiz {
	return &catalog.Quiz{PassMark: 60, ShuffleOptions: true, Questions: []*catalog.Question{
		{ID: "q1", Type: catalog.SingleChoice, Text: "One?", Explanation: "Because one.", Options: []*catalog.Option{
			{ID: "a", Text: "A"}, {ID: "b", Text: "B", Correct: true}, {ID: "c", Text: "C"}, {ID: "d", Text: "D"}}},
		{ID: "q2", Type: catalog.MultipleChoice, Text: "Several?", Explanation: "Because two.", Options: []*catalog.Option{
			{ID: "a", Text: "A", Correct: true}, {ID: "b", Text: "B"}, {ID: "c", Text: "C", Correct: true}}},
		{ID: "q3", Type: catalog.TrueFalse, Text: "True?", Explanation: "Because false.", Options: []*catalog.Option{
			{ID: "true", Text: "True"}, {ID: "false", Text: "False", Correct: true}}},
	}}
}

func TestDrawQuestions(t *testing.T) {
	t.Parallel()
	q := testQuiz()
	r := rand.New(rand.NewPCG(1, 2))
	orders := map[string]bool{}
	for i := 0; i < 20; i++ {
		d := DrawQuestions(q, r)
		if len(d) != 3 {
			t.Fatalf("drew %d questions, want all 3", len(d))
		}
		if d[2].Options[0].ID != "true" {
			t.Error("true/false options must keep their order")
		}
		var order string
		for _, o := range d[0].Options {
			order += o.ID
		}
		orders[order] = true
	}
	if len(orders) < 2 {
		t.Errorf("options were never shuffled: %v", orders)
	}

	q.Draw = 2
	seen := map[string]bool{}
	for i := 0; i < 30; i++ {
		d := DrawQuestions(q, r)
		if len(d) != 2 {
			t.Fatalf("drew %d, want 2", len(d))
		}
		for _, x := range d {
			seen[x.ID] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("draws of 2 never reached every question: %v", seen)
	}

	q.ShuffleOptions = false
	d := DrawQuestions(q, r)
	if d[0].Options[0].ID != "a" {
		t.Error("options shuffled although the quiz says not to")
	}
}

func TestPaperHasNoAnswerKey(t *testing.T) {
	t.Parallel()
	d := DrawQuestions(testQuiz(), rand.New(rand.NewPCG(3, 4)))
	typ := reflect.TypeOf(PaperQuestion{})
	for i := 0; i < typ.NumField(); i++ {
		if n := typ.Field(i).Name; n == "Explanation" || n == "Correct" {
			t.Errorf("PaperQuestion has field %s", n)
		}
	}
	if reflect.TypeOf(PaperOption{}).NumField() != 2 {
		t.Error("PaperOption must hold only ID and Text")
	}
	p := Paper(d)
	if !p[1].Multiple || p[0].Multiple {
		t.Error("Multiple flag wrong")
	}
}

func TestGradeAttempt(t *testing.T) {
	t.Parallel()
	d := DrawQuestions(&catalog.Quiz{Questions: testQuiz().Questions}, rand.New(rand.NewPCG(5, 6)))
	tests := []struct {
		name       string
		answers    map[string][]string
		correct    int
		score      int
		passed     bool
		unanswered int
	}{
		{"all right", map[string][]string{"q1": {"b"}, "q2": {"a", "c"}, "q3": {"false"}}, 3, 100, true, 0},
		{"multiple needs the exact set", map[string][]string{"q1": {"b"}, "q2": {"a"}, "q3": {"false"}}, 2, 66, true, 0},
		{"extra wrong option in multiple", map[string][]string{"q1": {"b"}, "q2": {"a", "b", "c"}, "q3": {"false"}}, 2, 66, true, 0},
		{"unanswered count as wrong", map[string][]string{"q1": {"b"}}, 1, 33, false, 2},
		{"unknown option ignored", map[string][]string{"q1": {"zzz"}, "q2": {"a", "c"}, "q3": {"false"}}, 2, 66, true, 1},
		{"two answers to a single question take the first", map[string][]string{"q1": {"a", "b"}, "q2": {"a", "c"}, "q3": {"false"}}, 2, 66, true, 0},
		{"nothing", nil, 0, 0, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := GradeAttempt(d, tt.answers, 60)
			if g.CorrectCount != tt.correct || g.ScorePercent != tt.score || g.Passed != tt.passed || len(g.Unanswered()) != tt.unanswered {
				t.Errorf("got correct=%d score=%d passed=%v unanswered=%d, want %d %d %v %d",
					g.CorrectCount, g.ScorePercent, g.Passed, len(g.Unanswered()), tt.correct, tt.score, tt.passed, tt.unanswered)
			}
		})
	}
	if g := GradeAttempt(d, map[string][]string{"q1": {"b"}, "q2": {"a"}}, 67); g.Passed {
		t.Error("66 (2 of 3, rounded down) must not pass a mark of 67")
	}
}
