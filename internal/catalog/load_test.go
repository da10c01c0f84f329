package catalog

import (
	"math"
	"os"
	"strings"
	"testing"
)

func loadBasic(t *testing.T) *Catalog {
	t.Helper()
	cat, probs := Load(os.DirFS("testdata/basic"))
	if len(probs) > 0 {
		for _, p := range probs {
			t.Error(p)
		}
		t.Fatal("the basic fixture has problems")
	}
	return cat
}

func moduleIDs(ms []*Module) string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return strings.Join(ids, ",")
}

// The fixture's IDs are a contract with other packages' tests (see
// testdata/README.md): this test is what keeps them stable.
func TestLoadBasic(t *testing.T) {
	t.Parallel()
	cat := loadBasic(t)
	if len(cat.Courses) != 1 {
		t.Fatalf("courses = %d, want 1", len(cat.Courses))
	}
	c := cat.Course("basic")
	if c == nil || cat.Course("nope") != nil {
		t.Fatalf("Course(basic) = %v; Course(nope) = %v", c, cat.Course("nope"))
	}
	if c.Title != "Basic Training" || c.EstimatedMinutes != 15 || c.Dir != "." || !strings.HasPrefix(c.Source, "# The fixture course") {
		t.Errorf("course = %q, %d min, dir %q", c.Title, c.EstimatedMinutes, c.Dir)
	}
	if got := moduleIDs(c.Modules); got != "basics,video,sign" {
		t.Errorf("modules = %s", got)
	}
	if got := moduleIDs(c.RefresherModules); got != "basics,sign" {
		t.Errorf("refresher = %s", got)
	}
	if got := moduleIDs(c.Path(true)); got != "basics,sign" {
		t.Errorf("Path(true) = %s", got)
	}
	if got := moduleIDs(c.AllModules()); got != "basics,video,sign" {
		t.Errorf("AllModules = %s", got)
	}

	basics := c.Module("basics")
	if basics.Title != "The basics" || basics.File != "modules/01-basics.md" || basics.PolicyVersion != "" {
		t.Errorf("basics = %q %q %q", basics.Title, basics.File, basics.PolicyVersion)
	}
	var steps []string
	for _, s := range basics.Steps {
		steps = append(steps, s.ID+":"+string(s.Type))
		if !s.Required {
			t.Errorf("step %s is not required", s.ID)
		}
	}
	if got := strings.Join(steps, ","); got != "welcome:page,scenario:page,check:quiz" {
		t.Errorf("basics steps = %s", got)
	}
	welcome := basics.Step("welcome")
	for _, want := range []string{
		`<h2>Welcome</h2>`,
		`<a href="/courses/basic/modules/video">video</a>`,
		`<a href="https://example.org/guidelines" rel="noopener noreferrer">`,
	} {
		if !strings.Contains(string(welcome.HTML), want) {
			t.Errorf("welcome HTML lacks %s:\n%s", want, welcome.HTML)
		}
	}
	if !strings.HasPrefix(welcome.Markdown, "## Welcome") {
		t.Errorf("welcome Markdown = %q", welcome.Markdown)
	}

	quiz := basics.Step("check").Quiz
	if quiz.PassMark != 100 || quiz.Draw != 0 || quiz.Attempts != 3 || !quiz.ShuffleOptions || quiz.Bank != "" {
		t.Errorf("quiz = %+v", quiz)
	}
	want := []struct {
		id, typ, correct string
		options          int
	}{
		{"q-single", "single", "b", 3},
		{"q-multiple", "multiple", "a,b", 3},
		{"q-true-false", "true_false", "false", 2},
	}
	if len(quiz.Questions) != len(want) {
		t.Fatalf("questions = %d", len(quiz.Questions))
	}
	for i, w := range want {
		q := quiz.Questions[i]
		var correct []string
		for _, o := range q.Options {
			if o.Correct {
				correct = append(correct, o.ID)
			}
		}
		if q.ID != w.id || string(q.Type) != w.typ || strings.Join(correct, ",") != w.correct || len(q.Options) != w.options || q.Explanation == "" {
			t.Errorf("question %d = %s %s correct %v, %d options", i, q.ID, q.Type, correct, len(q.Options))
		}
	}
	if o := quiz.Questions[0].Options[1]; o.Text != "Decline politely and mention the guidelines." {
		t.Errorf("q-single option b = %q", o.Text)
	}

	video := c.Module("video").Step("watch")
	v := video.Video
	if video.Type != StepVideo || v.Src != "media/intro.mp4" || v.Captions != "media/intro.vtt" || v.CaptionsLang != "en" ||
		v.Poster != "media/poster.png" || v.TranscriptFile != "media/intro.txt" {
		t.Errorf("video = %+v", v)
	}
	if math.Abs(v.DurationSeconds-20) > 0.05 {
		t.Errorf("duration = %v, want 20 s", v.DurationSeconds)
	}
	if !strings.Contains(string(v.TranscriptHTML), "<p>Welcome to the basic training.</p>\n<p>Patients&#39; privacy comes first, online and off.\nWhen in doubt, do not post.</p>\n") {
		t.Errorf("transcript HTML = %s", v.TranscriptHTML)
	}

	sign := c.Module("sign")
	ack := sign.Step("policy")
	if ack.Type != StepAcknowledgement || ack.Ack.PolicyVersion != "1" || ack.Ack.Statement != "I have read this policy and I will follow it." || sign.PolicyVersion != "1" {
		t.Errorf("acknowledgement = %+v, module policy %q", ack.Ack, sign.PolicyVersion)
	}
	if !strings.Contains(string(ack.HTML), "<ol>") {
		t.Errorf("policy HTML = %s", ack.HTML)
	}

	r := c.DefaultRule
	if r == nil || r.Name != "Everyone, every year" || !r.Everyone || r.DueDays != 30 || r.DueFrom != "hire" ||
		r.EveryMonths != 12 || r.WindowDays != 60 || r.Base != "expiry" || r.FixedMonth != 0 {
		t.Errorf("rule = %+v", r)
	}
	if len(c.Resources) != 1 || c.Resources[0].ID != "quick-reference" ||
		!strings.Contains(string(c.Resources[0].HTML), "<table>") ||
		!strings.Contains(string(c.Resources[0].HTML), `href="/courses/basic/modules/basics"`) {
		t.Errorf("resources = %+v", c.Resources)
	}
	if len(c.Nudges) != 2 || c.Nudges[0].ID != "nudge-privacy" || c.Nudges[1].Question.ID != "nudge-friends-q" ||
		!c.Nudges[1].Question.Options[1].Correct {
		t.Errorf("nudges = %+v", c.Nudges)
	}

	for _, m := range c.AllModules() {
		if len(m.Hash) != 64 {
			t.Errorf("module %s hash = %q", m.ID, m.Hash)
		}
	}
	if len(c.Hash) != 64 {
		t.Errorf("course hash = %q", c.Hash)
	}
}

