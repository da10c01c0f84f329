package httpserver_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
)

// TestReportsPage: HR picks a report, filters it and sees a count, the
// first rows and the download links that keep the filter.
func TestReportsPage(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	res := o.hrC.Get("/admin/reports?report=status&department=Nursing")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if got := strings.TrimSpace(doc.Find(`[data-testid="report-count"]`).Text()); got != "4 rows" {
		t.Errorf("count: %q", got)
	}
	if n := doc.Find(`[data-testid="report-preview"] tbody tr`).Length(); n != 4 {
		t.Errorf("%d preview rows, want 4", n)
	}
	var links []string
	doc.Find(`[data-testid="downloads"] a`).Each(func(_ int, a *goquerySelection) { links = append(links, a.AttrOr("href", "")) })
	want := "/admin/reports/status.csv?department=Nursing /admin/reports/status.xlsx?department=Nursing /admin/reports/status.json?department=Nursing"
	if strings.Join(links, " ") != want {
		t.Errorf("downloads: %v", links)
	}
	if v, _ := doc.Find(`#filter-department option[selected]`).Attr("value"); v != "Nursing" {
		t.Errorf("the form forgot the department: %q", v)
	}
	if doc.Find("[style]").Length() > 0 || doc.Find("h1").Length() != 1 {
		t.Error("inline style, or not one h1")
	}
	// Every report renders.
	for _, name := range []string{"overdue", "expiring", "completions", "matrix", "departments"} {
		mustStatus(t, o.hrC.Get("/admin/reports?report="+name), http.StatusOK)
	}
	// A bad filter is a 400 that says what is wrong, on the page.
	res = o.hrC.Get("/admin/reports?report=overdue&days=7000")
	mustStatus(t, res, http.StatusBadRequest)
	if got := learnerDoc(t, res).Find(`[data-testid="filter-error"]`).Text(); !strings.Contains(got, "days: give a whole number of days from 1 to 366") {
		t.Errorf("filter error: %q", got)
	}
	mustStatus(t, o.hrC.Get("/admin/reports?report=nonsense"), http.StatusNotFound)
}

