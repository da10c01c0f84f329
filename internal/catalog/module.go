package catalog

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// moduleFile is a module while its course is being loaded: the module and
// where each of its parts is in the file.
type moduleFile struct {
	file   string
	idLine int
	module *Module
	// broken is set when the front matter could not be read: the module is
	// known by ID (so course.yaml's list still resolves) but has no steps.
	broken bool
	steps  []*stepInfo
	parts  map[string]*part
	// banks are the FS paths of the question banks the module uses, and
	// media the paths (inside the course) of its media files, in order.
	banks []string
	media []string
}

type stepInfo struct {
	step *Step
	line int
}

// part is the Markdown of one step, cut from the module's body.
type part struct {
	id       string
	line     int // the marker's line
	textLine int // the first line of the text
	text     string
}

var (
	stepMarker = regexp.MustCompile(`^\s*<!--\s*step:\s*(.*?)\s*-->\s*$`)
	looseID    = regexp.MustCompile(`(?m)^id:\s*["']?([a-z0-9-]+)["']?\s*$`)
)

// Fields each step type may use, after the common ones.
var stepFields = map[StepType][]string{
	StepPage:            nil,
	StepVideo:           {"src", "captions", "captions_lang", "transcript", "poster"},
	StepQuiz:            {"pass_mark", "draw", "attempts", "shuffle_options", "bank", "questions"},
	StepAcknowledgement: {"policy_version", "statement"},
	StepSession:         {"minutes"},
	StepCheckoff:        {"skills", "statement"},
}

var commonStepFields = []string{"id", "type", "title", "required"}

// splitLines splits text into lines without their line endings.
func splitLines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// parseModuleFile reads a Markdown file. It returns nil when the file is not
// a module (no front matter with steps), e.g. a resource or a README.
func (cl *courseLoader) parseModuleFile(file string, data []byte) *moduleFile {
	lines := splitLines(string(data))
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		if strings.Contains(string(data), "\nsteps:") {
			cl.add(file, 1, "the front matter is not closed: add a line `---` after it, before the Markdown")
			return cl.brokenModule(file, string(data))
		}
		return nil
	}
	front := strings.Join(lines[1:end], "\n")
	root := cl.parseYAML(file, []byte(front), 1)
	if root == nil {
		return cl.brokenModule(file, front)
	}
	if root.Kind != yaml.MappingNode || rawField(root, "steps") == nil {
		if root.Kind == yaml.MappingNode && rawField(root, "id") != nil {
			cl.add(file, root.Line, "the front matter has an `id` but no `steps:`: a module needs a list of steps")
			return cl.brokenModule(file, front)
		}
		return nil
	}

	mf := &moduleFile{file: file, module: &Module{File: file, Source: string(data)}, parts: map[string]*part{}}
	m := cl.mapping(file, root, "module", "id", "title", "minutes", "steps")
	mod := mf.module
	mod.ID = m.id("the module")
	mf.idLine = m.line("id")
	what := "module"
	if mod.ID != "" {
		what = fmt.Sprintf("module `%s`", mod.ID)
	}
	mod.Title = m.str("title", what)
	if mod.Title == "" {
		cl.add(file, m.line("title"), "%s has no title: add `title:`", what)
	}
	mod.Minutes = m.integer("minutes", what, 0)
	if mod.Minutes < 0 {
		cl.add(file, m.line("minutes"), "%s: minutes cannot be negative", what)
	}

	cl.parseParts(mf, lines, end+1)

	seen := map[string]int{}
	items := m.seq("steps", what)
	if len(items) == 0 && m.has("steps") {
		cl.add(file, m.line("steps"), "%s has no steps: list at least one under `steps:`", what)
	}
	for i, n := range items {
		si := cl.parseStep(mf, n, i+1)
		if si == nil {
			continue
		}
		if id := si.step.ID; id != "" {
			if first, dup := seen[id]; dup {
				cl.add(file, si.line, "step ID `%s` is used twice in this module (first on line %d)", id, first)
				continue
			}
			seen[id] = si.line
		}
		mf.steps = append(mf.steps, si)
		mod.Steps = append(mod.Steps, si.step)
	}
	cl.matchParts(mf)
	if mod.Minutes == 0 {
		// A module delivered in a session takes the session's time.
		for _, st := range mod.Steps {
			if st.Session != nil {
				mod.Minutes += st.Session.Minutes
			}
		}
	}
	return mf
}

