package httpserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestReportAndTeamPagesArePaged: the reports page and the team page show
// a page at a time with Previous and Next links (rel=prev/next, in a
// labelled nav) that keep the filters and carry an opaque cursor, and a
// cursor that was not given out is a 400.
func TestReportAndTeamPagesArePaged(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	db := o.env.App.DB
	now := o.env.Clock.Now()
	// 120 more people report to Len, in the Bulk department, each with a
	// standing in the report tables.
	err := db.Transaction(func(tx *gorm.DB) error {
		for i := range 120 {
			e := &people.Employee{Email: fmt.Sprintf("bulk%03d@example.org", i), FirstName: "Bulk", LastName: fmt.Sprintf("Person %03d", i),
				Department: "Bulk", ManagerID: &o.lead.ID}
			if err := people.Create(tx, e, now); err != nil {
				return err
			}
			err := tx.Exec(`INSERT INTO compliance_status (employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at,
				department, sort_name, refreshed_at) VALUES (?, 'basic', ?, ?, 1, 'not_started', ?, 'Bulk', ?, ?)`,
				e.ID, "a-"+e.ID, "c-"+e.ID, now.AddDate(0, 1, 0), strings.ToLower(e.LastName+" "+e.FirstName), now).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pager := func(doc *goquery.Document) (prev, next string) {
		t.Helper()
		nav := doc.Find(`nav[data-testid="pager"]`)
		if nav.Length() == 1 && nav.AttrOr("aria-label", "") == "" {
			t.Error("the pager has no label")
		}
		return nav.Find(`a[rel="prev"]`).AttrOr("href", ""), nav.Find(`a[rel="next"]`).AttrOr("href", "")
	}
	query := func(link string) url.Values {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query()
	}

	// HR's status report for Bulk: 100 rows, then 20.
	res := o.hrC.Get("/admin/reports?report=status&department=Bulk")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if got := strings.TrimSpace(doc.Find(`[data-testid="report-count"]`).Text()); !strings.HasPrefix(got, "120 rows; 100 on this page") {
		t.Errorf("count: %q", got)
	}
	rows := doc.Find(`[data-testid="report-preview"] tbody tr`)
	first := rows.First().Text()
	prev, next := pager(doc)
	if rows.Length() != 100 || prev != "" || next == "" {
		t.Fatalf("first page: %d rows, prev %q, next %q", rows.Length(), prev, next)
	}
	statusCursor := query(next).Get("cursor")
	if q := query(next); q.Get("report") != "status" || q.Get("department") != "Bulk" || statusCursor == "" {
		t.Errorf("next link %q", next)
	}
	res = o.hrC.Get(next)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	prev, next = pager(doc)
	if n := doc.Find(`[data-testid="report-preview"] tbody tr`).Length(); n != 20 || prev == "" || next != "" {
		t.Fatalf("second page: %d rows, prev %q, next %q", n, prev, next)
	}
	if !strings.Contains(doc.Find(`[data-testid="report-preview"] tbody tr`).Last().Text(), "Person 119") {
		t.Errorf("the last row is %q", doc.Find(`[data-testid="report-preview"] tbody tr`).Last().Text())
	}
	res = o.hrC.Get(prev)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if rows := doc.Find(`[data-testid="report-preview"] tbody tr`); rows.Length() != 100 || rows.First().Text() != first {
		t.Errorf("back to the first page: %d rows starting %q", rows.Length(), rows.First().Text())
	}
	mustStatus(t, o.hrC.Get("/admin/reports?report=status&cursor=bm9wZQ"), http.StatusBadRequest)
	// A cursor of one report does not fit another.
	mustStatus(t, o.hrC.Get("/admin/reports?report=overdue&"+url.Values{"cursor": {statusCursor}}.Encode()), http.StatusBadRequest)

	// Len's team: Bob (overdue) first, then by name, 50 a page.
	res = o.leadC.Get("/team")
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	people := doc.Find(`[data-testid="team"] tbody th a`)
	if people.Length() != 50 || people.First().Text() != "Bob Builder" {
		t.Fatalf("team's first page: %d people, first %q", people.Length(), people.First().Text())
	}
	if got := doc.Find(`[data-testid="team-count"]`).Text(); !strings.Contains(got, "122 people, 50 on this page") {
		t.Errorf("team count: %q", got)
	}
	var seen []string
	for page := 1; ; page++ {
		doc.Find(`[data-testid="team"] tbody th a`).Each(func(_ int, a *goquerySelection) { seen = append(seen, a.Text()) })
		prev, next = pager(doc)
		if (page == 1) != (prev == "") {
			t.Errorf("team page %d: previous link %q", page, prev)
		}
		if next == "" {
			break
		}
		if page > 5 {
			t.Fatal("too many pages")
		}
		res = o.leadC.Get(next)
		mustStatus(t, res, http.StatusOK)
		doc = learnerDoc(t, res)
	}
	if len(seen) != 122 || seen[1] != "Ada Lovelace" || seen[121] != "Bulk Person 119" {
		t.Errorf("walked %d people: %v … %v", len(seen), seen[:3], seen[len(seen)-1])
	}
	// Filters stay in the links.
	res = o.leadC.Get("/team?department=Bulk")
	mustStatus(t, res, http.StatusOK)
	if _, next := pager(learnerDoc(t, res)); query(next).Get("department") != "Bulk" {
		t.Errorf("filtered team's next link %q", next)
	}
	mustStatus(t, o.leadC.Get("/team?cursor=bm9wZQ"), http.StatusBadRequest)
}

// TestXLSXDownloadGoesOnToFurtherSheets: over HTTP, a report longer than a
// sheet (here 2 rows a sheet) downloads as one workbook whose sheets each
// start with the header and together hold every row.
func TestXLSXDownloadGoesOnToFurtherSheets(t *testing.T) {
	o := newReportOrg(t)
	defer func(n int) { report.MaxSheetRows = n }(report.MaxSheetRows)
	report.MaxSheetRows = 2
	res := o.hrC.Get("/admin/reports/status.xlsx")
	mustStatus(t, res, http.StatusOK)
	x, err := excelize.OpenReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatalf("not a workbook (%d bytes): %v", len(res.Body), err)
	}
	if got := strings.Join(x.GetSheetList(), ","); got != "Report,Report 2,Report 3" {
		t.Errorf("sheets: %s", got)
	}
	var names []string
	for _, sheet := range x.GetSheetList() {
		rows, _ := x.GetRows(sheet)
		if len(rows) == 0 || rows[0][1] != "Employee" {
			t.Fatalf("%s: %q", sheet, rows)
		}
		for _, r := range rows[1:] {
			names = append(names, r[1])
		}
	}
	if len(names) != 6 || names[0] != "Bea Boss" {
		t.Errorf("rows: %v", names)
	}
}
