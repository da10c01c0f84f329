package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboardOnly: a learner who uses no mouse signs in and completes
// the module "The basics" (two pages and the quiz) with Tab, Shift+Tab,
// Space, Enter and, inside a group of radio buttons, the arrow keys. Every
// key press must move focus somewhere visible, with a focus outline.
func TestKeyboardOnly(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		grace := s.addPerson(person{Email: "grace@hospital.test", First: "Grace", Last: "Hopper"})
		s.runScheduler()
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/login")
		// The first Tab reaches the skip link, which shows itself and takes
		// the reader to the main content.
		tb.key("skip link", kb.Tab)
		tb.expectFocus("a.skip-link")
		tb.key("skip to content", kb.Enter)
		if got := eval[string](tb, `document.activeElement.id`); got != "main" {
			tb.fatalf("the skip link moved focus to %q, want the main content", got)
		}
		tb.tabTo("#email")
		tb.key("type the e-mail address", grace.Email)
		tb.tabTo("#password")
		tb.key("type the password", password)
		tb.keyToPage("dashboard", kb.Enter)
		tb.expectPath("/")

		tb.tabTo(courseCard + " [data-testid=course-action]")
		tb.keyToPage("welcome", kb.Enter)
		tb.expectPath(basicsStep + "welcome")
		tb.tabTo("[data-testid=mark-read]")
		tb.keyToPage("scenario", " ") // Space presses a button
		tb.expectPath(basicsStep + "scenario")
		tb.tabTo("[data-testid=mark-read]")
		tb.keyToPage("quiz", kb.Enter)
		tb.expectPath(basicsStep + "check")
		tb.tabTo("[data-testid=quiz-start]")
		tb.keyToPage("quiz attempt", kb.Enter)

		right := correctOptions(s)
		questions := eval[[]struct {
			Name     string   `json:"name"`
			Type     string   `json:"type"`
			Options  []string `json:"options"`
			InputIDs []string `json:"ids"`
		}](tb, `[...document.querySelectorAll("fieldset.question")].map(f => {
			const inputs = [...f.querySelectorAll("input")];
			return {name: inputs[0].name, type: inputs[0].type, options: inputs.map(i => i.value), ids: inputs.map(i => i.id)};
		})`)
		for _, q := range questions {
			want := right[q.Name]
			if q.Type == "radio" {
				// Tab enters the group at its first option; the arrow keys
				// move through the group, choosing as they go.
				tb.tabTo("#" + q.InputIDs[0])
				at := indexOf(q.Options, want[0])
				if at == 0 {
					tb.key("choose "+want[0], " ")
				}
				for i := 0; i < at; i++ {
					tb.key("next option", kb.ArrowDown)
				}
				tb.expectFocus("#" + q.InputIDs[at])
			} else {
				// Tab goes forward through the boxes in the page's order
				// (the options are shuffled), ticking the right ones.
				last := ""
				for i, id := range q.Options {
					if slices.Contains(want, id) {
						last = "#" + q.InputIDs[i]
						tb.tabTo(last)
						tb.key("tick "+id, " ")
					}
				}
				// Shift+Tab goes back the way Tab came.
				tb.key("forward", kb.Tab)
				tb.key("back", kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
				tb.expectFocus(last)
			}
			for _, id := range want {
				sel := "#" + q.InputIDs[indexOf(q.Options, id)]
				if !eval[bool](tb, `document.querySelector(`+js(sel)+`).checked`) {
					tb.fatalf("the keyboard did not choose option %s of %s", id, q.Name)
				}
			}
		}
		tb.tabTo("[data-testid=quiz-submit]")
		tb.keyToPage("quiz result", kb.Enter)
		if got := tb.text("[data-testid=quiz-summary] strong"); got != "100%" {
			tb.fatalf("score %q, want 100%%", got)
		}
		tb.tabTo("[data-testid=next]")
		tb.keyToPage("next module", kb.Enter)
		tb.expectPath(videoStep)

		j, err := s.App.Learning.Journey(tb.ctx, grace, "basic")
		if err != nil {
			tb.fatalf("load the journey: %v", err)
		}
		for _, step := range []string{"welcome", "scenario", "check"} {
			if !j.Done("basics", step) {
				tb.fatalf("the server does not have basics/%s as done", step)
			}
		}
	})
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	panic(fmt.Sprintf("%q not in %q", s, list))
}

