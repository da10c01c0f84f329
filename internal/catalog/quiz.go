package catalog

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// bank is a question bank file, read once per course however many quizzes
// use it.
type bank struct {
	file      string
	questions []*Question
}

// The option IDs of a true_false question.
const (
	TrueOptionID  = "true"
	FalseOptionID = "false"
)

func (cl *courseLoader) parseQuiz(mf *moduleFile, m *ymap, st *Step, what string) {
	file := mf.file
	q := &Quiz{}
	st.Quiz = q
	if !m.has("pass_mark") {
		cl.add(file, m.node.Line, "quiz %s has no pass_mark: add `pass_mark:` with the percentage needed to pass (1-100)", what)
	} else {
		q.PassMark = m.integer("pass_mark", "quiz "+what, 0)
		if q.PassMark < 1 || q.PassMark > 100 {
			cl.add(file, m.line("pass_mark"), "quiz %s: pass_mark must be a percentage between 1 and 100, not %d", what, q.PassMark)
		}
	}
	q.Draw = m.integer("draw", "quiz "+what, 0)
	if q.Draw < 0 {
		cl.add(file, m.line("draw"), "quiz %s: draw cannot be negative: use 0 (or leave it out) to ask every question", what)
	}
	q.Attempts = m.integer("attempts", "quiz "+what, 0)
	if q.Attempts < 0 {
		cl.add(file, m.line("attempts"), "quiz %s: attempts cannot be negative: use 0 (or leave it out) for unlimited attempts", what)
	}
	q.ShuffleOptions = m.boolean("shuffle_options", "quiz "+what, true)

	size := "its questions number"
	switch bankPath := m.str("bank", "quiz "+what); {
	case m.has("bank") && m.has("questions"):
		cl.add(file, m.line("questions"), "quiz %s has both `bank` and `questions`: use one of them", what)
	case bankPath != "":
		q.Bank = bankPath
		size = "its bank has"
		if !cl.checkRef(file, m.line("bank"), "question bank", bankPath) {
			return
		}
		b := cl.loadBank(bankPath)
		mf.banks = append(mf.banks, b.file)
		// Each quiz gets its own slice, so no quiz can reorder another's.
		q.Questions = append([]*Question(nil), b.questions...)
	case m.has("questions"):
		items := m.seq("questions", "quiz "+what)
		q.Questions = cl.parseQuestions(file, items, "this quiz")
		if len(items) == 0 {
			cl.add(file, m.line("questions"), "quiz %s has no questions: list them under `questions:`", what)
		}
	default:
		cl.add(file, m.node.Line, "quiz %s has no questions: add `bank:` with a question bank file, or `questions:`", what)
	}
	if n := len(q.Questions); n > 0 && q.Draw > n {
		cl.add(file, m.line("draw"), "quiz %s draws %d questions, but %s only %d: lower `draw` or add questions", what, q.Draw, size, n)
	}
}

// loadBank reads a question bank file (p is inside the course), once.
func (cl *courseLoader) loadBank(p string) *bank {
	file := cl.fsPath(p)
	if b, ok := cl.banks[file]; ok {
		return b
	}
	b := &bank{file: file}
	cl.banks[file] = b
	data, err := cl.readText(file)
	if err != nil {
		cl.add(file, 0, "cannot read: %v", err)
		return b
	}
	root := cl.parseYAML(file, data, 0)
	if root == nil {
		return b
	}
	m := cl.mapping(file, root, "the question bank", "questions")
	if m == nil {
		return b
	}
	items := m.seq("questions", "the question bank")
	if len(items) == 0 {
		cl.add(file, m.line("questions"), "the question bank has no questions: list them under `questions:`")
	}
	b.questions = cl.parseQuestions(file, items, "this bank")
	return b
}

// parseQuestions reads a list of questions whose IDs must be unique within
// scope ("this bank").
func (cl *courseLoader) parseQuestions(file string, items []*yaml.Node, scope string) []*Question {
	var out []*Question
	seen := map[string]int{}
	for i, n := range items {
		q := cl.parseQuestion(file, n, fmt.Sprintf("question %d", i+1))
		if q == nil {
			continue
		}
		if q.ID != "" {
			if first, dup := seen[q.ID]; dup {
				cl.add(file, n.Line, "question ID `%s` is used twice in %s (first on line %d)", q.ID, scope, first)
				continue
			}
			seen[q.ID] = n.Line
		}
		out = append(out, q)
	}
	return out
}