// TestReportDownloads: CSV, XLSX and JSON downloads with a dated file
// name, and an audit entry for each naming who, which report and which
// filter.
func TestReportDownloads(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	res := o.hrC.Get("/admin/reports/status.csv?department=Nursing")
	mustStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="onramp-status-2026-03-02.csv"` {
		t.Errorf("Content-Disposition: %q", got)
	}
	if got := res.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Content-Type %q, Cache-Control %q", got, res.Header.Get("Cache-Control"))
	}
	records, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(records) != 5 || records[0][1] != "Employee" {
		t.Fatalf("CSV: %d records (%v): %q", len(records), err, records)
	}

	res = o.hrC.Get("/admin/reports/matrix.xlsx")
	mustStatus(t, res, http.StatusOK)
	x, err := excelize.OpenReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Report")
	if len(rows) != 7 || rows[0][5] != "Basic Training" {
		t.Errorf("XLSX matrix: %q", rows)
	}

	res = o.hrC.Get("/admin/reports/overdue?format=json")
	mustStatus(t, res, http.StatusOK)
	var objects []map[string]any
	if err := json.Unmarshal([]byte(res.Body), &objects); err != nil || len(objects) != 1 || objects[0]["employee"] != "Bob Builder" || objects[0]["days_overdue"] != 5.0 {
		t.Errorf("JSON overdue: %v (%v)", objects, err)
	}

	var entries []audit.Entry
	if err := o.env.App.DB.Where("action = ? AND entity_type = ?", audit.ActionExport, "report").Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d export entries, want 3", len(entries))
	}
	first := entries[0]
	if first.ActorID != o.hr.ID || first.EntityID != "status" || !strings.Contains(first.Summary, `department "Nursing"`) ||
		!strings.Contains(first.Details, `"filters":{"department":"Nursing"}`) || !strings.Contains(first.Details, `"format":"csv"`) {
		t.Errorf("audit entry: %+v", first)
	}
	if res, err := audit.Verify(context.Background(), o.env.App.DB); err != nil || !res.OK() {
		t.Errorf("audit chain after exports: %+v, %v", res, err)
	}

	for path, want := range map[string]int{
		"/admin/reports/nonsense.csv":             http.StatusNotFound,
		"/admin/reports/status.pdf":               http.StatusNotFound,
		"/admin/reports/status.csv?format=xlsx":   http.StatusBadRequest,
		"/admin/reports/status.csv?status=late":   http.StatusBadRequest,
		"/admin/reports/status.csv?departmnet=Ab": http.StatusBadRequest,
	} {
		mustStatus(t, o.hrC.Get(path), want)
	}
}

// TestTeamReportsAreTheTeamsOnly: a manager sees and downloads the people
// who report to them, directly or through others, and gets 403 on anyone
// else's people and reports.
func TestTeamReportsAreTheTeamsOnly(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	names := func(body string) []string {
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range records[1:] {
			out = append(out, r[1])
		}
		return out
	}
	// The boss's team is Len, and through him Ada and Bob.
	res := o.bossC.Get("/team/reports/status.csv")
	mustStatus(t, res, http.StatusOK)
	if got := strings.Join(names(res.Body), ","); got != "Bob Builder,Len Lead,Ada Lovelace" {
		t.Errorf("boss's team: %s", got)
	}
	// Narrowed to Len's part of it.
	res = o.bossC.Get("/team/reports/status.csv?manager=" + o.lead.ID)
	mustStatus(t, res, http.StatusOK)
	if got := strings.Join(names(res.Body), ","); got != "Bob Builder,Ada Lovelace" {
		t.Errorf("Len's part of the boss's team: %s", got)
	}
	// Olive's team is someone else's: every way of asking for it is a 403.
	for _, path := range []string{
		"/team/reports/status.csv?manager=" + o.other.ID,
		"/team/reports/matrix.xlsx?manager=" + o.other.ID,
		"/team/reports/overdue.json?manager=" + o.carl.ID,
		"/team?manager=" + o.other.ID,
		"/people/" + o.carl.ID + "/progress",
		"/admin/reports/status.csv?manager=" + o.other.ID,
		"/admin/reports",
		"/admin",
	} {
		mustStatus(t, o.leadC.Get(path), http.StatusForbidden)
	}
	// Up the chain is not down it.
	mustStatus(t, o.leadC.Get("/team/reports/status.csv?manager="+o.boss.ID), http.StatusForbidden)
	// The learner has no team pages at all.
	mustStatus(t, o.adaC.Get("/team/reports/status.csv"), http.StatusForbidden)

	// The team page lists the team, those needing attention first, with
	// the team's downloads.
	res = o.bossC.Get("/team")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	var people []string
	doc.Find(`[data-testid="team"] tbody th a`).Each(func(_ int, a *goquerySelection) { people = append(people, a.Text()) })
	if strings.Join(people, ",") != "Bob Builder,Len Lead,Ada Lovelace" {
		t.Errorf("team page: %v", people)
	}
	if got := doc.Find(`[data-testid="team-attention"]`).Text(); !strings.Contains(got, "1 person is overdue or expired") {
		t.Errorf("attention: %q", got)
	}
	if href, _ := doc.Find(`[data-testid="team-reports"] a`).First().Attr("href"); href != "/team/reports/status.csv" {
		t.Errorf("first team download: %q", href)
	}
	res = o.bossC.Get("/team?status=completed")
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := doc.Find(`[data-testid="team"] tbody th a`).Text(); got != "Ada Lovelace" {
		t.Errorf("completed on the team: %q", got)
	}
	if href, _ := doc.Find(`[data-testid="team-reports"] a`).First().Attr("href"); href != "/team/reports/status.csv?status=completed" {
		t.Errorf("filtered team download: %q", href)
	}
	// The team export is audited as the team's.
	var e audit.Entry
	if err := o.env.App.DB.Where("action = ? AND actor_id = ?", audit.ActionExport, o.boss.ID).Order("seq").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Details, `"scope":"team"`) || !strings.Contains(e.Summary, "of their team") {
		t.Errorf("team export entry: %+v", e)
	}
}

// flushRecorder is an http.ResponseWriter that notes how much of the body
// had been written at each Flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	flushedAt []int
}

func (f *flushRecorder) Flush() {
	f.flushedAt = append(f.flushedAt, f.Body.Len())
	f.ResponseRecorder.Flush()
}

// TestExportStreamsOverHTTP: a 10,000-row download goes out in pieces: the
// response is flushed to the client many times, the first time long before
// the end, and carries no Content-Length.
func TestExportStreamsOverHTTP(t *testing.T) {
	t.Parallel()
	o := newReportOrg(t)
	now := o.env.Clock.Now()
	err := o.env.App.DB.Transaction(func(tx *gorm.DB) error {
		for start := 0; start < 10_000; start += 500 {
			var emps, assigns, cycles []string
			var ea, aa, ca []any
			for i := start; i < start+500; i++ {
				id := fmt.Sprintf("bulk-%05d", i)
				emps = append(emps, "(?, ?, ?, ?, ?, 'Nursing', 'Nurse', 'North', 'active', 'learner', ?, ?)")
				ea = append(ea, id, fmt.Sprintf("B%05d", i), id+"@example.org", "First", fmt.Sprintf("Last%05d", i), now, now)
				assigns = append(assigns, "(?, ?, 'basic', 'active', ?)")
				aa = append(aa, id+"-a", id, now)
				cycles = append(cycles, "(?, ?, ?, 'basic', 1, 'full', 'open', ?, ?, ?, ?)")
				ca = append(ca, id+"-c", id+"-a", id, now, now.AddDate(0, 0, 30), now, now)
			}
			if err := tx.Exec("INSERT INTO employees (id, employee_number, email, first_name, last_name, department, job_title, location, status, role, created_at, updated_at) VALUES "+strings.Join(emps, ","), ea...).Error; err != nil {
				return err
			}
			if err := tx.Exec("INSERT INTO assignments (id, employee_id, course_id, status, created_at) VALUES "+strings.Join(assigns, ","), aa...).Error; err != nil {
				return err
			}
			if err := tx.Exec("INSERT INTO cycles (id, assignment_id, employee_id, course_id, number, path, status, window_opens_at, due_at, created_at, updated_at) VALUES "+strings.Join(cycles, ","), ca...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	o.refresh(t)
	for _, format := range []string{"csv", "json"} {
		req := httptest.NewRequest(http.MethodGet, "/admin/reports/status."+format+"?department=Nursing", nil)
		for _, c := range o.hrC.HTTP.Jar.Cookies(o.hrC.Base) {
			req.AddCookie(c)
		}
		rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
		o.env.App.Server.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", format, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Content-Length") != "" {
			t.Errorf("%s: a Content-Length, so the body was held back", format)
		}
		total := rec.Body.Len()
		if len(rec.flushedAt) < 20 || rec.flushedAt[0] == 0 || rec.flushedAt[0] > total/10 {
			t.Errorf("%s: %d flushes, the first after %d of %d bytes", format, len(rec.flushedAt), rec.flushedAt[0], total)
		}
		lines := bytes.Count(rec.Body.Bytes(), []byte("\n"))
		if lines < 10_004 {
			t.Errorf("%s: %d lines, want every row", format, lines)
		}
	}
}