// focused describes document.activeElement and whether a person can see it.
type focused struct {
	Desc    string `json:"desc"`
	Matches bool   `json:"matches"`
	// Visible: it matches :focus-visible, draws an outline of 2 px or more
	// with a contrast of 3:1 or more, and is inside the viewport.
	Visible bool   `json:"visible"`
	Why     string `json:"why"`
}

func (tb *tab) focus(sel string) *focused {
	tb.t.Helper()
	return eval[*focused](tb, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return null;
		const cs = getComputedStyle(e), r = e.getBoundingClientRect();
		const why = [];
		if (!e.matches(":focus-visible")) why.push("not :focus-visible");
		if (cs.outlineStyle === "none" || parseFloat(cs.outlineWidth) < 2) why.push("outline " + cs.outlineStyle + " " + cs.outlineWidth);
		// WCAG 1.4.11: the outline needs 3:1 against what it is drawn on
		// (the parent's background: the outline sits outside the element).
		const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) })
			.reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
		let bg = [255, 255, 255];
		for (let p = e.parentElement; p; p = p.parentElement) {
			const c = rgb(getComputedStyle(p).backgroundColor);
			if (c.length === 3 || (c.length === 4 && c[3] > 0)) { bg = c; break; }
		}
		const lo = lum(rgb(cs.outlineColor)), lb = lum(bg);
		const ratio = (Math.max(lo, lb) + 0.05) / (Math.min(lo, lb) + 0.05);
		if (ratio < 3) why.push("outline " + cs.outlineColor + " on " + "rgb(" + bg.join(", ") + ") has contrast " + ratio.toFixed(2) + ":1, under 3:1");
		if (!(r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth)) why.push("outside the viewport at " + [r.left, r.top, r.width, r.height].map(Math.round));
		const text = (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 50);
		return {
			desc: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (text ? " “" + text + "”" : ""),
			matches: e.matches(`+js(sel)+`), visible: why.length === 0, why: why.join(", "),
		};
	})()`)
}

// key presses keys (a Tab, an Enter, a space, or text to type) on
// whatever has focus.
func (tb *tab) key(what, keys string, opts ...chromedp.KeyOption) {
	tb.t.Helper()
	tb.must("press "+what, chromedp.KeyEvent(keys, opts...))
}

// keyToPage presses a key that submits a form or follows a link, and
// waits for the page it leads to.
func (tb *tab) keyToPage(step, keys string) {
	tb.t.Helper()
	tb.markDocument()
	tb.key("to "+step, keys)
	tb.at(step)
	tb.landed()
}

// expectFocus fails unless the focused element matches sel and its focus
// can be seen.
func (tb *tab) expectFocus(sel string) {
	tb.t.Helper()
	f := tb.focus(sel)
	switch {
	case f == nil:
		tb.fatalf("nothing has focus, want %s", sel)
	case !f.Matches:
		tb.fatalf("focus is on %s, want %s", f.Desc, sel)
	case !f.Visible:
		tb.fatalf("focus on %s cannot be seen: %s", f.Desc, f.Why)
	}
}

// tabTo presses Tab until the element matching sel has focus. Each press
// must move focus to another element, whose focus can be seen.
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	var path []string
	for range 40 {
		tb.key("Tab", kb.Tab)
		f := tb.focus(sel)
		if f == nil {
			tb.fatalf("after Tab nothing has focus (path so far: %s)", strings.Join(path, " → "))
		}
		if len(path) > 0 && path[len(path)-1] == f.Desc {
			tb.fatalf("Tab did not move focus from %s", f.Desc)
		}
		path = append(path, f.Desc)
		if !f.Visible {
			tb.fatalf("Tab reached %s, whose focus cannot be seen: %s", f.Desc, f.Why)
		}
		if f.Matches {
			return
		}
	}
	tb.fatalf("40 presses of Tab did not reach %s: %s", sel, strings.Join(path, " → "))
}
