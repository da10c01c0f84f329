package content_test

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/content"
	"github.com/onramp-lms/onramp/internal/catalog"
)

func load(t *testing.T) *catalog.Course {
	t.Helper()
	cat, problems := catalog.Load(content.FS)
	for _, p := range problems {
		t.Error(p)
	}
	if cat == nil {
		t.FailNow()
	}
	c := cat.Course("social-media")
	if c == nil {
		t.Fatal("the shipped course social-media is missing")
	}
	return c
}

func TestShippedCourseShape(t *testing.T) {
	t.Parallel()
	c := load(t)
	var topics []*catalog.Module
	for _, m := range c.Modules {
		if m.Minutes <= 0 || m.Minutes >= 10 {
			t.Errorf("module %s says %d minutes; each must take under 10", m.ID, m.Minutes)
		}
		if m.ID != "final-quiz" && m.ID != "acknowledgement" {
			topics = append(topics, m)
		}
	}
	if len(topics) < 5 || len(topics) > 7 {
		t.Fatalf("%d topic modules, want 5 to 7", len(topics))
	}
	for _, m := range topics {
		pages, scenarios := 0, 0
		for _, s := range m.Steps {
			if s.Type == catalog.StepPage {
				pages++
				if strings.HasPrefix(strings.ToLower(s.Title), "scenario") {
					scenarios++
				}
			}
		}
		last := m.Steps[len(m.Steps)-1]
		if pages < 2 || scenarios < 1 || last.Type != catalog.StepQuiz {
			t.Errorf("module %s: %d pages, %d scenarios, last step %s; want short pages, a scenario and a closing knowledge check", m.ID, pages, scenarios, last.Type)
		}
	}
}

func TestFinalQuizBank(t *testing.T) {
	t.Parallel()
	c := load(t)
	q := c.Module("final-quiz")
	if q == nil {
		t.Fatal("no final-quiz module")
	}
	var quiz *catalog.Quiz
	for _, s := range q.Steps {
		if s.Quiz != nil {
			quiz = s.Quiz
		}
	}
	if quiz == nil || len(quiz.Questions) < 25 || quiz.Draw != 10 || quiz.PassMark != 80 {
		t.Fatalf("final quiz: %+v; want at least 25 questions, 10 drawn, pass mark 80", quiz)
	}
	types := map[catalog.QuestionType]int{}
	for _, qu := range quiz.Questions {
		types[qu.Type]++
		correct := 0
		for _, o := range qu.Options {
			if o.Correct {
				correct++
			}
		}
		switch qu.Type {
		case catalog.SingleChoice, catalog.TrueFalse:
			if correct != 1 {
				t.Errorf("question %s (%s) has %d right answers, want exactly 1", qu.ID, qu.Type, correct)
			}
		case catalog.MultipleChoice:
			if correct < 2 || correct == len(qu.Options) {
				t.Errorf("question %s (multiple) has %d of %d options right; want at least 2 and not all", qu.ID, correct, len(qu.Options))
			}
		}
		if len(strings.TrimSpace(qu.Explanation)) < 20 {
			t.Errorf("question %s has no real explanation", qu.ID)
		}
	}
	if types[catalog.SingleChoice] == 0 || types[catalog.MultipleChoice] == 0 || types[catalog.TrueFalse] == 0 {
		t.Errorf("question types %v: want single, multiple and true/false", types)
	}
}

var cueTimes = regexp.MustCompile(`^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)`)

func vttTime(h, m, s, ms string) time.Duration {
	d, _ := time.ParseDuration(h + "h" + m + "m" + s + "s" + ms + "ms")
	return d
}

func TestVideoCaptionsCoverTheWholeVideo(t *testing.T) {
	t.Parallel()
	c := load(t)
	var v *catalog.Video
	for _, m := range c.Modules {
		for _, s := range m.Steps {
			if s.Video != nil {
				v = s.Video
			}
		}
	}
	if v == nil {
		t.Fatal("the course has no video")
	}
	if v.DurationSeconds < 120 || v.DurationSeconds > 240 {
		t.Errorf("video lasts %.1f s, want 2–4 minutes", v.DurationSeconds)
	}
	vtt, err := fs.ReadFile(content.FS, filepath.ToSlash(filepath.Join(c.Dir, v.Captions)))
	if err != nil {
		t.Fatal(err)
	}
	var end time.Duration
	cues := 0
	sc := bufio.NewScanner(bytes.NewReader(vtt))
	for sc.Scan() {
		m := cueTimes.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		from, to := vttTime(m[1], m[2], m[3], m[4]), vttTime(m[5], m[6], m[7], m[8])
		if cues == 0 && from != 0 {
			t.Errorf("captions start at %s, not at the beginning", from)
		}
		if from-end > 2*time.Second {
			t.Errorf("a gap in the captions from %s to %s", end, from)
		}
		if to <= from {
			t.Errorf("cue %d ends before it starts", cues+1)
		}
		end = to
		cues++
	}
	dur := time.Duration(v.DurationSeconds * float64(time.Second))
	if cues < 10 || dur-end > time.Second || end-dur > time.Second {
		t.Errorf("%d cues ending at %s; the video lasts %s", cues, end, dur)
	}
	if len(strings.Fields(v.Transcript)) < 250 {
		t.Errorf("the transcript has %d words", len(strings.Fields(v.Transcript)))
	}
}

