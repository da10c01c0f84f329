package learning

import (
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// DrawnQuestion is a question as drawn for one attempt, options in the order
// shown. It holds the answer key, so it never leaves the server before the
// attempt is graded: pages get a Paper instead.
type DrawnQuestion struct {
	ID          string        `json:"id"`
	Type        string        `json:"type"`
	Text        string        `json:"text"`
	Explanation string        `json:"explanation"`
	Options     []DrawnOption `json:"options"`
}

// DrawnOption is one option of a drawn question.
type DrawnOption struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// PaperQuestion is a question as the learner sees it before submission: the
// text and the options, nothing that tells which is right.
type PaperQuestion struct {
	ID string
	// Multiple is true when more than one option may be chosen.
	Multiple bool
	Text     string
	Options  []PaperOption
}

// PaperOption is an option on the paper.
type PaperOption struct {
	ID   string
	Text string
}

// DrawQuestions draws an attempt's questions from the quiz's bank: Draw of
// them at random (all when 0), in the bank's order, each with its options
// shuffled when the quiz says so. True/false options keep their order.
func DrawQuestions(q *catalog.Quiz, r *rand.Rand) []DrawnQuestion {
	idx := make([]int, len(q.Questions))
	for i := range idx {
		idx[i] = i
	}
	if q.Draw > 0 && q.Draw < len(idx) {
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:q.Draw]
		sort.Ints(idx)
	}
	drawn := make([]DrawnQuestion, 0, len(idx))
	for _, i := range idx {
		cq := q.Questions[i]
		dq := DrawnQuestion{ID: cq.ID, Type: string(cq.Type), Text: cq.Text, Explanation: cq.Explanation}
		for _, o := range cq.Options {
			dq.Options = append(dq.Options, DrawnOption{ID: o.ID, Text: o.Text, Correct: o.Correct})
		}
		if q.ShuffleOptions && cq.Type != catalog.TrueFalse {
			r.Shuffle(len(dq.Options), func(i, j int) { dq.Options[i], dq.Options[j] = dq.Options[j], dq.Options[i] })
		}
		drawn = append(drawn, dq)
	}
	return drawn
}

// Paper strips the answer key from a draw.
func Paper(draw []DrawnQuestion) []PaperQuestion {
	paper := make([]PaperQuestion, len(draw))
	for i, q := range draw {
		p := PaperQuestion{ID: q.ID, Multiple: q.Type == string(catalog.MultipleChoice), Text: q.Text}
		for _, o := range q.Options {
			p.Options = append(p.Options, PaperOption{ID: o.ID, Text: o.Text})
		}
		paper[i] = p
	}
	return paper
}

// QuestionResult is one graded question.
type QuestionResult struct {
	Question DrawnQuestion
	// Chosen are the option IDs the learner chose.
	Chosen     []string
	Correct    bool
	Unanswered bool
}

// Chose reports whether the learner chose option id.
func (r QuestionResult) Chose(id string) bool { return slices.Contains(r.Chosen, id) }

// Grade is the result of grading an attempt.
type Grade struct {
	CorrectCount  int
	QuestionCount int
	// ScorePercent is rounded down, so 2 of 3 is 66, never a pass at 67.
	ScorePercent int
	PassMark     int
	Passed       bool
	Results      []QuestionResult
}

// Unanswered returns the questions left unanswered.
func (g Grade) Unanswered() []QuestionResult {
	var out []QuestionResult
	for _, r := range g.Results {
		if r.Unanswered {
			out = append(out, r)
		}
	}
	return out
}

// GradeAttempt grades answers (question ID → chosen option IDs) against the
// draw. A question is right only when the chosen set equals the correct set;
// an unanswered question is wrong. Options not in the draw are ignored.
func GradeAttempt(draw []DrawnQuestion, answers map[string][]string, passMark int) Grade {
	g := Grade{QuestionCount: len(draw), PassMark: passMark}
	for _, q := range draw {
		valid := map[string]bool{}
		want := map[string]bool{}
		for _, o := range q.Options {
			valid[o.ID] = true
			if o.Correct {
				want[o.ID] = true
			}
		}
		chosenSet := map[string]bool{}
		var chosen []string
		for _, id := range answers[q.ID] {
			if valid[id] && !chosenSet[id] {
				chosenSet[id] = true
				chosen = append(chosen, id)
			}
		}
		if q.Type != string(catalog.MultipleChoice) && len(chosen) > 1 {
			chosen = chosen[:1] // a single-answer question takes one answer
			chosenSet = map[string]bool{chosen[0]: true}
		}
		res := QuestionResult{Question: q, Chosen: chosen, Unanswered: len(chosen) == 0}
		res.Correct = !res.Unanswered && len(chosenSet) == len(want)
		for id := range want {
			if !chosenSet[id] {
				res.Correct = false
			}
		}
		if res.Correct {
			g.CorrectCount++
		}
		g.Results = append(g.Results, res)
	}
	if g.QuestionCount > 0 {
		g.ScorePercent = g.CorrectCount * 100 / g.QuestionCount
	}
	g.Passed = g.QuestionCount > 0 && g.ScorePercent >= passMark
	return g
}
