package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	pathpkg "path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeTags are the WCAG levels every page must meet: 2.0, 2.1 and 2.2, A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeScriptPath is axe-core as `npm ci --prefix internal/e2e/axe` installs
// it (the version is pinned in axe/package-lock.json). Tests run in the
// package's directory.
var axeScriptPath = filepath.Join("axe", "node_modules", "axe-core", "axe.min.js")

var axeSource struct {
	once sync.Once
	src  string
	err  error
}

// axeScript returns axe-core's source, or why it is not there.
func axeScript() (string, error) {
	axeSource.once.Do(func() {
		b, err := os.ReadFile(axeScriptPath)
		if errors.Is(err, os.ErrNotExist) {
			axeSource.err = errors.New("axe-core is not installed: run `npm ci --prefix internal/e2e/axe`")
			return
		}
		axeSource.src, axeSource.err = string(b), err
	})
	return axeSource.src, axeSource.err
}

// TestAxeInstalled makes a missing axe-core visible: without it the
// journeys run but check no page for accessibility.
func TestAxeInstalled(t *testing.T) {
	if _, err := axeScript(); err != nil {
		if required() {
			t.Fatalf("%s=1 but %v", requireEnv, err)
		}
		t.Skipf("accessibility checks skipped: %v (set %s=1 to make this a failure)", err, requireEnv)
	}
}

// axeViolation is one rule a page breaks, with the elements that break it.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// axeRun is what the page evaluates: every WCAG A/AA rule over the whole
// document, violations only, flattened to plain JSON.
var axeRun = `axe.run(document, {
  runOnly: {type: "tag", values: ` + jsList(axeTags) + `},
  resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""}))
})))`

func jsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = js(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// axe runs axe-core in the current page and returns its violations. The
// script goes in through the DevTools protocol, which the page's
// Content-Security-Policy (no inline or foreign scripts) does not govern.
// Without axe-core installed it checks nothing.
func (tb *tab) axe() []axeViolation {
	tb.t.Helper()
	src, err := axeScript()
	if err != nil {
		if required() {
			tb.fatalf("%v", err)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src))
	}
	if err != nil {
		tb.fatalf("load axe-core into the page: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.fatalf("run axe-core: %v", err)
	}
	return violations
}

// knownViolation is an accessibility problem found in a page this test
// package does not own, reported to the page's owners with a fix. It is
// logged rather than failed until the page is fixed; then its entry goes.
type knownViolation struct {
	// Path is the page's path without its query, as a path.Match pattern.
	Path string
	// Rule is axe-core's rule ID.
	Rule string
	// Viewport is where it shows ("" for every viewport).
	Viewport string
	// Fix says what to change, and where.
	Fix string
}

// knownViolations are the pages' open accessibility problems, each
// reported with its fix. Every one is a table in a <div class="table-wrap">
// that scrolls sideways on a phone but cannot be reached with the keyboard,
// so a keyboard user cannot scroll it; the fix is the one
// web/views/learner_certificate.templ has: give the div role="region", an
// accessible name (aria-labelledby a heading's id) and tabindex="0".
var knownViolations = []knownViolation{}

// knownViolations logs and drops the violations listed in knownViolations
// for the current page, and returns the rest.
func (tb *tab) knownViolations(vs []axeViolation) []axeViolation {
	tb.t.Helper()
	path := tb.path()
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	var rest []axeViolation
	for _, v := range vs {
		known := false
		for _, k := range knownViolations {
			if ok, _ := pathpkg.Match(k.Path, path); ok && k.Rule == v.ID && (k.Viewport == "" || k.Viewport == tb.vp.Name) {
				tb.t.Logf("[%s, step %q] known accessibility problem on %s, not failed: %s (%s)\n  fix: %s", tb.vp.Name, tb.step, path, v.ID, v.Help, k.Fix)
				known = true
			}
		}
		if !known {
			rest = append(rest, v)
		}
	}
	return rest
}

// formatViolations lists violations for a person: rule, impact, what to do,
// and each offending element's selector and axe's explanation.
func formatViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  - %s (%s): %s\n    %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "      at %s\n        %s\n", strings.Join(n.Target, " "), abbreviate(n.HTML))
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&b, "        %s\n", line)
				}
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
