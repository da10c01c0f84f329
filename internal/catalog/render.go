package catalog

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// ModuleURL is the address of a module's page; `module:ID` links in
// Markdown are rewritten to it.
func ModuleURL(courseID, moduleID string) string {
	return "/courses/" + courseID + "/modules/" + moduleID
}

// MediaURL is the address at which the HTTP layer serves a course file
// (see Course.MediaPath); relative links and images in Markdown are
// rewritten to it.
func MediaURL(courseID, p string) string {
	return "/courses/" + courseID + "/media/" + p
}

// markdown renders GitHub-flavoured Markdown without raw HTML (goldmark
// omits it unless told otherwise); the sanitiser then has the last word.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Typographer),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkRewriter{}, 100))),
)

// sanitizer is bluemonday's policy for user-generated content, with the rel
// attribute the link rewriter sets on external links allowed through.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener noreferrer$`)).OnElements("a")
	return p
}()

var (
	linksKey   = parser.NewContextKey()
	blankLines = regexp.MustCompile(`\n\s*\n`)
)

// links is what one rendering found and rewrote.
type links struct {
	courseID string
	modules  []string // module IDs linked to
	files    []string // course files linked to or shown (images)
	bad      []string // relative links that do not name a file in the course
}

// linkRewriter points module: links at module pages and relative links at
// the course's media, and marks external links noopener noreferrer.
type linkRewriter struct{}

func (linkRewriter) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	st, _ := pc.Get(linksKey).(*links)
	if st == nil {
		return
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Link:
			v.Destination = st.rewrite(v, v.Destination)
		case *ast.Image:
			v.Destination = st.rewrite(nil, v.Destination)
		case *ast.AutoLink:
			if v.AutoLinkType == ast.AutoLinkURL {
				v.SetAttributeString("rel", []byte("noopener noreferrer"))
			}
		}
		return ast.WalkContinue, nil
	})
}

func (st *links) rewrite(link ast.Node, dest []byte) []byte {
	d := string(dest)
	if id, ok := strings.CutPrefix(d, "module:"); ok {
		frag := ""
		if i := strings.IndexByte(id, '#'); i >= 0 {
			id, frag = id[:i], id[i:]
		}
		st.modules = append(st.modules, id)
		return []byte(ModuleURL(st.courseID, id) + frag)
	}
	u, err := url.Parse(d)
	switch {
	case err != nil || d == "" || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//"):
		return dest
	case u.Scheme != "" || strings.HasPrefix(d, "//"):
		if link != nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "") {
			link.SetAttributeString("rel", []byte("noopener noreferrer"))
		}
		return dest
	}
	p := path.Clean(u.Path)
	if u.Path == "" || !fsValidRel(p) {
		st.bad = append(st.bad, d)
		return dest
	}
	st.files = append(st.files, p)
	out := MediaURL(st.courseID, p)
	if u.Fragment != "" {
		out += "#" + u.Fragment
	}
	return []byte(out)
}

func fsValidRel(p string) bool {
	return p != "." && p != ".." && !strings.HasPrefix(p, "../") && !strings.HasPrefix(p, "/")
}

// render turns a part's Markdown into sanitised HTML, checking its links.
// file and firstLine say where the Markdown is, for problems. It also
// returns the course files the Markdown links to or shows.
func (cl *courseLoader) render(file string, firstLine int, md string) (template.HTML, []string) {
	st := &links{courseID: cl.course.ID}
	pc := parser.NewContext()
	pc.Set(linksKey, st)
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf, parser.WithContext(pc)); err != nil {
		cl.add(file, firstLine, "cannot render the Markdown: %v", err)
		return "", nil
	}
	lineOf := func(target string) int {
		for i, l := range strings.Split(md, "\n") {
			if strings.Contains(l, target) {
				return firstLine + i
			}
		}
		return firstLine
	}
	for _, id := range st.modules {
		if cl.course.modules[id] == nil {
			cl.add(file, lineOf("module:"+id), "link to module `%s`, but this course has no module with that ID", id)
		}
	}
	var used []string
	for _, p := range st.files {
		if cl.checkRef(file, lineOf(p), "linked file", p) {
			cl.course.media[p] = true
			used = append(used, p)
		}
	}
	for _, d := range st.bad {
		cl.add(file, lineOf(d), "link `%s` points outside the course: use a path inside the course directory, `module:ID`, or a full https:// address", d)
	}
	// The sanitiser, not goldmark, is what guarantees safe HTML: raw HTML,
	// scripts and javascript: links never reach a page.
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes())), used
}

// renderPlain turns plain text into paragraphs: blank lines separate
// paragraphs; a single line break is a soft wrap, as in Markdown, because
// authors wrap long lines in their editors.
func renderPlain(s string) template.HTML {
	var b strings.Builder
	for _, para := range blankLines.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), -1) {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(l))
		}
		b.WriteString("<p>" + strings.Join(lines, "\n") + "</p>\n")
	}
	return template.HTML(b.String())
}

// renderResources renders every resource's Markdown. It returns the course
// files the resources link to.
func (cl *courseLoader) renderResources() []string {
	var used []string
	for _, r := range cl.course.Resources {
		if r.Markdown != "" {
			var files []string
			r.HTML, files = cl.render(cl.fsPath(r.File), 1, r.Markdown)
			used = append(used, files...)
		}
	}
	return used
}