func TestRefresherPathNudgesAndResources(t *testing.T) {
	t.Parallel()
	c := load(t)
	var ids []string
	for _, m := range c.RefresherModules {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "refresher-summary,final-quiz,acknowledgement" {
		t.Errorf("refresher path %v", ids)
	}
	if len(c.Nudges) != 12 {
		t.Errorf("%d nudges, want 12", len(c.Nudges))
	}
	for _, n := range c.Nudges {
		if len(n.Guideline) < 40 || n.Question == nil || n.Question.Explanation == "" {
			t.Errorf("nudge %s needs a guideline, a question and an explanation", n.ID)
		}
	}
	ack := c.Module("acknowledgement")
	signed := false
	for _, s := range ack.Steps {
		if s.Ack != nil && s.Ack.PolicyVersion != "" && s.Ack.Statement != "" && len(s.HTML) > 500 {
			signed = true
		}
	}
	if !signed {
		t.Error("the acknowledgement module has no policy to sign")
	}
	if len(c.Resources) == 0 || c.Resources[0].PDF == "" {
		t.Fatal("no quick-reference sheet with a PDF")
	}
	pdf, err := fs.ReadFile(content.FS, c.Dir+"/"+c.Resources[0].PDF)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("quick-reference PDF: %v", err)
	}
	if pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1); len(pages) != 1 {
		t.Errorf("the quick-reference PDF has %d pages, want one", len(pages))
	}
}

// TestNoSentenceCopiedFromTheSeeds checks that no run of ten words from the
// source material appears in the course: facts carry over, sentences do not.
// The seeds live outside the repository (../shared/seeds); without them the
// test has nothing to compare and says so.
func TestNoSentenceCopiedFromTheSeeds(t *testing.T) {
	t.Parallel()
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "shared", "seeds", "*.txt"))
	if len(seeds) == 0 {
		t.Skip("no seed documents at ../../shared/seeds to compare with")
	}
	words := func(s string) []string {
		s = strings.ToLower(s)
		s = regexp.MustCompile(`[^a-z0-9' ]+`).ReplaceAllString(strings.NewReplacer("’", "'", "\n", " ").Replace(s), " ")
		return strings.Fields(s)
	}
	const n = 10
	// The course quotes these rules of thumb on purpose: they are the
	// slogans staff are meant to remember, named in the course's brief.
	slogans := []string{
		"if you wouldn't say it in a room full of colleagues don't post it",
		"how will this look to my patients",
		"not 100 sure sleep on it",
		"would you have them over for dinner",
	}
	quoted := func(s string) bool {
		for _, q := range slogans {
			if strings.Contains(q, s) {
				return true
			}
		}
		return false
	}
	shingles := map[string]string{}
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := words(string(b))
		for i := 0; i+n <= len(w); i++ {
			shingles[strings.Join(w[i:i+n], " ")] = filepath.Base(f)
		}
	}
	err := fs.WalkDir(content.FS, "social-media", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".vtt") || strings.HasSuffix(path, ".txt")) {
			return err
		}
		b, _ := fs.ReadFile(content.FS, path)
		w := words(string(b))
		for i := 0; i+n <= len(w); i++ {
			if src, ok := shingles[strings.Join(w[i:i+n], " ")]; ok && !quoted(strings.Join(w[i:i+n], " ")) {
				t.Errorf("%s repeats ten words of %s: %q", path, src, strings.Join(w[i:i+n], " "))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestShippedCourseOrder: the shipped course keeps the default order: the
// policy is signed last and its final quiz opens after the modules.
func TestShippedCourseOrder(t *testing.T) {
	t.Parallel()
	c := load(t)
	if c.Unlock.AcknowledgementAnytime || c.Unlock.FinalQuizAnytime {
		t.Errorf("the shipped course relaxes the order of steps: %+v", c.Unlock)
	}
	final := c.Module("final-quiz")
	if final == nil || !final.IsFinalQuiz(final.Step("final")) {
		t.Fatal("the shipped course's final-quiz module is not a final quiz")
	}
	for _, m := range c.Modules {
		if m.ID == "final-quiz" {
			continue
		}
		for _, st := range m.Steps {
			if m.IsFinalQuiz(st) {
				t.Errorf("%s/%s would be held back as a final quiz: a content module's knowledge check must follow a page or video", m.ID, st.ID)
			}
		}
	}
}

// TestShippedOrientationCourse: the orientation day is a classroom session
// with a summary of what it covers (printed on the sign-in sheet and the
// attendance record) and a skills check-off whose every skill says what
// the observer must see; questions go to a named contact.
func TestShippedOrientationCourse(t *testing.T) {
	load(t)
	cat, _ := catalog.Load(content.FS)
	c := cat.Course("orientation")
	if c == nil {
		t.Fatal("the shipped course orientation is missing")
	}
	if c.Contact == nil || c.Contact.Name == "" || !strings.Contains(c.Contact.Email, "@") {
		t.Errorf("contact for questions: %+v", c.Contact)
	}
	var sessions, checkoffs int
	for _, m := range c.Modules {
		for _, st := range m.Steps {
			switch st.Type {
			case catalog.StepSession:
				sessions++
				if len(strings.Fields(st.Markdown)) < 60 {
					t.Errorf("session step %s/%s: the summary of what it covers is too short", m.ID, st.ID)
				}
			case catalog.StepCheckoff:
				checkoffs++
				if st.Checkoff == nil || len(st.Checkoff.Skills) < 4 {
					t.Fatalf("check-off %s/%s lists too few skills", m.ID, st.ID)
				}
				for _, sk := range st.Checkoff.Skills {
					if len(strings.Fields(sk.Observe)) < 12 {
						t.Errorf("skill %s does not say what the observer must see", sk.ID)
					}
				}
			}
		}
	}
	if sessions != 1 || checkoffs != 1 {
		t.Errorf("%d session steps and %d check-offs, want one of each", sessions, checkoffs)
	}
}
