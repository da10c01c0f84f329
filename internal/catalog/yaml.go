package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The content files are decoded from yaml.Node trees by hand rather than
// into structs, so that every problem can name the line it is on and every
// unknown or misspelt field is reported instead of silently ignored.

var (
	// yamlErrLine finds the line number in a YAML error.
	yamlErrLine = regexp.MustCompile(`line (\d+)`)
	// yamlParserErr matches the parser's (not the scanner's) errors, whose
	// line the YAML library reports counting from 0.
	yamlParserErr = regexp.MustCompile(`did not find expected (<document start>|node content|'-' indicator|key|',' or '[\]}]')`)
)

// parseYAML parses data into its top-level node. lineOffset is added to
// every line number (front matter starts on the file's second line). It
// reports a syntax error as a problem and returns nil.
func (l *loader) parseYAML(file string, data []byte, lineOffset int) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			if yamlParserErr.MatchString(msg) {
				line++
			}
			line += lineOffset
			msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ":"))
		}
		l.add(file, line, "bad YAML: %s", msg)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1 + lineOffset}
	}
	root := doc.Content[0]
	if lineOffset != 0 {
		shiftLines(root, lineOffset, map[*yaml.Node]bool{})
	}
	return root
}

func shiftLines(n *yaml.Node, by int, seen map[*yaml.Node]bool) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by, seen)
	}
}

// ymap is one YAML mapping being decoded: its fields by key, with the file
// they came from so each accessor can report a problem at the right line.
type ymap struct {
	l      *loader
	file   string
	node   *yaml.Node
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

// mapping checks that n is a mapping whose keys are all in known, reporting
// unknown and repeated keys. what names the thing for messages ("step
// `intro`"). It returns nil when n is not a mapping.
func (l *loader) mapping(file string, n *yaml.Node, what string, known ...string) *ymap {
	n = resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.add(file, n.Line, "%s must be a mapping of `field: value` lines, not %s", what, describe(n))
		return nil
	}
	m := &ymap{l: l, file: file, node: n, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	allowed := map[string]bool{}
	for _, k := range known {
		allowed[k] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		name := k.Value
		if prev, dup := m.keys[name]; dup {
			l.add(file, k.Line, "%s: field `%s` is given twice (first on line %d)", what, name, prev.Line)
			continue
		}
		if !allowed[name] {
			l.add(file, k.Line, "%s: unknown field `%s`%s", what, name, suggest(name, known))
			continue
		}
		m.keys[name] = k
		m.values[name] = v
	}
	return m
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if n.Value == "" {
			return "an empty value"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// suggest offers the known field closest to a misspelt one.
func suggest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return " (allowed: " + strings.Join(known, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean `%s`?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// has reports whether the field is present.
func (m *ymap) has(key string) bool { _, ok := m.values[key]; return ok }

// line returns the line of the field's key, or of the mapping when absent.
func (m *ymap) line(key string) int {
	if k, ok := m.keys[key]; ok {
		return k.Line
	}
	return m.node.Line
}

// str returns a scalar field as text ("" when absent or null).
func (m *ymap) str(key, what string) string {
	v, ok := m.values[key]
	if !ok || v.Tag == "!!null" {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		m.l.add(m.file, v.Line, "%s: `%s` must be text, not %s", what, key, describe(v))
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// integer returns an integer field; def when absent.
func (m *ymap) integer(key, what string, def int) int {
	v, ok := m.values[key]
	if !ok || v.Tag == "!!null" {
		return def
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		if n, err := strconv.Atoi(v.Value); err == nil {
			return n
		}
	}
	m.l.add(m.file, v.Line, "%s: `%s` must be a whole number, not %s", what, key, describe(v))
	return def
}

// boolean returns a true/false field; def when absent.
func (m *ymap) boolean(key, what string, def bool) bool {
	v, ok := m.values[key]
	if !ok || v.Tag == "!!null" {
		return def
	}
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!bool" {
		var b bool
		if err := v.Decode(&b); err == nil {
			return b
		}
	}
	m.l.add(m.file, v.Line, "%s: `%s` must be true or false, not %s", what, key, describe(v))
	return def
}

// seq returns the items of a list field (nil when absent).
func (m *ymap) seq(key, what string) []*yaml.Node {
	v, ok := m.values[key]
	if !ok || v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		m.l.add(m.file, v.Line, "%s: `%s` must be a list, not %s", what, key, describe(v))
		return nil
	}
	items := make([]*yaml.Node, len(v.Content))
	for i, c := range v.Content {
		items[i] = resolve(c)
	}
	return items
}

// strs returns a list of text items with their nodes.
func (m *ymap) strs(key, what string) ([]string, []*yaml.Node) {
	var out []string
	var nodes []*yaml.Node
	for _, n := range m.seq(key, what) {
		if n.Kind != yaml.ScalarNode || n.Value == "" {
			m.l.add(m.file, n.Line, "%s: every item of `%s` must be text, not %s", what, key, describe(n))
			continue
		}
		out = append(out, strings.TrimSpace(n.Value))
		nodes = append(nodes, n)
	}
	return out, nodes
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// id returns the `id` field, reporting it when missing or badly formed.
func (m *ymap) id(what string) string {
	id := m.str("id", what)
	switch {
	case !m.has("id") || id == "":
		m.l.add(m.file, m.node.Line, "%s has no `id`: add one (lowercase letters, digits and -)", what)
	case !idPattern.MatchString(id):
		m.l.add(m.file, m.line("id"), "%s: ID `%s` may only use lowercase letters a-z, digits and - (and must not start with -)", what, id)
	}
	return id
}
