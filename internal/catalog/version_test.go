package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// copyBasic copies the fixture course into a temporary directory that a
// test may edit.
func copyBasic(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "basic")
	if err := os.CopyFS(dir, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	return dir
}

type hashes map[string]string // module ID ("" for the course) → hash

func loadHashes(t *testing.T, dir string) hashes {
	t.Helper()
	cat, probs := Load(os.DirFS(dir))
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	c := cat.Courses[0]
	h := hashes{"": c.Hash}
	for _, m := range c.AllModules() {
		h[m.ID] = m.Hash
	}
	return h
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if old == "" {
		b = append(b, new...)
	} else if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", file, old)
	} else {
		b = []byte(strings.Replace(string(b), old, new, 1))
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A change to any source changes the version of exactly the module that
// uses it, and the course's.
func TestVersionHashes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		change  func(t *testing.T, dir string)
		changed string // modules whose hash must change; the course's always does
	}{
		{"page text", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "modules/01-basics.md"), "What now?", "What next?")
		}, "basics"},
		{"policy text", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "modules/03-sign.md"), "own.", "own, always.")
		}, "sign"},
		{"captions", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "media/intro.vtt"), "do not post", "do not post yet")
		}, "video"},
		{"transcript", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "media/intro.txt"), "", "\nThank you.\n")
		}, "video"},
		{"video bytes", func(t *testing.T, dir string) {
			// A trailing byte after the last box does not stop the
			// duration being read (moov comes first), but is a new file.
			edit(t, filepath.Join(dir, "media/intro.mp4"), "", "\x00")
		}, "video"},
		{"poster", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "media/poster.png"), "", "\x00")
		}, "video"},
		{"nudges", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "nudges.yaml"), "Decline politely.", "Decline it politely.")
		}, ""},
		{"resource", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "quick-reference.md"), "Unsure?", "Not sure?")
		}, ""},
		{"course file", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "course.yaml"), "estimated_minutes: 15", "estimated_minutes: 16")
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyBasic(t)
			before := loadHashes(t, dir)
			if again := loadHashes(t, dir); again[""] != before[""] {
				t.Fatal("loading the same files twice gives different course hashes")
			}
			tc.change(t, dir)
			after := loadHashes(t, dir)
			if after[""] == before[""] {
				t.Error("the course hash did not change")
			}
			for id := range before {
				if id == "" {
					continue
				}
				if changed := after[id] != before[id]; changed != (id == tc.changed) {
					t.Errorf("module %s: changed = %v", id, changed)
				}
			}
		})
	}
}

func TestModuleSourceAndBankHash(t *testing.T) {
	t.Parallel()
	bank := "questions:\n  - id: q1\n    type: true_false\n    text: T\n    answer: true\n    explanation: E\n"
	fsys := course(map[string]string{
		"c/course.yaml":  "id: c\ntitle: C\nmodules: [m, n]\n",
		"c/m.md":         module("  - id: q\n    type: quiz\n    title: Q\n    pass_mark: 50\n    bank: banks/b.yaml\n", ""),
		"c/n.md":         strings.Replace(module("  - id: q\n    type: quiz\n    title: Q\n    pass_mark: 50\n    bank: banks/b.yaml\n", ""), "id: m", "id: n", 1),
		"c/banks/b.yaml": bank,
	})
	cat, probs := Load(fsys)
	checkProblems(t, probs, nil)
	c := cat.Course("c")
	m := c.Module("m")
	if !strings.HasPrefix(m.Source, "---\nid: m") || !strings.Contains(m.Source, "# ---- banks/b.yaml ----\n"+bank) {
		t.Errorf("source = %q", m.Source)
	}
	q := m.Step("q").Quiz
	if q.Bank != "banks/b.yaml" || len(q.Questions) != 1 || q.Questions[0].Options[0].ID != TrueOptionID || !q.Questions[0].Options[0].Correct {
		t.Errorf("quiz = %+v", q)
	}
	// Two quizzes on one bank do not share a slice.
	other := c.Module("n").Step("q").Quiz
	if &other.Questions[0] == &q.Questions[0] {
		t.Error("quizzes share their Questions slice")
	}
	before := m.Hash
	fsys["c/banks/b.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(bank, "text: T", "text: U", 1))}
	cat, probs = Load(fsys)
	checkProblems(t, probs, nil)
	if cat.Course("c").Module("m").Hash == before {
		t.Error("changing the bank did not change the module's hash")
	}
}