// brokenModule keeps a module whose front matter cannot be read known by its
// ID, so that course.yaml's list does not report it missing as well.
func (cl *courseLoader) brokenModule(file, front string) *moduleFile {
	m := looseID.FindStringSubmatch(front)
	if m == nil {
		return nil
	}
	return &moduleFile{file: file, idLine: 1, broken: true, module: &Module{ID: m[1], File: file}, parts: map[string]*part{}}
}

// rawField returns the value node of key in a mapping node, or nil.
func rawField(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

// parseParts cuts the body (lines from index start) into step parts.
func (cl *courseLoader) parseParts(mf *moduleFile, lines []string, start int) {
	var cur *part
	var text []string
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimSpace(strings.Join(text, "\n"))
		}
		text = nil
	}
	for i := start; i < len(lines); i++ {
		line := lines[i]
		lineNo := i + 1
		if m := stepMarker.FindStringSubmatch(line); m != nil {
			flush()
			id := m[1]
			cur = nil
			switch {
			case id == "":
				cl.add(mf.file, lineNo, "step marker without an ID: write `<!-- step: ID -->` with the ID of a step in the front matter")
			case mf.parts[id] != nil:
				cl.add(mf.file, lineNo, "step `%s` has two body parts (the first starts on line %d): merge them", id, mf.parts[id].line)
			default:
				cur = &part{id: id, line: lineNo, textLine: lineNo + 1}
				mf.parts[id] = cur
			}
			continue
		}
		if cur == nil {
			if strings.TrimSpace(line) != "" && !stepMarkerSeen(lines[start:i]) {
				cl.add(mf.file, lineNo, "this text belongs to no step: put a `<!-- step: ID -->` line above it")
				// Report the stray text once, not line by line.
				for i+1 < len(lines) && stepMarker.FindStringSubmatch(lines[i+1]) == nil {
					i++
				}
			}
			continue
		}
		text = append(text, line)
	}
	flush()
}

func stepMarkerSeen(lines []string) bool {
	for _, l := range lines {
		if stepMarker.MatchString(l) {
			return true
		}
	}
	return false
}

// parseStep reads one step of the front matter.
func (cl *courseLoader) parseStep(mf *moduleFile, n *yaml.Node, index int) *stepInfo {
	file := mf.file
	what := fmt.Sprintf("step %d", index)
	if idNode := rawField(n, "id"); idNode != nil && idNode.Kind == yaml.ScalarNode && idNode.Value != "" {
		what = fmt.Sprintf("step `%s`", idNode.Value)
	}
	st := &Step{}
	typeNode := rawField(n, "type")
	known := append([]string{}, commonStepFields...)
	if typeNode != nil && typeNode.Kind == yaml.ScalarNode {
		st.Type = StepType(typeNode.Value)
	}
	if extra, ok := stepFields[st.Type]; ok {
		known = append(known, extra...)
	} else {
		// An unknown type is reported once; its fields are not.
		for _, t := range []StepType{StepVideo, StepQuiz, StepAcknowledgement, StepSession, StepCheckoff} {
			known = append(known, stepFields[t]...)
		}
	}
	m := cl.mapping(file, n, what, known...)
	if m == nil {
		return nil
	}
	st.ID = m.id(what)
	st.Title = m.str("title", what)
	if st.Title == "" {
		cl.add(file, m.line("title"), "%s has no title: add `title:`", what)
	}
	st.Required = m.boolean("required", what, true)
	switch {
	case typeNode == nil:
		cl.add(file, m.node.Line, "%s has no type: add `type:` (page, video, quiz, acknowledgement, session or checkoff)", what)
	case !knownStepType(st.Type):
		cl.add(file, m.line("type"), "%s: unknown step type `%s`: use page, video, quiz, acknowledgement, session or checkoff", what, typeNode.Value)
	}
	switch st.Type {
	case StepVideo:
		cl.parseVideo(mf, m, st, what)
	case StepQuiz:
		cl.parseQuiz(mf, m, st, what)
	case StepAcknowledgement:
		st.Ack = &Acknowledgement{
			PolicyVersion: m.str("policy_version", what),
			Statement:     m.str("statement", what),
		}
		if st.Ack.PolicyVersion == "" {
			cl.add(file, m.line("policy_version"), "acknowledgement %s has no policy_version: add `policy_version: \"1\"` (change it only when everyone must sign again)", what)
		}
		if st.Ack.Statement == "" {
			cl.add(file, m.line("statement"), "acknowledgement %s has no statement: add `statement:` with the sentence the employee signs, e.g. \"I have read this policy and I will follow it.\"", what)
		}
		if mf.module.PolicyVersion != "" {
			cl.add(file, m.node.Line, "%s: a module can have only one acknowledgement step", what)
		} else {
			mf.module.PolicyVersion = st.Ack.PolicyVersion
		}
	case StepSession:
		st.Session = &SessionStep{Minutes: m.integer("minutes", what, 0)}
		if st.Session.Minutes <= 0 {
			cl.add(file, m.line("minutes"), "session %s has no length: add `minutes:` with how long the session lasts (a whole number above 0)", what)
		}
	case StepCheckoff:
		cl.parseCheckoff(mf, m, st, what)
	}
	return &stepInfo{step: st, line: m.node.Line}
}

