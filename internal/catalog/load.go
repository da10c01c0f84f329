package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with the content, with where it is.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// SortProblems orders problems by file, then line, keeping the order of
// problems on the same line.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// courseFile is the name of the file that makes a directory a course.
const courseFile = "course.yaml"

// Load reads and validates every course in fsys. It returns the problems it
// found, sorted by file and line; the catalog is nil when there is any.
//
// A course is a top-level directory of fsys holding course.yaml; when fsys
// itself holds course.yaml, it is the one course (so a course directory can
// be checked or served on its own).
func Load(fsys fs.FS) (*Catalog, []Problem) {
	l := &loader{fsys: fsys}
	dirs, err := courseDirs(fsys)
	if err != nil {
		l.add(".", 0, "cannot read the content directory: %v", err)
	} else if len(dirs) == 0 {
		l.add(".", 0, "no course found: a course is a directory holding a course.yaml file")
	}
	cat := &Catalog{fsys: fsys, byID: map[string]*Course{}}
	firstFile := map[string]string{}
	for _, dir := range dirs {
		cl := newCourseLoader(l, dir)
		c := cl.load()
		if c == nil || c.ID == "" {
			continue
		}
		if other, dup := firstFile[c.ID]; dup {
			l.add(cl.file, cl.idLine, "course ID `%s` is also used by %s: every course needs its own ID", c.ID, other)
			continue
		}
		firstFile[c.ID] = cl.file
		cat.Courses = append(cat.Courses, c)
		cat.byID[c.ID] = c
	}
	SortProblems(l.probs)
	if len(l.probs) > 0 {
		return nil, l.probs
	}
	return cat, nil
}

