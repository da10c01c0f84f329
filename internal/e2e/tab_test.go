package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/onramp-lms/onramp/internal/apptest"
)

// viewport is a screen the journeys run on.
type viewport struct {
	Name          string
	Width, Height int64
	// Mobile turns on mobile emulation (the page's meta viewport, touch):
	// taps instead of clicks.
	Mobile bool
}

// viewports are the screens every journey runs on: a laptop and a phone.
var viewports = []viewport{
	{Name: "desktop", Width: 1280, Height: 800},
	{Name: "phone", Width: 375, Height: 812, Mobile: true},
}

// eachViewport runs a journey once per viewport, in parallel subtests.
func eachViewport(t *testing.T, journey func(t *testing.T, vp viewport)) {
	sharedBrowser(t) // skips (or fails) here, before any site is built
	for _, vp := range viewports {
		t.Run(vp.Name, func(t *testing.T) {
			t.Parallel()
			journey(t, vp)
		})
	}
}

// Timeouts for one browser action, and for a page to load.
const (
	actionTimeout = 15 * time.Second
	loadTimeout   = 20 * time.Second
)

// tab is one browser tab in a browser context of its own (its own cookies),
// at one viewport, with the steps of a journey: each page it lands on is
// checked (axe-core, no sideways scrolling on a phone, no script errors),
// and a failure saves a screenshot and the page's HTML.
type tab struct {
	t    *testing.T
	ctx  context.Context
	vp   viewport
	base string
	// step names where the journey is, for messages and artefact files.
	step string
	// audited counts pages checked, and axeTime is the time axe-core took
	// over them, for the test's log.
	audited int
	axeTime time.Duration

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	saved   map[string]bool
}

// openTab opens a tab on the site at the viewport.
func openTab(t *testing.T, s *site, vp viewport) *tab {
	t.Helper()
	parent := sharedBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	tb := &tab{t: t, ctx: ctx, vp: vp, base: s.URL, step: "start", saved: map[string]bool{}}
	t.Cleanup(cancel)
	// Cleanups run last-in first-out: the artefacts are saved before the
	// tab closes.
	t.Cleanup(func() {
		if t.Failed() && !tb.saved[tb.step] {
			if files := tb.saveArtifacts(); files != "" {
				t.Logf("at step %q the page was: %s", tb.step, files)
			}
		}
	})
	opts := []chromedp.EmulateViewportOption{}
	if vp.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
	}
	// Tabs run side by side; each behaves as the focused window (focus
	// rings, :focus-visible, blur) as it would in front of a person.
	focusEmulation := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
	// The first run opens the tab; it must not carry a deadline (that would
	// close the tab when it passed).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.Width, vp.Height, opts...), focusEmulation); err != nil {
		t.Fatalf("open a tab at %s size: %v", vp.Name, err)
	}
	// Subscribe now, read in the background.
	go tb.collectConsole(chromedp.Console(ctx))
	return tb
}

// collectConsole keeps the page's uncaught exceptions and console errors
// (for example a script the Content-Security-Policy refused).
func (tb *tab) collectConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		if m.IsException() || m.Type == chromedp.ConsoleError {
			tb.mu.Lock()
			tb.console = append(tb.console, m)
			tb.mu.Unlock()
		}
	}
}

// at names the journey's current step.
func (tb *tab) at(step string) {
	tb.t.Helper()
	tb.step = step
}

// fatalf saves the page as artefacts and ends the test with the message,
// the step and the artefacts' paths.
func (tb *tab) fatalf(format string, args ...any) {
	tb.t.Helper()
	files := tb.saveArtifacts()
	tb.t.Fatalf("[%s, step %q] %s\n  page: %s\n  artefacts: %s", tb.vp.Name, tb.step, fmt.Sprintf(format, args...), tb.location(), files)
}

// errorf is fatalf that lets the journey go on.
func (tb *tab) errorf(format string, args ...any) {
	tb.t.Helper()
	files := tb.saveArtifacts()
	tb.t.Errorf("[%s, step %q] %s\n  page: %s\n  artefacts: %s", tb.vp.Name, tb.step, fmt.Sprintf(format, args...), tb.location(), files)
}

// run runs actions with a deadline.
func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// must runs actions and fails the test if one fails.
func (tb *tab) must(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := tb.run(actions...); err != nil {
		tb.fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](tb *tab, expr string, opts ...chromedp.EvaluateOption) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		tb.fatalf("evaluate %s: %v", abbreviate(expr), err)
	}
	return v
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// location is the page's URL, or a note when it cannot be read.
func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// path is the current page's path and query, without the site's address.
func (tb *tab) path() string {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.fatalf("the page's URL: %v", err)
	}
	return u.RequestURI()
}

// visit opens a path (or a full URL), names the journey's step after it,
// and checks the page.
func (tb *tab) visit(step, path string) {
	tb.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = tb.base + path
	}
	tb.markDocument()
	tb.at(step)
	if err := tb.run(chromedp.Navigate(target)); err != nil {
		tb.fatalf("open %s: %v", target, err)
	}
	tb.landed()
}

// markDocument tags the current document, so that landed can tell when a
// new one has replaced it.
func (tb *tab) markDocument() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	// about:blank before the first page has a window too.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__onrampOldPage = true`)); err != nil {
		tb.fatalf("mark the page: %v", err)
	}
}

// landed waits for a new document to finish loading, then checks it.
func (tb *tab) landed() {
	tb.t.Helper()
	tb.waitFor("a new page to load", `window.__onrampOldPage !== true && document.readyState === "complete"`, loadTimeout)
	tb.checkPage()
}

