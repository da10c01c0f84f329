package catalog_test

import (
	"io/fs"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onramp-lms/onramp/internal/catalog"
)

// The content loader reads files that authors write by hand (and that an
// organisation may take from elsewhere). These fuzz targets replace one file
// of the fixture course with arbitrary bytes and load it: Load must never
// panic, every problem must say where it is, and whatever it accepts must be
// safe to serve. Seed corpora are in testdata/fuzz/Fuzz*.

// fixtureFS is the basic fixture course, in memory, as the root course.
func fixtureFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	src := os.DirFS("testdata/basic")
	fsys := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		fsys[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		tb.Fatalf("read the fixture: %v", err)
	}
	return fsys
}

// fuzzFile loads the fixture with name's bytes replaced by data and checks
// Load's promises.
func fuzzFile(f *testing.F, name string) {
	base := fixtureFS(f)
	f.Add(base[name].Data)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for p, file := range base {
			fsys[p] = file
		}
		fsys[name] = &fstest.MapFile{Data: data}
		cat, probs := catalog.Load(fsys)
		if len(probs) > 0 {
			checkProblems(t, fsys, probs)
			if cat != nil {
				t.Fatal("a catalog came back with problems")
			}
			return
		}
		if cat == nil || len(cat.Courses) == 0 {
			t.Fatal("no problems and no course")
		}
		for _, c := range cat.Courses {
			checkCourse(t, c)
		}
	})
}

// FuzzLoadModule fuzzes a module's Markdown file (front matter and body).
func FuzzLoadModule(f *testing.F) { fuzzFile(f, "modules/01-basics.md") }

// FuzzLoadCourseYAML fuzzes course.yaml.
func FuzzLoadCourseYAML(f *testing.F) { fuzzFile(f, "course.yaml") }

// FuzzLoadVideo fuzzes the MP4 file whose duration the loader reads.
func FuzzLoadVideo(f *testing.F) { fuzzFile(f, "media/intro.mp4") }

func checkProblems(t *testing.T, fsys fstest.MapFS, probs []catalog.Problem) {
	t.Helper()
	for i, p := range probs {
		if p.File == "" || p.Message == "" || p.Line < 0 {
			t.Fatalf("problem %d has no place or no message: %+v", i, p)
		}
		if i > 0 {
			prev := probs[i-1]
			if prev.File > p.File || (prev.File == p.File && prev.Line > p.Line) {
				t.Fatalf("problems out of order: %+v before %+v", prev, p)
			}
		}
		file, ok := fsys[p.File]
		if !ok {
			continue // a file that should exist and does not, or "."
		}
		// A syntax error at the end of the input is reported on the line
		// after the last, where the end is; no further.
		if lines := strings.Count(string(file.Data), "\n") + 1; p.Line > lines+1 {
			t.Fatalf("problem on line %d of %s, which has %d lines: %+v", p.Line, p.File, lines, p)
		}
	}
}

var (
	eventHandler = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	scriptURL    = regexp.MustCompile(`(?i)(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):`)
)

// checkHTML: rendered content goes into pages as HTML, so it must carry no
// script in any form (the CSP would block it, but the page would break).
func checkHTML(t *testing.T, what string, h string) {
	t.Helper()
	lower := strings.ToLower(h)
	for _, bad := range []string{"<script", "<style", "<iframe", "<object", "<embed", "<form", " style="} {
		if strings.Contains(lower, bad) {
			t.Fatalf("%s: rendered HTML contains %q:\n%s", what, bad, h)
		}
	}
	if m := eventHandler.FindString(h); m != "" {
		t.Fatalf("%s: rendered HTML has an event handler %q", what, m)
	}
	if m := scriptURL.FindString(h); m != "" {
		t.Fatalf("%s: rendered HTML has a script URL %q", what, m)
	}
}

func checkCourse(t *testing.T, c *catalog.Course) {
	t.Helper()
	if c.ID == "" || c.Title == "" || len(c.Modules) == 0 {
		t.Fatalf("course %+v accepted without an ID, a title or modules", c)
	}
	for _, r := range c.Resources {
		checkHTML(t, "resource "+r.ID, string(r.HTML))
	}
	moduleIDs := map[string]bool{}
	for _, m := range c.AllModules() {
		if m.ID == "" || moduleIDs[m.ID] {
			t.Fatalf("module ID %q empty or repeated", m.ID)
		}
		moduleIDs[m.ID] = true
		stepIDs := map[string]bool{}
		for _, st := range m.Steps {
			what := m.ID + "/" + st.ID
			if st.ID == "" || stepIDs[st.ID] {
				t.Fatalf("step ID %q empty or repeated in %s", st.ID, m.ID)
			}
			stepIDs[st.ID] = true
			checkHTML(t, what, string(st.HTML))
			switch st.Type {
			case catalog.StepVideo:
				v := st.Video
				if v == nil || math.IsNaN(v.DurationSeconds) || math.IsInf(v.DurationSeconds, 0) || v.DurationSeconds <= 0 {
					t.Fatalf("%s: video accepted with duration %+v", what, v)
				}
				if _, ok := c.MediaPath(v.Src); !ok {
					t.Fatalf("%s: the video %q cannot be served", what, v.Src)
				}
				checkHTML(t, what+" transcript", string(v.TranscriptHTML))
			case catalog.StepQuiz:
				checkQuiz(t, what, st.Quiz)
			}
		}
	}
}

func checkQuiz(t *testing.T, what string, q *catalog.Quiz) {
	t.Helper()
	if q == nil || q.PassMark < 0 || q.PassMark > 100 || q.Draw < 0 || q.Attempts < 0 || len(q.Questions) == 0 {
		t.Fatalf("%s: quiz accepted as %+v", what, q)
	}
	ids := map[string]bool{}
	for _, qu := range q.Questions {
		if qu.ID == "" || ids[qu.ID] {
			t.Fatalf("%s: question ID %q empty or repeated", what, qu.ID)
		}
		ids[qu.ID] = true
		options, correct := map[string]bool{}, 0
		for _, o := range qu.Options {
			if o.ID == "" || options[o.ID] {
				t.Fatalf("%s: question %s: option ID %q empty or repeated", what, qu.ID, o.ID)
			}
			options[o.ID] = true
			if o.Correct {
				correct++
			}
		}
		if len(qu.Options) < 2 || correct == 0 || (qu.Type != catalog.MultipleChoice && correct != 1) {
			t.Fatalf("%s: question %s accepted with %d options, %d correct", what, qu.ID, len(qu.Options), correct)
		}
	}
}
