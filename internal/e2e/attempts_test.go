package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// TestAnotherAttemptJourney: a nurse failed every attempt at the quiz. Her
// dashboard says "Waiting for another attempt"; HR opens her page, sends
// the grant form without a reason and lands on the error summary, focused,
// then grants one with a reason; her dashboard offers the course again.
// At phone and desktop widths, with axe-core on every page.
func TestAnotherAttemptJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		ctx := context.Background()
		hr := s.addPerson(person{Email: "hana@hospital.test", First: "Hana", Last: "Reyes", Role: people.RoleHRAdmin})
		nurse := s.addPerson(person{Email: "li@hospital.test", First: "Li", Last: "Chen", JobTitle: "Registered Nurse", Department: "Nursing"})
		s.assign(nurse, s.Clock.Now().AddDate(0, 0, 30))
		j, err := s.App.Learning.Journey(ctx, nurse, "basic")
		if err != nil {
			t.Fatal(err)
		}
		m := j.Course.Module("basics")
		st := m.Step("check")
		for range st.Quiz.Attempts {
			a, err := s.App.Learning.StartAttempt(ctx, j, m, st)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := s.App.Learning.SubmitAttempt(ctx, j, m, st, a.ID, map[string][]string{}); err != nil {
				t.Fatal(err)
			}
		}

		tb := openTab(t, s, vp)
		tb.visit("sign in", "/")
		signIn(tb, nurse.Email)
		tb.expectText(courseCard+" [data-testid=status]", "Waiting for another attempt")
		if tb.count(courseCard+" [data-testid=waiting-note]") != 1 {
			tb.fatalf("the card does not say what happens next")
		}

		hrTab := openTab(t, s, vp)
		hrTab.visit("sign in", "/admin/people/"+nurse.ID)
		signIn(hrTab, hr.Email)
		hrTab.expectPath("/admin/people/" + nurse.ID)
		if hrTab.count("[data-testid=stuck-attempts] [data-testid=grant-form]") != 1 {
			hrTab.fatalf("HR's page of the person does not show the stuck quiz")
		}
		hrTab.fill("[data-testid=grant-form] input[name=extra]", "1")
		hrTab.follow("[data-testid=grant-form] button[type=submit]", "grant without a reason")
		if !strings.HasSuffix(hrTab.location(), "#error-summary") {
			hrTab.fatalf("the refused grant did not open at the error summary: %s", hrTab.location())
		}
		hrTab.waitFor("the error summary to be focused", `document.activeElement && document.activeElement.id === "error-summary"`, 5*time.Second)
		top := eval[float64](hrTab, `document.getElementById("error-summary").getBoundingClientRect().top`)
		if top < -1 || top > float64(vp.Height) {
			hrTab.fatalf("the error summary is not in view: top %.0f", top)
		}
		hrTab.typeInto("[data-testid=grant-form] textarea[name=reason]", "Went through the answers together")
		hrTab.follow("[data-testid=grant-form] button[type=submit]", "grant")
		if !strings.HasSuffix(hrTab.location(), "?done=granted#main") {
			hrTab.fatalf("after the grant: %s", hrTab.location())
		}
		if hrTab.count("[data-testid=stuck-attempts]") != 0 {
			hrTab.fatalf("the person is still listed as stuck after the grant")
		}

		tb.visit("dashboard after the grant", "/")
		if got := tb.text(courseCard + " [data-testid=status]"); got == "Waiting for another attempt" {
			tb.fatalf("still waiting after the grant")
		}
		t.Logf("[%s] %d + %d pages checked by axe-core", vp.Name, tb.audited, hrTab.audited)
	})
}