// courseDirs lists the course directories of fsys in name order.
func courseDirs(fsys fs.FS) ([]string, error) {
	if _, err := fs.Stat(fsys, courseFile); err == nil {
		return []string{"."}, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(e.Name(), courseFile)); err == nil {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs, nil
}

// loader collects the problems of one Load.
type loader struct {
	fsys  fs.FS
	probs []Problem
}

func (l *loader) add(file string, line int, format string, args ...any) {
	l.probs = append(l.probs, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// courseLoader reads one course directory.
type courseLoader struct {
	*loader
	dir    string
	file   string // course.yaml's path in the FS
	idLine int
	course *Course
	// small files read so far, by FS path
	texts map[string][]byte
	// SHA-256 of every file hashed so far, by FS path
	digests map[string]string
	// question banks by path inside the course
	banks map[string]*bank
	// video durations by path inside the course
	durations map[string]float64
	// modules read from files, in file order
	moduleFiles []*moduleFile
	// nudgesFile is the nudges file's FS path, if any
	nudgesFile string
}

func newCourseLoader(l *loader, dir string) *courseLoader {
	return &courseLoader{
		loader:    l,
		dir:       dir,
		file:      path.Join(dir, courseFile),
		texts:     map[string][]byte{},
		digests:   map[string]string{},
		banks:     map[string]*bank{},
		durations: map[string]float64{},
	}
}

// fsPath turns a path inside the course into a path inside the FS.
func (cl *courseLoader) fsPath(p string) string { return path.Join(cl.dir, p) }

// readText reads a (small) file, once.
func (cl *courseLoader) readText(fsPath string) ([]byte, error) {
	if b, ok := cl.texts[fsPath]; ok {
		return b, nil
	}
	b, err := fs.ReadFile(cl.fsys, fsPath)
	if err != nil {
		return nil, err
	}
	cl.texts[fsPath] = b
	return b, nil
}

// checkRef validates a path written in a content file (relative to the
// course directory) and reports whether the file exists. what names the
// field for messages.
func (cl *courseLoader) checkRef(file string, line int, what, p string) bool {
	if p == "" {
		return false
	}
	if !fs.ValidPath(p) || p == "." || strings.Contains(p, "\\") {
		cl.add(file, line, "%s `%s` must be a path inside the course directory, like media/file.mp4 (no leading / or ./, no ..)", what, p)
		return false
	}
	st, err := fs.Stat(cl.fsys, cl.fsPath(p))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cl.add(file, line, "%s `%s` does not exist (looked for %s)", what, p, cl.fsPath(p))
		return false
	case err != nil:
		cl.add(file, line, "%s `%s` cannot be read: %v", what, p, err)
		return false
	case st.IsDir():
		cl.add(file, line, "%s `%s` is a directory, not a file", what, p)
		return false
	}
	return true
}

// load reads the course. It returns nil when course.yaml cannot be used at
// all; other problems are reported and the course is returned as far as it
// could be read.
func (cl *courseLoader) load() *Course {
	data, err := cl.readText(cl.file)
	if err != nil {
		cl.add(cl.file, 0, "cannot read: %v", err)
		return nil
	}
	c := &Course{
		Dir:     cl.dir,
		Source:  string(data),
		modules: map[string]*Module{},
		media:   map[string]bool{},
	}
	cl.course = c
	var m *ymap
	if root := cl.parseYAML(cl.file, data, 0); root != nil {
		m = cl.mapping(cl.file, root, "course.yaml",
			"id", "title", "summary", "estimated_minutes", "modules", "refresher", "default_rule", "resources", "nudges", "unlock", "contact")
	}
	if m == nil {
		// Still check the modules, so that one run shows every problem.
		cl.findModules()
		for _, mf := range cl.moduleFiles {
			if c.modules[mf.module.ID] == nil {
				c.modules[mf.module.ID] = mf.module
			}
		}
		for _, mf := range cl.moduleFiles {
			cl.finishModule(mf)
		}
		return nil
	}
	c.ID = m.id("the course")
	cl.idLine = m.line("id")
	c.Title = m.str("title", "course.yaml")
	if c.Title == "" {
		cl.add(cl.file, m.line("title"), "the course has no title: add `title:`")
	}
	c.Summary = m.str("summary", "course.yaml")
	if m.has("contact") {
		if cm := cl.mapping(cl.file, m.values["contact"], "contact", "name", "email"); cm != nil {
			c.Contact = &Contact{Name: cm.str("name", "contact"), Email: cm.str("email", "contact")}
			if _, err := mail.ParseAddress(c.Contact.Email); err != nil || !strings.Contains(c.Contact.Email, "@") {
				cl.add(cl.file, cm.line("email"), "contact: `email` must be the e-mail address questions go to (a person or a shared mailbox), e.g. infection.prevention@hospital.example")
			}
			if c.Contact.Name == "" {
				cl.add(cl.file, cm.line("name"), "contact has no name: add `name:` (a person or a team, e.g. Infection Prevention)")
			}
		}
	}
	c.EstimatedMinutes = m.integer("estimated_minutes", "course.yaml", 0)
	if c.EstimatedMinutes < 0 {
		cl.add(cl.file, m.line("estimated_minutes"), "estimated_minutes cannot be negative")
	}

	cl.findModules()
	byID := map[string]*moduleFile{}
	for _, mf := range cl.moduleFiles {
		if mf.module.ID == "" {
			continue
		}
		if other, dup := byID[mf.module.ID]; dup {
			cl.add(mf.file, mf.idLine, "module ID `%s` is also used by %s: every module in a course needs its own ID", mf.module.ID, other.file)
			continue
		}
		byID[mf.module.ID] = mf
		c.modules[mf.module.ID] = mf.module
	}

	listed := map[string]bool{}
	var listedCount int
	c.Modules, listedCount = cl.modulePath(m, "modules", "course.yaml", byID, listed)
	if listedCount == 0 {
		cl.add(cl.file, m.line("modules"), "the course lists no modules: add `modules:` with the module IDs in order")
	}
	if m.has("refresher") {
		if rm := cl.mapping(cl.file, m.values["refresher"], "refresher", "modules", "name"); rm != nil {
			c.RefresherName = strings.TrimSpace(rm.str("name", "refresher"))
			c.RefresherModules, listedCount = cl.modulePath(rm, "modules", "refresher", byID, listed)
			if listedCount == 0 {
				cl.add(cl.file, rm.line("modules"), "refresher lists no modules: add `modules: [...]` or remove `refresher:`")
			}
		}
	}
	for _, mf := range cl.moduleFiles {
		if mf.module.ID != "" && !listed[mf.module.ID] && byID[mf.module.ID] == mf {
			cl.add(mf.file, mf.idLine, "module `%s` is not listed in %s: add it to `modules` or `refresher.modules`, or delete the file", mf.module.ID, cl.file)
		}
	}

	if m.has("default_rule") {
		c.DefaultRule = cl.parseRule(m.values["default_rule"], c.Title)
	}
	if m.has("unlock") {
		c.Unlock = cl.parseUnlock(m.values["unlock"])
	}
	cl.parseResources(m)
	if p := m.str("nudges", "course.yaml"); p != "" {
		if cl.checkRef(cl.file, m.line("nudges"), "nudges file", p) {
			cl.nudgesFile = cl.fsPath(p)
			c.Nudges = cl.parseNudges(p)
		}
	}

	for _, mf := range cl.moduleFiles {
		cl.finishModule(mf)
	}
	cl.version(cl.renderResources())
	return c
}

// parseUnlock reads `unlock:`, which relaxes the default order of steps.
func (cl *courseLoader) parseUnlock(n *yaml.Node) Unlock {
	var u Unlock
	um := cl.mapping(cl.file, n, "unlock", "acknowledgement", "final_quiz")
	if um == nil {
		return u
	}
	switch v := um.str("acknowledgement", "unlock"); v {
	case "", UnlockAfterOtherSteps:
	case UnlockAnytime:
		u.AcknowledgementAnytime = true
	default:
		cl.add(cl.file, um.line("acknowledgement"), "unlock: `acknowledgement` must be `%s` (the default: signed once every other required step is done) or `%s`, not %q",
			UnlockAfterOtherSteps, UnlockAnytime, v)
	}
	switch v := um.str("final_quiz", "unlock"); v {
	case "", UnlockAfterContent:
	case UnlockAnytime:
		u.FinalQuizAnytime = true
	default:
		cl.add(cl.file, um.line("final_quiz"), "unlock: `final_quiz` must be `%s` (the default: opens once the steps before it are done) or `%s`, not %q",
			UnlockAfterContent, UnlockAnytime, v)
	}
	return u
}

// modulePath resolves a list of module IDs; it also returns how many IDs
// the list has.
func (cl *courseLoader) modulePath(m *ymap, key, what string, byID map[string]*moduleFile, listed map[string]bool) ([]*Module, int) {
	ids, nodes := m.strs(key, what)
	var out []*Module
	inPath := map[string]bool{}
	for i, id := range ids {
		if inPath[id] {
			cl.add(cl.file, nodes[i].Line, "%s lists module `%s` twice", what, id)
			continue
		}
		inPath[id] = true
		listed[id] = true
		mf, ok := byID[id]
		if !ok {
			cl.add(cl.file, nodes[i].Line, "%s lists module `%s`, but no module file has `id: %s` (a module is a .md file with `id:` and `steps:` in its front matter)", what, id, id)
			continue
		}
		out = append(out, mf.module)
	}
	return out, len(ids)
}

// findModules reads every Markdown file in the course directory that has
// front matter with steps.
func (cl *courseLoader) findModules() {
	var files []string
	err := fs.WalkDir(cl.fsys, cl.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			cl.add(p, 0, "cannot read: %v", err)
			return nil
		}
		if d.IsDir() && p != cl.dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		cl.add(cl.dir, 0, "cannot list the course directory: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := cl.readText(f)
		if err != nil {
			cl.add(f, 0, "cannot read: %v", err)
			continue
		}
		if mf := cl.parseModuleFile(f, data); mf != nil {
			cl.moduleFiles = append(cl.moduleFiles, mf)
		}
	}
}

// parseResources reads the course's resources list.
func (cl *courseLoader) parseResources(m *ymap) {
	seen := map[string]int{}
	for i, n := range m.seq("resources", "course.yaml") {
		what := fmt.Sprintf("resource %d", i+1)
		rm := cl.mapping(cl.file, n, what, "id", "title", "file", "pdf")
		if rm == nil {
			continue
		}
		r := &Resource{}
		r.ID = rm.id(what)
		if r.ID != "" {
			what = fmt.Sprintf("resource `%s`", r.ID)
			if first, dup := seen[r.ID]; dup {
				cl.add(cl.file, rm.line("id"), "resource ID `%s` is used twice (first on line %d)", r.ID, first)
			}
			seen[r.ID] = rm.line("id")
		}
		r.Title = rm.str("title", what)
		if r.Title == "" {
			cl.add(cl.file, rm.node.Line, "%s has no title: add `title:`", what)
		}
		r.File = rm.str("file", what)
		switch {
		case r.File == "":
			cl.add(cl.file, rm.node.Line, "%s has no file: add `file:` with the path of its Markdown file", what)
		case !strings.HasSuffix(strings.ToLower(r.File), ".md"):
			cl.add(cl.file, rm.line("file"), "%s: file `%s` must be a Markdown (.md) file", what, r.File)
		case cl.checkRef(cl.file, rm.line("file"), what+" file", r.File):
			b, _ := cl.readText(cl.fsPath(r.File))
			r.Markdown = string(b)
			cl.course.media[r.File] = true
		}
		r.PDF = rm.str("pdf", what)
		if r.PDF != "" {
			if !strings.HasSuffix(strings.ToLower(r.PDF), ".pdf") {
				cl.add(cl.file, rm.line("pdf"), "%s: pdf `%s` must be a .pdf file", what, r.PDF)
			} else if cl.checkRef(cl.file, rm.line("pdf"), what+" pdf", r.PDF) {
				cl.course.media[r.PDF] = true
			}
		}
		cl.course.Resources = append(cl.course.Resources, r)
	}
}

// parseNudges reads the nudges file.
func (cl *courseLoader) parseNudges(p string) []*Nudge {
	file := cl.fsPath(p)
	data, err := cl.readText(file)
	if err != nil {
		cl.add(file, 0, "cannot read: %v", err)
		return nil
	}
	root := cl.parseYAML(file, data, 0)
	if root == nil {
		return nil
	}
	m := cl.mapping(file, root, "the nudges file", "nudges")
	if m == nil {
		return nil
	}
	var out []*Nudge
	seen := map[string]int{}
	questionIDs := map[string]int{}
	for i, n := range m.seq("nudges", "the nudges file") {
		what := fmt.Sprintf("nudge %d", i+1)
		nm := cl.mapping(file, n, what, "id", "guideline", "question")
		if nm == nil {
			continue
		}
		nu := &Nudge{ID: nm.id(what)}
		if nu.ID != "" {
			what = fmt.Sprintf("nudge `%s`", nu.ID)
			if first, dup := seen[nu.ID]; dup {
				cl.add(file, nm.line("id"), "nudge ID `%s` is used twice (first on line %d)", nu.ID, first)
			}
			seen[nu.ID] = nm.line("id")
		}
		nu.Guideline = nm.str("guideline", what)
		if nu.Guideline == "" {
			cl.add(file, nm.node.Line, "%s has no guideline: add `guideline:` with one guideline in a sentence or two", what)
		}
		if q, ok := nm.values["question"]; ok {
			nu.Question = cl.parseQuestion(file, q, "nudge question")
			if nu.Question != nil && nu.Question.ID != "" {
				if first, dup := questionIDs[nu.Question.ID]; dup {
					cl.add(file, q.Line, "nudge question ID `%s` is used twice (first on line %d)", nu.Question.ID, first)
				}
				questionIDs[nu.Question.ID] = q.Line
			}
		} else {
			cl.add(file, nm.node.Line, "%s has no question: add `question:` (same shape as a bank question)", what)
		}
		out = append(out, nu)
	}
	if len(out) == 0 && len(cl.probsFor(file)) == 0 {
		cl.add(file, m.line("nudges"), "the nudges file has no nudges: add a `nudges:` list or remove `nudges:` from course.yaml")
	}
	return out
}

func (cl *courseLoader) probsFor(file string) []Problem {
	var out []Problem
	for _, p := range cl.probs {
		if p.File == file {
			out = append(out, p)
		}
	}
	return out
}