// parseCheckoff reads a checkoff step's skills: each an ID, a title and
// what the observer must see.
func (cl *courseLoader) parseCheckoff(mf *moduleFile, m *ymap, st *Step, what string) {
	file := mf.file
	st.Checkoff = &Checkoff{Statement: m.str("statement", what)}
	items := m.seq("skills", what)
	if len(items) == 0 {
		cl.add(file, m.line("skills"), "checkoff %s has no skills: list them under `skills:`, each with `id`, `title` and `observe` (what the observer must see)", what)
		return
	}
	seen := map[string]int{}
	for i, n := range items {
		sw := fmt.Sprintf("%s, skill %d", what, i+1)
		sm := cl.mapping(file, n, sw, "id", "title", "observe")
		if sm == nil {
			continue
		}
		sk := &Skill{ID: sm.id(sw), Title: sm.str("title", sw), Observe: sm.str("observe", sw)}
		if sk.Title == "" {
			cl.add(file, sm.line("title"), "%s has no title: add `title:`", sw)
		}
		if sk.Observe == "" {
			cl.add(file, sm.line("observe"), "%s has no `observe:`: say what the observer must see the person do", sw)
		}
		if sk.ID != "" {
			if first, dup := seen[sk.ID]; dup {
				cl.add(file, sm.line("id"), "%s: skill ID `%s` is used twice in this step (first on line %d)", sw, sk.ID, first)
				continue
			}
			seen[sk.ID] = sm.line("id")
		}
		st.Checkoff.Skills = append(st.Checkoff.Skills, sk)
	}
}

// matchParts attaches the body parts to their steps and reports parts
// without a step and steps without a required part.
func (cl *courseLoader) matchParts(mf *moduleFile) {
	ids := make([]string, 0, len(mf.steps))
	byID := map[string]*stepInfo{}
	for _, si := range mf.steps {
		ids = append(ids, si.step.ID)
		byID[si.step.ID] = si
	}
	for _, p := range mf.parts {
		si, ok := byID[p.id]
		if !ok {
			cl.add(mf.file, p.line, "body part `%s` is for a step that is not in the front matter (steps: %s)", p.id, strings.Join(ids, ", "))
			continue
		}
		si.step.Markdown = p.text
	}
	for _, si := range mf.steps {
		st := si.step
		if st.Markdown != "" || st.ID == "" {
			continue
		}
		switch st.Type {
		case StepPage:
			cl.add(mf.file, si.line, "page step `%s` has no body: add a line `<!-- step: %s -->` below the front matter, followed by its Markdown", st.ID, st.ID)
		case StepSession:
			cl.add(mf.file, si.line, "session step `%s` has no summary: add a line `<!-- step: %s -->` below the front matter, followed by a summary of what the session covers (it is printed on the sign-in sheet and the attendance record)", st.ID, st.ID)
		case StepAcknowledgement:
			cl.add(mf.file, si.line, "acknowledgement step `%s` has no policy text: add a line `<!-- step: %s -->` below the front matter, followed by the policy", st.ID, st.ID)
		}
	}
}

// finishModule renders the module's Markdown once every module of the
// course is known (links between modules are checked).
func (cl *courseLoader) finishModule(mf *moduleFile) {
	for _, si := range mf.steps {
		st := si.step
		if v := st.Video; v != nil && v.Transcript != "" {
			if strings.EqualFold(path.Ext(v.TranscriptFile), ".md") {
				var files []string
				v.TranscriptHTML, files = cl.render(cl.fsPath(v.TranscriptFile), 1, v.Transcript)
				mf.media = append(mf.media, files...)
			} else {
				v.TranscriptHTML = renderPlain(v.Transcript)
			}
		}
		if st.Markdown == "" {
			continue
		}
		p := mf.parts[st.ID]
		var files []string
		st.HTML, files = cl.render(mf.file, p.textLine, st.Markdown)
		mf.media = append(mf.media, files...)
	}
}

func knownStepType(t StepType) bool {
	_, ok := stepFields[t]
	return ok
}
