package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestReportPreviewNameAndStatusFirstAndLinked: HR's report previews show
// the person and the status as the first two columns, which stay in view
// while the rest scroll (sticky-2), and each name links to the person's
// page; the department report keeps the department in view.
func TestReportPreviewNameAndStatusFirstAndLinked(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	if err := o.env.App.DB.Model(&people.Employee{}).Where("id = ?", o.bob.ID).Update("employee_number", "E-BOB").Error; err != nil {
		t.Fatal(err)
	}
	o.refresh(t)
	res := o.hrC.Get("/admin/reports?report=overdue")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	table := doc.Find("[data-testid=report-preview]")
	if !table.HasClass("sticky-2") {
		t.Errorf("the overdue report's preview does not keep two columns in view: class %q", table.AttrOr("class", ""))
	}
	heads := table.Find("thead th")
	if got := heads.Eq(0).Text() + "|" + heads.Eq(1).Text(); got != "Employee|Status" {
		t.Errorf("first columns %q, want Employee|Status", got)
	}
	row := table.Find("tbody tr").First()
	link := row.Find("th[scope=row] a")
	if href, _ := link.Attr("href"); href != "/admin/people/"+o.bob.ID || !strings.Contains(link.Text(), "Bob Builder") {
		t.Errorf("Bob's name links to %q (%q), want his page", href, link.Text())
	}
	if got := strings.TrimSpace(row.Children().Eq(1).Text()); got != "Overdue" {
		t.Errorf("the second cell is %q, want Overdue", got)
	}

	doc = learnerDoc(t, o.hrC.Get("/admin/reports?report=departments"))
	if !doc.Find("[data-testid=report-preview]").HasClass("sticky-1") {
		t.Error("the department report does not keep the department in view")
	}
}

// TestTrendCurrentMonthMatchesTheTile: the 12-month trend's current month
// is today's standing, counted as the "Compliant" tile is, not the last
// snapshot (taken earlier, before another completion).
func TestTrendCurrentMonthMatchesTheTile(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	if err := o.env.App.DB.Transaction(func(tx *gorm.DB) error { return report.Snapshot(tx, o.env.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	if _, err := o.env.App.Learning.CompleteCourse(t.Context(), o.bob, "basic"); err != nil {
		t.Fatal(err)
	}
	o.refresh(t)
	doc := learnerDoc(t, o.hrC.Get("/admin"))
	tile := strings.TrimSpace(doc.Find(`[data-testid="tile-compliant"] .tile-value`).Text())
	if tile != "33%" {
		t.Fatalf("the compliant tile reads %q, want 33%% (2 of 6)", tile)
	}
	last := doc.Find(`[data-testid="chart-trend"] tbody tr`).Last()
	if got := strings.TrimSpace(last.Children().Eq(2).Text()); got != tile {
		t.Errorf("the trend's current month reads %q (row %q), the tile %q", got, strings.Join(strings.Fields(last.Text()), " "), tile)
	}
}

// TestFirstHRAdminGettingStarted: while nobody but HR is in Onramp, an HR
// admin with no training of their own lands on the HR overview, which lists
// the first steps (import staff, check the rules, connect a mail server);
// once staff are in, the list is gone and / is their own training.
func TestFirstHRAdminGettingStarted(t *testing.T) {
	t.Parallel()
	o := newEnvWithHR(t)
	mustRedirect(t, o.hrC.Get("/"), "/admin")
	doc := learnerDoc(t, o.hrC.Get("/admin"))
	steps := doc.Find("[data-testid=getting-started] li")
	if steps.Length() != 3 || steps.Eq(0).Find(`a[href="/admin/people/import"]`).Length() != 1 ||
		steps.Eq(1).Find(`a[href="/admin/rules"]`).Length() != 1 || !strings.Contains(steps.Eq(2).Text(), "ONRAMP_SMTP_URL") {
		t.Fatalf("getting started: %q", strings.Join(strings.Fields(steps.Text()), " "))
	}
	newLearner(t, o.env, "nina@example.org", "Nina", "Patel", people.RoleLearner)
	mustStatus(t, o.hrC.Get("/"), http.StatusOK)
	if n := learnerDoc(t, o.hrC.Get("/admin")).Find("[data-testid=getting-started]").Length(); n != 0 {
		t.Error("the getting-started list stays once staff are in")
	}
}
