package catalog

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	okCourse = "id: c\ntitle: C\nmodules: [m]\n"
	okModule = "---\nid: m\ntitle: M\nsteps:\n  - id: p\n    type: page\n    title: P\n---\n<!-- step: p -->\nHello.\n"
)

// course builds a one-course file system from the valid minimal course
// with some files replaced or added ("" deletes a file).
func course(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"c/course.yaml": {Data: []byte(okCourse)},
		"c/m.md":        {Data: []byte(okModule)},
	}
	for name, text := range files {
		if text == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// module is a module file m with the given steps YAML and body.
func module(steps, body string) string {
	return "---\nid: m\ntitle: M\nsteps:\n" + steps + "---\n" + body
}

type wantProblem struct {
	file string
	line int
	msg  string
}

// checkProblems asserts that probs are exactly want (messages by substring).
func checkProblems(t *testing.T, probs []Problem, want []wantProblem) {
	t.Helper()
	matched := make([]bool, len(probs))
	for _, w := range want {
		found := false
		for i, p := range probs {
			if !matched[i] && p.File == w.file && p.Line == w.line && strings.Contains(p.Message, w.msg) {
				matched[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing problem %s:%d: %s", w.file, w.line, w.msg)
		}
	}
	for i, p := range probs {
		if !matched[i] {
			t.Errorf("unexpected problem %s", p)
		}
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	page := "  - id: p\n    type: page\n    title: P\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []wantProblem
	}{
		{"valid", nil, nil},
		{"no course", map[string]string{"c/course.yaml": ""}, []wantProblem{{".", 0, "no course found"}}},
		{"course without id and title", map[string]string{"c/course.yaml": "modules: [m]\n"}, []wantProblem{
			{"c/course.yaml", 1, "the course has no `id`"},
			{"c/course.yaml", 1, "the course has no title"},
		}},
		{"bad IDs", map[string]string{"c/course.yaml": "id: Bad_ID\ntitle: C\nmodules: [m]\n"}, []wantProblem{
			{"c/course.yaml", 1, "ID `Bad_ID` may only use lowercase letters"},
		}},
		{"empty and repeated module list", map[string]string{"c/course.yaml": "id: c\ntitle: C\nmodules: [m, m]\nrefresher:\n  modules: []\n"}, []wantProblem{
			{"c/course.yaml", 3, "course.yaml lists module `m` twice"},
			{"c/course.yaml", 5, "refresher lists no modules"},
		}},
		{"no modules", map[string]string{"c/course.yaml": "id: c\ntitle: C\n"}, []wantProblem{
			{"c/course.yaml", 1, "the course lists no modules"},
			{"c/m.md", 2, "module `m` is not listed"},
		}},
		{"wrong value kinds", map[string]string{"c/course.yaml": "id: c\ntitle: [a, b]\nestimated_minutes: soon\nmodules: m\n"}, []wantProblem{
			{"c/course.yaml", 2, "`title` must be text, not a list"},
			{"c/course.yaml", 2, "the course has no title"},
			{"c/course.yaml", 3, "`estimated_minutes` must be a whole number, not \"soon\""},
			{"c/course.yaml", 4, "`modules` must be a list"},
			{"c/course.yaml", 4, "the course lists no modules"},
			{"c/m.md", 2, "module `m` is not listed"},
		}},
		{"repeated field", map[string]string{"c/course.yaml": okCourse + "title: D\n"}, []wantProblem{
			{"c/course.yaml", 4, "field `title` is given twice (first on line 2)"},
		}},
		{"front matter not closed", map[string]string{"c/m.md": "---\nid: m\ntitle: M\nsteps:\n  - id: p\n"}, []wantProblem{
			{"c/m.md", 1, "the front matter is not closed"},
		}},
		{"front matter without steps", map[string]string{"c/m.md": "---\nid: m\ntitle: M\n---\nText\n"}, []wantProblem{
			{"c/m.md", 2, "has an `id` but no `steps:`"},
		}},
		{"Markdown without front matter is not a module", map[string]string{"c/README.md": "# Notes\n", "c/notes.md": "---\ntitle: x\n---\n"}, nil},
		{"step markers", map[string]string{"c/m.md": module(page, "<!-- step: p -->\nA\n<!-- step: -->\nB\n<!-- step: p -->\nC\n")}, []wantProblem{
			{"c/m.md", 11, "step marker without an ID"},
			{"c/m.md", 13, "step `p` has two body parts (the first starts on line 9)"},
		}},
		{"step without type, title or id", map[string]string{"c/m.md": module("  - required: maybe\n", "")}, []wantProblem{
			{"c/m.md", 5, "step 1 has no `id`"},
			{"c/m.md", 5, "step 1 has no title"},
			{"c/m.md", 5, "`required` must be true or false, not \"maybe\""},
			{"c/m.md", 5, "step 1 has no type"},
		}},
		{"fields of another step type", map[string]string{"c/m.md": module(page+"    src: a.mp4\n", "<!-- step: p -->\nA\n")}, []wantProblem{
			{"c/m.md", 8, "step `p`: unknown field `src`"},
		}},
		{"two acknowledgements", map[string]string{"c/m.md": module(
			"  - id: a\n    type: acknowledgement\n    title: A\n    policy_version: \"1\"\n    statement: S\n"+
				"  - id: b\n    type: acknowledgement\n    title: B\n    policy_version: \"2\"\n    statement: S\n",
			"<!-- step: a -->\nA\n<!-- step: b -->\nB\n")}, []wantProblem{
			{"c/m.md", 10, "a module can have only one acknowledgement step"},
		}},
		{"quiz without pass mark or questions", map[string]string{"c/m.md": module("  - id: q\n    type: quiz\n    title: Q\n", "")}, []wantProblem{
			{"c/m.md", 5, "quiz step `q` has no pass_mark"},
			{"c/m.md", 5, "quiz step `q` has no questions: add `bank:`"},
		}},
		{"quiz with bank and questions", map[string]string{"c/m.md": module("  - id: q\n    type: quiz\n    title: Q\n    pass_mark: 101\n    draw: -1\n    bank: b.yaml\n    questions: []\n", "")}, []wantProblem{
			{"c/m.md", 8, "pass_mark must be a percentage between 1 and 100, not 101"},
			{"c/m.md", 9, "draw cannot be negative"},
			{"c/m.md", 11, "has both `bank` and `questions`"},
		}},
		{"bank outside the course or missing", map[string]string{"c/m.md": module("  - id: q\n    type: quiz\n    title: Q\n    pass_mark: 80\n    bank: ../b.yaml\n  - id: r\n    type: quiz\n    title: R\n    pass_mark: 80\n    bank: nope.yaml\n", "")}, []wantProblem{
			{"c/m.md", 9, "question bank `../b.yaml` must be a path inside the course directory"},
			{"c/m.md", 14, "question bank `nope.yaml` does not exist (looked for c/nope.yaml)"},
		}},
		{"question shapes", map[string]string{"c/m.md": module("  - id: q\n    type: quiz\n    title: Q\n    pass_mark: 80\n    questions:\n"+
			"      - id: a\n        type: single\n        text: T\n        answer: true\n        explanation: E\n        options:\n          - text: X\n            correct: true\n          - id: a\n            text: Y\n"+
			"      - id: b\n        type: true_false\n        text: T\n        answer: yes please\n        options: []\n        explanation: E\n"+
			"      - id: c\n        type: essay\n        text: T\n        explanation: E\n"+
			"      - id: d\n        text: T\n        explanation: E\n"+
			"      - id: e\n        type: multiple\n        explanation: E\n        options:\n          - text: X\n          - correct: true\n", "")}, []wantProblem{
			{"c/m.md", 13, "`answer` is only for true_false questions"},
			{"c/m.md", 18, "option ID `a` is used twice in this question"},
			{"c/m.md", 23, "`answer` must be true or false, not \"yes please\""},
			{"c/m.md", 24, "a true_false question has no `options`"},
			{"c/m.md", 27, "unknown question type `essay`"},
			{"c/m.md", 30, "question `d` has no type"},
			{"c/m.md", 33, "question `e` has no text"},
			{"c/m.md", 38, "option 2 has no text"},
		}},
		{"video without files", map[string]string{"c/m.md": module("  - id: v\n    type: video\n    title: V\n    src: v.webm\n    captions_lang: English\n", "")}, []wantProblem{
			{"c/m.md", 8, "src `v.webm` must be an MP4 (.mp4) file"},
			{"c/m.md", 9, "captions_lang `English` is not a language tag"},
			{"c/m.md", 5, "video step `v` has no captions"},
			{"c/m.md", 5, "video step `v` has no transcript"},
		}},
		{"missing poster and transcript", map[string]string{
			"c/m.md":  module("  - id: v\n    type: video\n    title: V\n    src: v.mp4\n    captions: v.vtt\n    transcript: t.md\n    poster: p.png\n", ""),
			"c/v.mp4": string(mustRead("testdata/basic/media/intro.mp4")),
			"c/v.vtt": "WEBVTT\n\n00:00.000 --> 00:30.000\nToo long\n",
		}, []wantProblem{
			{"c/m.md", 9, "captions `v.vtt` run to 0:30 but the video is only 0:20 long"},
			{"c/m.md", 10, "transcript `t.md` does not exist"},
			{"c/m.md", 11, "poster `p.png` does not exist"},
		}},
		{"captions without cues", map[string]string{
			"c/m.md":  module("  - id: v\n    type: video\n    title: V\n    src: v.mp4\n    captions: v.vtt\n    transcript: t.md\n", ""),
			"c/v.mp4": string(mustRead("testdata/basic/media/intro.mp4")),
			"c/v.vtt": "WEBVTT - empty\n",
			"c/t.md":  "See [the module](module:x).\n",
		}, []wantProblem{
			{"c/m.md", 9, "captions `v.vtt` have no cues"},
			{"c/t.md", 1, "link to module `x`"},
		}},
		{"links", map[string]string{
			"c/m.md":          module(page, "<!-- step: p -->\nAn ![image](media/pic.png) and [a file](missing.pdf).\n\n[out](../../etc/passwd)\n"),
			"c/media/pic.png": "png",
		}, []wantProblem{
			{"c/m.md", 10, "linked file `missing.pdf` does not exist"},
			{"c/m.md", 12, "link `../../etc/passwd` points outside the course"},
		}},
		{"resources", map[string]string{
			"c/course.yaml": okCourse + "resources:\n  - id: r\n    title: R\n    file: r.txt\n  - id: r\n    file: r.md\n    pdf: r.doc\n  - title: S\n",
			"c/r.md":        "# R\n",
		}, []wantProblem{
			{"c/course.yaml", 7, "resource `r`: file `r.txt` must be a Markdown (.md) file"},
			{"c/course.yaml", 8, "resource ID `r` is used twice (first on line 5)"},
			{"c/course.yaml", 8, "resource `r` has no title"},
			{"c/course.yaml", 10, "pdf `r.doc` must be a .pdf file"},
			{"c/course.yaml", 11, "resource 3 has no `id`"},
			{"c/course.yaml", 11, "resource 3 has no file"},
		}},
		{"nudges", map[string]string{
			"c/course.yaml": okCourse + "nudges: n.yaml\n",
			"c/n.yaml":      "nudges:\n  - id: a\n    question:\n      id: q\n      type: true_false\n      text: T\n      answer: true\n      explanation: E\n  - id: b\n    guideline: G\n    question:\n      id: q\n      type: true_false\n      text: T\n      answer: true\n      explanation: E\n  - id: c\n    guideline: G\n",
		}, []wantProblem{
			{"c/n.yaml", 2, "nudge `a` has no guideline"},
			{"c/n.yaml", 12, "nudge question ID `q` is used twice (first on line 4)"},
			{"c/n.yaml", 17, "nudge `c` has no question"},
		}},
		{"empty nudges file", map[string]string{"c/course.yaml": okCourse + "nudges: n.yaml\n", "c/n.yaml": "nudges: []\n"}, []wantProblem{
			{"c/n.yaml", 1, "the nudges file has no nudges"},
		}},
		{"bad YAML in a module", map[string]string{"c/m.md": "---\nid: m\ntitle: M\nsteps:\n  - id: p\n   type: page\n---\n"}, []wantProblem{
			{"c/m.md", 5, "bad YAML: did not find expected '-' indicator"},
		}},
		{"two courses, one ID", map[string]string{"d/course.yaml": okCourse, "d/m.md": okModule}, []wantProblem{
			{"d/course.yaml", 1, "course ID `c` is also used by c/course.yaml"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, probs := Load(course(tc.files))
			checkProblems(t, probs, tc.want)
			if (cat == nil) != (len(probs) > 0) {
				t.Errorf("catalog = %v with %d problems", cat, len(probs))
			}
		})
	}
}

func mustRead(name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

func TestRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rule  string // YAML under default_rule:, starting on course.yaml line 5
		want  []wantProblem
		check func(*RuleSpec) bool
	}{
		{"one-time, by department", "  departments: [Nursing, Pharmacy]\n  due_days: 14\n  due_from: matched\n", nil,
			func(r *RuleSpec) bool {
				return !r.Everyone && strings.Join(r.Departments, "|") == "Nursing|Pharmacy" && r.DueDays == 14 && r.DueFrom == "matched" && r.EveryMonths == 0 && r.Name == "C"
			}},
		{"fixed date", "  who: everyone\n  recurrence:\n    every: 1 year\n    window: 30 days\n    base: fixed\n    fixed_date: \"03-01\"\n", nil,
			func(r *RuleSpec) bool {
				return r.Everyone && r.DueFrom == "hire" && r.EveryMonths == 12 && r.WindowDays == 30 && r.Base == "fixed" && r.FixedMonth == 3 && r.FixedDay == 1
			}},
		{"every 2 years", "  who: everyone\n  recurrence:\n    every: 2 years\n    base: completion\n", nil,
			func(r *RuleSpec) bool { return r.EveryMonths == 24 && r.WindowDays == 0 && r.Base == "completion" }},
		{"fixed without date", "  who: everyone\n  recurrence:\n    every: 12 months\n    base: fixed\n", []wantProblem{{"c/course.yaml", 8, "`base: fixed` needs `fixed_date"}}, nil},
		{"impossible date", "  who: everyone\n  recurrence:\n    every: 12 months\n    base: fixed\n    fixed_date: \"02-29\"\n", []wantProblem{{"c/course.yaml", 9, "fixed_date \"02-29\" is not a date that comes every year"}}, nil},
		{"date not MM-DD", "  who: everyone\n  recurrence:\n    every: 12 months\n    base: fixed\n    fixed_date: 1 March\n", []wantProblem{{"c/course.yaml", 9, "fixed_date must be MM-DD"}}, nil},
		{"zero period", "  who: everyone\n  recurrence:\n    every: 0 months\n    base: expiry\n", []wantProblem{{"c/course.yaml", 7, "`every` must be at least 1 month"}}, nil},
		{"no every, no base", "  who: everyone\n  recurrence:\n    window: 10 days\n", []wantProblem{
			{"c/course.yaml", 7, "recurrence has no `every`"},
			{"c/course.yaml", 7, "recurrence has no `base`"},
		}, nil},
		{"window too long", "  who: everyone\n  recurrence:\n    every: 12 months\n    window: 400 days\n    base: expiry\n", []wantProblem{{"c/course.yaml", 8, "the window (400 days) must be shorter than the period"}}, nil},
		{"who", "  who: nurses\n", []wantProblem{{"c/course.yaml", 5, "`who` can only be `everyone`"}}, nil},
		{"nobody", "  due_days: -3\n", []wantProblem{
			{"c/course.yaml", 5, "default_rule says nobody must take the course"},
			{"c/course.yaml", 5, "due_days cannot be negative"},
		}, nil},
		{"everyone and a list", "  who: everyone\n  locations: [North]\n", []wantProblem{{"c/course.yaml", 5, "`who: everyone` cannot be combined"}}, nil},
		{"unknown field", "  who: everyone\n  recurrence:\n    every: 12 months\n    base: expiry\n    windows: 60 days\n", []wantProblem{{"c/course.yaml", 9, "unknown field `windows` (did you mean `window`?)"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, probs := Load(course(map[string]string{"c/course.yaml": okCourse + "default_rule:\n" + tc.rule}))
			checkProblems(t, probs, tc.want)
			if tc.check == nil {
				return
			}
			if cat == nil {
				t.Fatal("no catalog")
			}
			if r := cat.Course("c").DefaultRule; !tc.check(r) {
				t.Errorf("rule = %+v", r)
			}
		})
	}
}

// Raw HTML and dangerous links never reach a page; links are rewritten.
func TestRenderSanitises(t *testing.T) {
	t.Parallel()
	body := "<!-- step: p -->\n# Title\n\n<script>alert(1)</script>\n\n<b onclick=\"x()\">bold</b> [js](javascript:alert(1))\n\n" +
		"[out](https://example.org/a) <https://example.com/b> [there](module:m#top) ![pic](media/pic.png) [mail](mailto:a@example.org)\n\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n"
	cat, probs := Load(course(map[string]string{"c/m.md": module("  - id: p\n    type: page\n    title: P\n", body), "c/media/pic.png": "png"}))
	checkProblems(t, probs, nil)
	c := cat.Course("c")
	html := string(c.Module("m").Step("p").HTML)
	for _, bad := range []string{"<script", "alert(1)", "onclick", "javascript:", "<b"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q:\n%s", bad, html)
		}
	}
	for _, want := range []string{
		"<h1>Title</h1>",
		`<a href="https://example.org/a" rel="noopener noreferrer">out</a>`,
		`<a href="https://example.com/b" rel="noopener noreferrer">https://example.com/b</a>`,
		`<a href="/courses/c/modules/m#top">there</a>`,
		`<img src="/courses/c/media/media/pic.png" alt="pic">`,
		`<a href="mailto:a@example.org">mail</a>`,
		"<table>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s:\n%s", want, html)
		}
	}
	if p, ok := c.MediaPath("media/pic.png"); !ok || p != "c/media/pic.png" {
		t.Errorf("MediaPath(media/pic.png) = %q, %v", p, ok)
	}
}

// TestUnlock: course.yaml's `unlock:` relaxes the default order (the
// signature last, the final quiz after the content); anything else is
// reported on its line.
func TestUnlock(t *testing.T) {
	t.Parallel()
	cat, probs := Load(course(nil))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if u := cat.Course("c").Unlock; u.AcknowledgementAnytime || u.FinalQuizAnytime {
		t.Errorf("without `unlock:` the default order must hold: %+v", u)
	}
	cat, probs = Load(course(map[string]string{"c/course.yaml": okCourse + "unlock:\n  acknowledgement: anytime\n  final_quiz: anytime\n"}))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if u := cat.Course("c").Unlock; !u.AcknowledgementAnytime || !u.FinalQuizAnytime {
		t.Errorf("unlock anytime was not read: %+v", u)
	}
	cat, probs = Load(course(map[string]string{"c/course.yaml": okCourse + "unlock:\n  acknowledgement: after_other_steps\n  final_quiz: after_content\n"}))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if u := cat.Course("c").Unlock; u.AcknowledgementAnytime || u.FinalQuizAnytime {
		t.Errorf("the default values written out must keep the default order: %+v", u)
	}
	_, probs = Load(course(map[string]string{"c/course.yaml": okCourse + "unlock:\n  acknowledgement: first\n  final_quiz: yes\n  final-quiz: anytime\n"}))
	checkProblems(t, probs, []wantProblem{
		{"c/course.yaml", 5, "`acknowledgement` must be `after_other_steps`"},
		{"c/course.yaml", 6, "`final_quiz` must be `after_content`"},
		{"c/course.yaml", 7, "unknown field `final-quiz` (did you mean `final_quiz`?)"},
	})
	_, probs = Load(course(map[string]string{"c/course.yaml": okCourse + "unlock: anytime\n"}))
	checkProblems(t, probs, []wantProblem{{"c/course.yaml", 4, "unlock must be a mapping"}})
}

func TestIsFinalQuiz(t *testing.T) {
	t.Parallel()
	quiz, page := &Step{ID: "q", Type: StepQuiz}, &Step{ID: "p", Type: StepPage}
	if !(&Module{Steps: []*Step{quiz}}).IsFinalQuiz(quiz) {
		t.Error("a quiz module's quiz is a final quiz")
	}
	if (&Module{Steps: []*Step{page, quiz}}).IsFinalQuiz(quiz) {
		t.Error("a knowledge check after a page is not a final quiz")
	}
	if (&Module{Steps: []*Step{page}}).IsFinalQuiz(page) {
		t.Error("a page is not a final quiz")
	}
}
