package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestDashboard: HR's dashboard draws its charts as SVG, each with a title
// and a description it is labelled by, and the same numbers in a table.
func TestDashboard(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	res := o.hrC.Get("/admin")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if doc.Find("[style]").Length() > 0 {
		t.Error("inline style attributes on the dashboard (the CSP forbids them)")
	}
	if doc.Find("h1").Length() != 1 || doc.Find(`nav.subnav a[aria-current="page"]`).Text() != "Overview" {
		t.Error("the dashboard lacks its heading or the HR navigation")
	}
	figures := doc.Find("figure.chart")
	if figures.Length() != 4 {
		t.Fatalf("%d charts, want 4 (course, department, expiring, trend)", figures.Length())
	}
	figures.Each(func(_ int, fig *goquery.Selection) {
		name, _ := fig.Attr("data-testid")
		// The laptop's drawing; a phone gets one drawn for its width.
		if fig.Find(`svg.chart-narrow[role="img"]`).Length() != 1 {
			t.Errorf("%s: no phone-width drawing", name)
		}
		svg := fig.Find(`svg.chart-wide[role="img"]`)
		if svg.Length() != 1 {
			t.Errorf("%s: no svg with role img", name)
			return
		}
		labelledBy, _ := svg.Attr("aria-labelledby")
		ids := strings.Fields(labelledBy)
		if len(ids) != 2 {
			t.Errorf("%s: aria-labelledby %q", name, labelledBy)
			return
		}
		title, desc := svg.Find("title#"+ids[0]), svg.Find("desc#"+ids[1])
		if strings.TrimSpace(title.Text()) == "" || strings.TrimSpace(desc.Text()) == "" {
			t.Errorf("%s: title %q, desc %q", name, title.Text(), desc.Text())
		}
		if fig.Find("details table tbody tr").Length() == 0 {
			t.Errorf("%s: no table of its numbers", name)
		}
	})
	// The course chart's bar says 16% (1 of 6): Ada completed, the others
	// have not; its table row and its description agree.
	course := doc.Find(`[data-testid="chart-by-course"]`)
	bar := strings.TrimSpace(course.Find("svg.chart-wide text.chart-value").First().Text())
	row := course.Find("tbody tr").First()
	if bar != "16% (1 of 6)" || row.Find("td").First().Text() != "16%" || row.Find("td").Last().Text() != "6" {
		t.Errorf("course chart says %q; table row %q", bar, row.Text())
	}
	if !strings.Contains(course.Find("desc").Text(), "Basic Training: 16% (1 of 6)") {
		t.Errorf("course chart's description: %q", course.Find("desc").Text())
	}
	dept := doc.Find(`[data-testid="chart-by-department"]`)
	if got := dept.Find("svg.chart-wide text.chart-label").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(got, ",") != "Estates,Nursing" {
		t.Errorf("department bars: %v (least compliant first)", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="tile-overdue"] .tile-value`).Text()); got != "1" {
		t.Errorf("overdue tile: %q", got)
	}
	trend := doc.Find(`[data-testid="chart-trend"]`)
	if trend.Find("tbody tr").Length() != 12 {
		t.Errorf("trend table: %d months", trend.Find("tbody tr").Length())
	}
	if doc.Find(`[data-testid="outbox-summary"]`).Length() != 1 {
		t.Error("the e-mail summary is gone")
	}
	// The filter narrows the dashboard; a bad one is refused with a reason.
	res = o.hrC.Get("/admin?department=Estates")
	mustStatus(t, res, http.StatusOK)
	if got := learnerDoc(t, res).Find(`[data-testid="chart-by-course"] svg.chart-wide text.chart-value`).First().Text(); got != "0% (0 of 2)" {
		t.Errorf("Estates course bar: %q", got)
	}
	res = o.hrC.Get("/admin?status=nonsense")
	mustStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(res.Body, "unknown status") {
		t.Error("the 400 does not say what is wrong")
	}
}

// TestDashboardBeforeAnyRefresh: a new install says the figures are not
// worked out yet, and draws no empty charts.
func TestDashboardBeforeAnyRefresh(t *testing.T) {
	t.Parallel()
	env := newEnvWithHR(t)
	res := env.hrC.Get("/admin")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if !strings.Contains(doc.Find("main").Text(), "have not been worked out yet") {
		t.Error("no word that the figures are not ready")
	}
	if doc.Find(`[data-testid="chart-by-course"] svg`).Length() != 0 {
		t.Error("an empty chart is drawn")
	}
}