// waitFor polls a JavaScript condition until it is true. Errors while a
// navigation replaces the page count as "not yet".
func (tb *tab) waitFor(what, cond string, timeout time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Boolean(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			if lastErr != nil {
				tb.fatalf("waited %s for %s: %v", timeout, what, lastErr)
			}
			tb.fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// count is how many elements match the selector.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, `document.querySelectorAll(`+js(sel)+`).length`)
}

// text is the visible text of the first element matching the selector,
// with runs of white space made single spaces.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	v := eval[*string](tb, `(() => { const e = document.querySelector(`+js(sel)+`); return e ? e.innerText : null })()`)
	if v == nil {
		tb.fatalf("no element matches %s", sel)
	}
	return strings.Join(strings.Fields(*v), " ")
}

// attr is an attribute of the first element matching the selector.
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	v := eval[*string](tb, `(() => { const e = document.querySelector(`+js(sel)+`); return e ? e.getAttribute(`+js(name)+`) : null })()`)
	if v == nil {
		tb.fatalf("no element matches %s, or it has no %s attribute", sel, name)
	}
	return *v
}

// expectText fails unless the element's text is want.
func (tb *tab) expectText(sel, want string) {
	tb.t.Helper()
	if got := tb.text(sel); got != want {
		tb.fatalf("%s reads %q, want %q", sel, got, want)
	}
}

// expectPath fails unless the page's path is want.
func (tb *tab) expectPath(want string) {
	tb.t.Helper()
	if got := tb.path(); got != want {
		tb.fatalf("on %s, want %s", got, want)
	}
}

// press activates an element the way the viewport's person would: a
// tap on a phone, a click on a laptop. It does not wait for anything.
func (tb *tab) press(sel string) {
	tb.t.Helper()
	action := chromedp.Click(chromedp.CSS(sel))
	if tb.vp.Mobile {
		action = chromedp.Tap(chromedp.CSS(sel))
	}
	tb.must("press "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)), action)
}

// follow presses a link or a submit button, waits for the page it leads
// to, names the journey's step after that page, and checks it.
func (tb *tab) follow(sel, step string) {
	tb.t.Helper()
	tb.markDocument()
	tb.press(sel)
	tb.at(step)
	tb.landed()
}

// typeInto focuses a field and types text into it, key by key.
func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.must("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// fill replaces a field's value with text typed key by key.
func (tb *tab) fill(sel, text string) {
	tb.t.Helper()
	eval[chromedp.Void](tb, `document.querySelector(`+js(sel)+`).value = ""`)
	tb.typeInto(sel, text)
}

// choose picks an option of a select by its value, as the browser's own
// picker would (which the DevTools protocol cannot drive on a phone).
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	ok := eval[bool](tb, `(() => {
		const s = document.querySelector(`+js(sel)+`);
		if (!s || ![...s.options].some(o => o.value === `+js(value)+`)) return false;
		s.focus(); s.value = `+js(value)+`;
		s.dispatchEvent(new Event("input", {bubbles: true}));
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`)
	if !ok {
		tb.fatalf("%s has no option %q", sel, value)
	}
}

// checkPage checks the page the tab has just landed on: axe-core's WCAG
// 2.2 AA rules, no sideways scrolling on a phone (WCAG 1.4.10 reflow), and
// no script errors. Problems are reported and the journey goes on.
func (tb *tab) checkPage() {
	tb.t.Helper()
	tb.audited++
	axeStart := time.Now()
	found := tb.axe()
	tb.axeTime += time.Since(axeStart)
	if violations := tb.knownViolations(found); len(violations) > 0 {
		tb.errorf("axe-core found %d accessibility violation(s):\n%s", len(violations), formatViolations(violations))
	}
	if tb.vp.Mobile {
		widths := eval[[]int](tb, `[document.documentElement.scrollWidth, window.innerWidth]`)
		if widths[0] > widths[1]+1 {
			tb.errorf("the page scrolls sideways on a %d-pixel phone: it is %d pixels wide", tb.vp.Width, widths[0])
		}
	}
	tb.mu.Lock()
	logged := tb.console
	tb.console = nil
	tb.mu.Unlock()
	here := tb.location()
	var problems []string
	for _, m := range logged {
		// The page's own status (a 422 for a form with mistakes, a 404
		// page) is the server's answer, not a broken page.
		if m.Source == "network" && m.URL == here {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
	}
	if len(problems) > 0 {
		tb.errorf("the page logged errors:\n  %s", strings.Join(problems, "\n  "))
	}
}

// artifactsDir is where failing steps leave their screenshot and HTML:
// $ONRAMP_E2E_ARTIFACTS (relative to the repository root unless absolute),
// or artifacts/e2e at the repository root.
func artifactsDir() string {
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = filepath.Join("artifacts", "e2e")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(apptest.RepoRoot(), dir)
	}
	return filepath.Clean(dir)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts writes a full-page screenshot and the page's HTML for the
// current step, once per step, and returns their paths.
func (tb *tab) saveArtifacts() string {
	tb.mu.Lock()
	tb.saved[tb.step] = true
	tb.mu.Unlock()
	dir := artifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "(could not create " + dir + ": " + err.Error() + ")"
	}
	name := unsafeName.ReplaceAllString(tb.t.Name()+"--"+tb.step, "_")
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	var files []string
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		p := filepath.Join(dir, name+".png")
		if os.WriteFile(p, png, 0o644) == nil {
			files = append(files, p)
		}
	} else {
		files = append(files, "(no screenshot: "+err.Error()+")")
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		p := filepath.Join(dir, name+".html")
		if os.WriteFile(p, []byte("<!DOCTYPE html>\n"+html), 0o644) == nil {
			files = append(files, p)
		}
	} else {
		files = append(files, "(no HTML: "+err.Error()+")")
	}
	return strings.Join(files, ", ")
}