func TestMediaPath(t *testing.T) {
	t.Parallel()
	c := loadBasic(t).Course("basic")
	for _, tc := range []struct {
		p  string
		ok bool
	}{
		{"media/intro.mp4", true},
		{"media/intro.vtt", true},
		{"media/intro.txt", true},
		{"media/poster.png", true},
		{"quick-reference.md", true},
		{"course.yaml", false},
		{"modules/01-basics.md", false},
		{"nudges.yaml", false},
		{"media", false},
		{"../basic/media/intro.mp4", false},
		{"/media/intro.mp4", false},
		{"", false},
	} {
		got, ok := c.MediaPath(tc.p)
		if ok != tc.ok || ok && got != tc.p {
			t.Errorf("MediaPath(%q) = %q, %v; want ok=%v", tc.p, got, ok, tc.ok)
		}
	}
	if _, ok := (*Course)(nil).MediaPath("media/intro.mp4"); ok {
		t.Error("a nil course serves media")
	}
}

// Every check fails somewhere under testdata/broken; each problem must be
// reported at its file and line, and nothing else may be.
func TestLoadBroken(t *testing.T) {
	t.Parallel()
	cat, probs := Load(os.DirFS("testdata/broken"))
	if cat != nil {
		t.Error("Load returned a catalog despite problems")
	}
	want := []struct {
		file string
		line int
		msg  string
	}{
		{"badcourse/course.yaml", 3, "bad YAML: did not find expected ',' or ']'"},
		{"badcourse/one.md", 10, "link to module `two`"}, // modules are checked despite course.yaml
		{"badyaml/banks/bank.yaml", 4, "bad YAML:"},
		{"badyaml/modules/frontmatter.md", 3, "bad YAML:"},
		{"dup-b/course.yaml", 1, "course ID `dup` is also used by dup-a/course.yaml"},
		{"steps/banks/bank.yaml", 7, "question ID `b1` is used twice in this bank (first on line 2)"},
		{"steps/banks/bank.yaml", 17, "unknown field `hint`"},
		{"steps/course.yaml", 3, "unknown field `colour`"},
		{"steps/course.yaml", 9, "lists module `ghost`, but no module file has `id: ghost`"},
		{"steps/course.yaml", 16, "due_from must be `hire` or `matched`, not \"start\""},
		{"steps/course.yaml", 18, "`every` must be \"N months\" or \"N years\""},
		{"steps/course.yaml", 19, "`window` must be \"N days\""},
		{"steps/course.yaml", 20, "base must be completion, expiry or fixed, not \"sometimes\""},
		{"steps/course.yaml", 21, "fixed_date is only used with `base: fixed`"},
		{"steps/course.yaml", 25, "resource `sheet` file `missing-sheet.md` does not exist"},
		{"steps/modules/acks.md", 5, "acknowledgement step `sign` has no policy_version"},
		{"steps/modules/acks.md", 5, "acknowledgement step `sign` has no statement"},
		{"steps/modules/acks.md", 5, "acknowledgement step `sign` has no policy text"},
		{"steps/modules/orphan.md", 2, "module `orphan` is not listed"},
		{"steps/modules/pages.md", 2, "module ID `pages` is also used by steps/modules/pages-copy.md"},
		{"steps/modules/pages.md", 8, "step `intro`: unknown field `titel` (did you mean `title`?)"},
		{"steps/modules/pages.md", 9, "step ID `intro` is used twice in this module (first on line 5)"},
		{"steps/modules/pages.md", 13, "unknown step type `slideshow`"},
		{"steps/modules/pages.md", 15, "page step `empty` has no body"},
		{"steps/modules/pages.md", 19, "this text belongs to no step"},
		{"steps/modules/pages.md", 22, "link to module `nowhere`, but this course has no module with that ID"},
		{"steps/modules/pages.md", 24, "body part `stray` is for a step that is not in the front matter"},
		{"steps/modules/quizzes.md", 8, "pass_mark must be a percentage between 1 and 100, not 0"},
		{"steps/modules/quizzes.md", 9, "attempts cannot be negative"},
		{"steps/modules/quizzes.md", 14, "question `q-none` has no correct answer: mark one option `correct: true`"},
		{"steps/modules/quizzes.md", 21, "question `q-two` is single choice but has 2 correct options"},
		{"steps/modules/quizzes.md", 27, "true_false question `q-tf` has no answer"},
		{"steps/modules/quizzes.md", 31, "question `q-noexp` has no explanation"},
		{"steps/modules/quizzes.md", 38, "question `q-one` has 1 option(s): a multiple question needs at least 2"},
		{"steps/modules/quizzes.md", 42, "question ID `q-two` is used twice in this quiz (first on line 18)"},
		{"steps/modules/quizzes.md", 54, "quiz step `banked` draws 5 questions, but its bank has only 2"},
		{"steps/modules/videos.md", 8, "cannot read the duration of `media/garbage.mp4`: it does not start with an MP4 box"},
		{"steps/modules/videos.md", 9, "captions `media/bad.vtt` are not WebVTT: the file must start with the line `WEBVTT`"},
		{"steps/modules/videos.md", 11, "video step `missing` has no captions"},
		{"steps/modules/videos.md", 14, "video `media/missing.mp4` does not exist"},
		{"steps/nudges.yaml", 5, "question `n1-q` has no explanation"},
		{"steps/nudges.yaml", 9, "nudge ID `n1` is used twice (first on line 2)"},
	}
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
	for i := 1; i < len(probs); i++ {
		a, b := probs[i-1], probs[i]
		if a.File > b.File || a.File == b.File && a.Line > b.Line {
			t.Errorf("problems not sorted: %s before %s", a, b)
		}
	}
}