// parseQuestion reads and checks one question.
func (cl *courseLoader) parseQuestion(file string, n *yaml.Node, what string) *Question {
	m := cl.mapping(file, n, what, "id", "type", "text", "options", "answer", "explanation")
	if m == nil {
		return nil
	}
	q := &Question{}
	q.ID = m.id(what)
	if q.ID != "" {
		what = fmt.Sprintf("question `%s`", q.ID)
	}
	q.Type = QuestionType(m.str("type", what))
	q.Text = m.str("text", what)
	q.Explanation = m.str("explanation", what)
	if q.Text == "" {
		cl.add(file, m.line("text"), "%s has no text: add `text:` with the question", what)
	}
	if q.Explanation == "" {
		cl.add(file, m.line("explanation"), "%s has no explanation: add `explanation:` saying why the right answer is right (shown after submission)", what)
	}
	switch q.Type {
	case SingleChoice, MultipleChoice:
		if m.has("answer") {
			cl.add(file, m.line("answer"), "%s: `answer` is only for true_false questions; mark the right option with `correct: true`", what)
		}
		q.Options = cl.parseOptions(file, m, what)
		correct := 0
		for _, o := range q.Options {
			if o.Correct {
				correct++
			}
		}
		switch {
		case len(q.Options) < 2:
			cl.add(file, m.line("options"), "%s has %d option(s): a %s question needs at least 2 under `options:`", what, len(q.Options), q.Type)
		case correct == 0 && q.Type == SingleChoice:
			cl.add(file, m.line("options"), "%s has no correct answer: mark one option `correct: true`", what)
		case correct == 0:
			cl.add(file, m.line("options"), "%s has no correct answer: mark every right option `correct: true`", what)
		case correct > 1 && q.Type == SingleChoice:
			cl.add(file, m.line("options"), "%s is single choice but has %d correct options: mark exactly one, or make it `type: multiple`", what, correct)
		}
	case TrueFalse:
		if m.has("options") {
			cl.add(file, m.line("options"), "%s: a true_false question has no `options`; give `answer: true` or `answer: false`", what)
		}
		if !m.has("answer") {
			cl.add(file, m.node.Line, "true_false %s has no answer: add `answer: true` or `answer: false`", what)
		}
		answer := m.boolean("answer", what, false)
		q.Options = []*Option{
			{ID: TrueOptionID, Text: "True", Correct: answer},
			{ID: FalseOptionID, Text: "False", Correct: !answer},
		}
	case "":
		cl.add(file, m.line("type"), "%s has no type: add `type:` (single, multiple or true_false)", what)
	default:
		cl.add(file, m.line("type"), "%s: unknown question type `%s`: use single, multiple or true_false", what, q.Type)
	}
	return q
}

// parseOptions reads the options of a single or multiple choice question.
// Options without an ID get a, b, c … by position.
func (cl *courseLoader) parseOptions(file string, m *ymap, what string) []*Option {
	var out []*Option
	seen := map[string]bool{}
	for i, n := range m.seq("options", what) {
		ow := fmt.Sprintf("%s, option %d", what, i+1)
		om := cl.mapping(file, n, ow, "id", "text", "correct")
		if om == nil {
			continue
		}
		o := &Option{ID: optionLetter(i)}
		if om.has("id") {
			o.ID = om.id(ow)
		}
		if seen[o.ID] {
			cl.add(file, om.line("id"), "%s: option ID `%s` is used twice in this question", ow, o.ID)
		}
		seen[o.ID] = true
		o.Text = om.str("text", ow)
		if o.Text == "" {
			cl.add(file, om.node.Line, "%s has no text: add `text:`", ow)
		}
		o.Correct = om.boolean("correct", ow, false)
		out = append(out, o)
	}
	return out
}

// optionLetter gives the default ID of the i-th option: a, b, … z, aa, ab …
func optionLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('a'+(i-1)%26)) + s
	}
	return s
}
