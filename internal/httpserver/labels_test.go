package httpserver_test

import (
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestHonestLabels: an open cycle is "Not started" on the learner's
// dashboard and on HR's person page alike (compliance.StatusLabel, the one
// place), also once a step was merely opened; a refresher cycle is called
// "Annual refresher" and its time is added up from its own steps (7
// minutes for basics and sign), not the full course's 15.
func TestHonestLabels(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	cy := assignBasic(t, env, emp)

	want := compliance.StatusLabel(compliance.StatusOpen)
	if want != "Not started" {
		t.Fatalf("open cycles are labelled %q", want)
	}
	if got := learnerDoc(t, c.Get("/")).Find("[data-testid=status]").First().Text(); got != "Due "+compliance.FormatDay(cy.DueAt) && got != want {
		t.Errorf("dashboard status %q", got)
	}
	badge := strings.TrimSpace(learnerDoc(t, hr.Get("/admin/people/"+emp.ID)).Find("td .badge.open").First().Text())
	if badge != want {
		t.Errorf("HR's person page labels an open cycle %q, want %q", badge, want)
	}
	// Opening the first step starts the cycle, but nothing is done yet.
	mustStatus(t, c.Get(basicStep+"welcome"), 200)
	if got := learnerDoc(t, c.Get("/")).Find("[data-testid=status]").First().Text(); got != "Not started" {
		t.Errorf("a course with nothing done shows %q", got)
	}

	// The refresher.
	if err := env.App.DB.Model(&compliance.Cycle{}).Where("id = ?", cy.ID).Update("path", string(compliance.PathRefresher)).Error; err != nil {
		t.Fatal(err)
	}
	doc := learnerDoc(t, c.Get("/"))
	if got := doc.Find("[data-testid=cycle-name]").Text(); got != "Annual refresher" {
		t.Errorf("the refresher is called %q", got)
	}
	if got := doc.Find("[data-testid=minutes]").Text(); got != "About 7 minutes" {
		t.Errorf("refresher time %q, want About 7 minutes", got)
	}
	if got := learnerDoc(t, hr.Get("/admin/people/"+emp.ID)).Find("[data-testid=cycle] [data-testid=cycle-name]").Text(); got != "Annual refresher" {
		t.Errorf("HR's person page calls the refresher %q", got)
	}
	if page := learnerDoc(t, c.Get("/courses/basic")).Text(); !strings.Contains(page, "About 7 minutes in all") {
		t.Error("the course page does not add up the refresher's own steps")
	}
}
