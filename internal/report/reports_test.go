package report_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// org is a small organisation for the reports' tests:
//
//	boss (Nursing) → lead (Nursing) → ada (Nursing), bob (Estates)
//	other (Estates) → carl (Estates)
type org struct {
	*fixture
	boss, lead, ada, bob, other, carl *people.Employee
}

func newOrg(t *testing.T) *org {
	t.Helper()
	f := newFixture(t)
	o := &org{fixture: f}
	today := compliance.Day(testNow)
	yearAgo := today.AddDate(-1, 0, 0)
	o.boss = f.person("Bea", "Boss", "Nursing", nil)
	o.lead = f.person("Len", "Lead", "Nursing", o.boss)
	o.ada = f.person("Ada", "Lovelace", "Nursing", o.lead)
	o.bob = f.person("Bob", "Builder", "Estates", o.lead)
	o.other = f.person("Olive", "Other", "Estates", nil)
	o.carl = f.person("Carl", "Carter", "Estates", o.other)

	adaFire := f.assign(o.ada, "fire", cycleSpec{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo.Add(10 * 3600e9)), expires: at(today.AddDate(0, 0, 20))})
	f.assign(o.ada, "privacy", cycleSpec{status: compliance.StatusOverdue, due: today.AddDate(0, 0, -3)})
	f.assign(o.bob, "fire",
		cycleSpec{status: compliance.StatusExpired, due: yearAgo.AddDate(-1, 0, 0), completed: at(yearAgo.AddDate(-1, 0, 0)), expires: at(today.AddDate(0, 0, -40))},
		cycleSpec{status: compliance.StatusOverdue, due: today.AddDate(0, 0, -40)})
	f.assign(o.bob, "privacy", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 10)})
	otherFire := f.assign(o.other, "fire", cycleSpec{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo), expires: at(today.AddDate(0, 0, 80))})
	f.assign(o.carl, "fire", cycleSpec{status: compliance.StatusInProgress, due: today.AddDate(0, 0, 10), started: true})

	// Ada's completion has a certificate with a score and a content
	// version; Olive's was imported from the previous system.
	adaCycle, otherCycle := f.cycleID(adaFire.ID, 1), f.cycleID(otherFire.ID, 1)
	must(t, f.db.Exec(`INSERT INTO content_versions (id, course_id, module_id, hash, title, source, created_at) VALUES ('v1', 'fire', '', 'abcdef0123456789abcdef', 'Fire Safety', 'x', ?)`, testNow).Error)
	must(t, f.db.Exec(`UPDATE cycles SET course_version_id = 'v1' WHERE id = ?`, adaCycle).Error)
	must(t, f.db.Exec(`INSERT INTO certificates (id, code, cycle_id, employee_id, course_id, course_version_id, employee_name, course_title, completed_at, score_percent, pass_mark, issued_at)
		VALUES ('cert1', 'ABCDEFGHJK', ?, ?, 'fire', 'v1', 'Ada Lovelace', 'Fire Safety', ?, 92, 80, ?)`, adaCycle, o.ada.ID, yearAgo, yearAgo).Error)
	must(t, f.db.Exec(`INSERT INTO imported_completions (id, cycle_id, employee_id, course_id, completed_at, score, source_row, imported_at)
		VALUES ('imp1', ?, ?, 'fire', ?, 75, 2, ?)`, otherCycle, o.other.ID, yearAgo, testNow).Error)
	f.refresh(testNow, report.Refresh)
	return o
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) cycleID(assignmentID string, number int) string {
	f.t.Helper()
	var id string
	must(f.t, f.db.Raw("SELECT id FROM cycles WHERE assignment_id = ? AND number = ?", assignmentID, number).Scan(&id).Error)
	return id
}

// run reads a whole report as text, and checks its count agrees.
func (o *org) run(t *testing.T, name string, query string) (header []string, rows [][]string) {
	t.Helper()
	rep, ok := report.Lookup(name)
	if !ok {
		t.Fatalf("no report %q", name)
	}
	values, _ := url.ParseQuery(query)
	f, err := report.ParseFilter(values)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rs, err := rep.Open(ctx, o.db, f, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for _, c := range rs.Columns() {
		header = append(header, c.Title)
	}
	for rs.Next() {
		var cells []string
		for _, v := range rs.Values() {
			cells = append(cells, report.Text(v))
		}
		rows = append(rows, cells)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	n, err := rep.Count(ctx, o.db, f, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rows) {
		t.Errorf("%s?%s: count %d, rows %d", name, query, n, len(rows))
	}
	for _, limit := range []int{1, len(rows), len(rows) + 1} {
		upTo, more, err := rep.CountUpTo(ctx, o.db, f, testNow, limit)
		if err != nil || upTo != min(n, limit) || more != (n > limit) {
			t.Errorf("%s?%s: CountUpTo(%d) = %d, %v, %v; want %d, %v", name, query, limit, upTo, more, err, min(n, limit), n > limit)
		}
	}
	for _, size := range []int{1, 2} {
		if got := o.walkPages(t, rep, f, size); joined(flat(got)) != joined(flat(rows)) {
			t.Errorf("%s?%s: pages of %d:\n%v\nthe whole report:\n%v", name, query, size, got, rows)
		}
	}
	return header, rows
}

// walkPages reads a report a page at a time to the end following Next,
// then back to the start following Prev, checking that every page going
// back is the page seen going forward, and returns the rows in order.
func (o *org) walkPages(t *testing.T, rep *report.Report, f report.Filter, size int) [][]string {
	t.Helper()
	ctx := context.Background()
	text := func(p *report.Page) [][]string {
		var out [][]string
		for _, r := range p.Rows {
			var cells []string
			for _, v := range r {
				cells = append(cells, report.Text(v))
			}
			out = append(out, cells)
		}
		return out
	}
	var pages [][][]string
	var all [][]string
	cur := ""
	for {
		p, err := rep.Page(ctx, o.db, f, testNow, cur, size)
		if err != nil {
			t.Fatalf("%s page after %q: %v", rep.Name, cur, err)
		}
		if len(p.Rows) > size || (p.Next != "" && len(p.Rows) != size) {
			t.Fatalf("%s: a page of %d rows (size %d, next %q)", rep.Name, len(p.Rows), size, p.Next)
		}
		if (cur == "") != (p.Prev == "") {
			t.Errorf("%s: page %d has previous link %q", rep.Name, len(pages)+1, p.Prev)
		}
		pages = append(pages, text(p))
		all = append(all, text(p)...)
		if p.Next == "" {
			break
		}
		cur = p.Next
		if len(pages) > 100 {
			t.Fatal("more than 100 pages")
		}
	}
	// Back from the last page.
	p, _ := rep.Page(ctx, o.db, f, testNow, cur, size)
	for i := len(pages) - 2; i >= 0; i-- {
		if p.Prev == "" {
			t.Fatalf("%s: no previous link on page %d", rep.Name, i+2)
		}
		var err error
		if p, err = rep.Page(ctx, o.db, f, testNow, p.Prev, size); err != nil {
			t.Fatal(err)
		}
		if joined(flat(text(p))) != joined(flat(pages[i])) {
			t.Errorf("%s: page %d going back %v, going forward %v", rep.Name, i+1, text(p), pages[i])
		}
		if i == 0 && p.Prev != "" {
			t.Errorf("%s: the first page, reached going back, has a previous link", rep.Name)
		}
	}
	return all
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// column returns one column of the rows by its title.
func column(header []string, rows [][]string, title string) []string {
	i := -1
	for k, h := range header {
		if h == title {
			i = k
		}
	}
	var out []string
	for _, r := range rows {
		if i >= 0 {
			out = append(out, r[i])
		}
	}
	return out
}

func joined(xs []string) string { return strings.Join(xs, "|") }

func TestStatusReportFilters(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	cases := []struct{ query, want string }{
		{"", "Bob Builder/Fire Safety/Expired|Bob Builder/Patient Privacy/Not started|Carl Carter/Fire Safety/In progress|Ada Lovelace/Fire Safety/Completed|Ada Lovelace/Patient Privacy/Overdue|Olive Other/Fire Safety/Completed"},
		{"department=Estates", "Bob Builder/Fire Safety/Expired|Bob Builder/Patient Privacy/Not started|Carl Carter/Fire Safety/In progress|Olive Other/Fire Safety/Completed"},
		{"course=privacy", "Bob Builder/Patient Privacy/Not started|Ada Lovelace/Patient Privacy/Overdue"},
		{"status=completed", "Ada Lovelace/Fire Safety/Completed|Olive Other/Fire Safety/Completed"},
		{"manager=" + o.lead.ID, "Bob Builder/Fire Safety/Expired|Bob Builder/Patient Privacy/Not started|Ada Lovelace/Fire Safety/Completed|Ada Lovelace/Patient Privacy/Overdue"},
		{"manager=" + o.boss.ID + "&department=Estates", "Bob Builder/Fire Safety/Expired|Bob Builder/Patient Privacy/Not started"},
		{"manager=" + o.ada.ID, ""},
		{"job_title=Nurse&location=North&department=Nursing&course=fire", "Ada Lovelace/Fire Safety/Completed"},
		{"location=South", ""},
	}
	for _, c := range cases {
		h, rows := o.run(t, "status", c.query)
		var got []string
		for i := range rows {
			got = append(got, column(h, rows, "Employee")[i]+"/"+column(h, rows, "Course")[i]+"/"+column(h, rows, "Status")[i])
		}
		if joined(got) != c.want {
			t.Errorf("status?%s:\n got %s\nwant %s", c.query, joined(got), c.want)
		}
	}
}

func TestOverdueAndExpiringReports(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	h, rows := o.run(t, "overdue", "")
	if got := joined(column(h, rows, "Employee")); got != "Bob Builder|Ada Lovelace" {
		t.Fatalf("overdue, most overdue first: %s", got)
	}
	if got := joined(column(h, rows, "Days overdue")); got != "40|3" {
		t.Errorf("days overdue: %s", got)
	}
	if got := joined(column(h, rows, "Status")); got != "Expired|Overdue" {
		t.Errorf("statuses: %s", got)
	}
	if got := joined(column(h, rows, "Manager")); got != "Len Lead|Len Lead" {
		t.Errorf("managers: %s", got)
	}
	if got := column(h, rows, "Expired on"); got[0] != "2026-01-21" || got[1] != "" {
		t.Errorf("expired on: %q", got)
	}
	if _, rows := o.run(t, "overdue", "status=expired"); len(rows) != 1 {
		t.Errorf("overdue?status=expired: %d rows, want Bob only", len(rows))
	}
	if _, rows := o.run(t, "overdue", "status=completed"); len(rows) != 0 {
		t.Errorf("overdue?status=completed: %d rows, want none", len(rows))
	}

	h, rows = o.run(t, "expiring", "")
	if got := joined(column(h, rows, "Employee")) + " " + joined(column(h, rows, "Days left")); got != "Ada Lovelace 20" {
		t.Errorf("expiring within 30 days: %s", got)
	}
	h, rows = o.run(t, "expiring", "days=90")
	if got := joined(column(h, rows, "Employee")) + " " + joined(column(h, rows, "Valid until")); got != "Ada Lovelace|Olive Other 2026-03-22|2026-05-21" {
		t.Errorf("expiring within 90 days: %s", got)
	}
	if _, rows := o.run(t, "expiring", "days=90&manager="+o.lead.ID); len(rows) != 1 {
		t.Errorf("expiring on lead's team: %d rows, want Ada", len(rows))
	}
}

func TestCompletionsReport(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	h, rows := o.run(t, "completions", "")
	if got := joined(column(h, rows, "Employee")); got != "Bob Builder|Olive Other|Ada Lovelace" {
		t.Fatalf("completions, oldest first: %s", got)
	}
	if got := joined(column(h, rows, "Score (%)")); got != "|75|92" {
		t.Errorf("scores: %s", got)
	}
	if got := joined(column(h, rows, "Content version")); got != "||abcdef012345" {
		t.Errorf("versions: %s", got)
	}
	if got := column(h, rows, "Recorded by"); got[2] != "Onramp" || got[1] != "Imported from the previous system" {
		t.Errorf("sources: %q", got)
	}
	if got := column(h, rows, "Certificate"); got[2] != "ABCDEFGHJK" {
		t.Errorf("certificate: %q", got)
	}
	if got := column(h, rows, "Employee ID"); got[0] == "" {
		t.Error("no employee ID")
	}
	if _, rows := o.run(t, "completions", "department=Nursing"); len(rows) != 1 {
		t.Errorf("completions in Nursing: %d, want 1", len(rows))
	}
	// A status filter does not apply to completions.
	if _, rows := o.run(t, "completions", "status=overdue"); len(rows) != 3 {
		t.Errorf("completions?status=overdue: %d rows, want all 3", len(rows))
	}
}

func TestMatrixReport(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	h, rows := o.run(t, "matrix", "")
	if got := joined(h); got != "Employee ID|Employee|Department|Job title|Location|Fire Safety|Patient Privacy" {
		t.Fatalf("matrix header: %s", got)
	}
	want := []string{
		"Bob Builder|expired 2026-01-21|not started, due 2026-03-12",
		"Carl Carter|in progress, due 2026-03-12|",
		"Ada Lovelace|completed, valid until 2026-03-22|overdue, due 2026-02-27",
		"Olive Other|completed, valid until 2026-05-21|",
	}
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+"|"+r[5]+"|"+r[6])
	}
	if joined(got) != joined(want) {
		t.Errorf("matrix:\n got %q\nwant %q", got, want)
	}
	if _, rows := o.run(t, "matrix", "status=overdue"); len(rows) != 1 || rows[0][1] != "Ada Lovelace" || rows[0][5] == "" {
		t.Errorf("matrix?status=overdue: %q, want Ada with both courses", rows)
	}
	h, rows = o.run(t, "matrix", "course=privacy")
	if len(h) != 6 || len(rows) != 2 {
		t.Errorf("matrix?course=privacy: %d columns, %d rows", len(h), len(rows))
	}
}

func TestDepartmentsReport(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	h, rows := o.run(t, "departments", "")
	if got := joined(column(h, rows, "Department")); got != "Estates|Nursing" {
		t.Fatalf("departments: %s", got)
	}
	if got := joined(rows[0]); got != "Estates|4|1|0|1|1|0|1|25" {
		t.Errorf("Estates: %s", got)
	}
	if got := joined(rows[1]); got != "Nursing|2|1|0|0|0|1|0|50" {
		t.Errorf("Nursing: %s", got)
	}
}

func TestTeamOf(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	team, err := report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range team.Members {
		names = append(names, m.Name)
	}
	// Those who need attention first, then by name; Len has nothing assigned.
	if joined(names) != "Bob Builder|Ada Lovelace|Len Lead" || team.People != 3 || team.Attention != 2 {
		t.Errorf("boss's team: %s (%d people, %d need attention)", joined(names), team.People, team.Attention)
	}
	if team.Members[2].Depth != 1 || team.Members[0].Depth != 2 || len(team.Members[0].Courses) != 2 {
		t.Errorf("depths or courses: %+v", team.Members)
	}
	team, _ = report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{Department: "Nursing"}, "", 0)
	if len(team.Members) != 1 || team.Members[0].Name != "Ada Lovelace" {
		t.Errorf("boss's team in Nursing: %+v", team.Members)
	}
	team, _ = report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{Course: "privacy", Status: report.StatusNotStarted}, "", 0)
	if len(team.Members) != 1 || team.Members[0].Name != "Bob Builder" || len(team.Members[0].Courses) != 1 {
		t.Errorf("boss's team not started in privacy: %+v", team.Members)
	}
	// A page at a time: each page counts the whole team; Next and Prev
	// walk it in the same order.
	var walked []string
	var cursors []string
	cur := ""
	for {
		team, err = report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{}, cur, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(team.Members) != 1 || team.People != 3 || team.Attention != 2 || (cur == "") != (team.Prev == "") {
			t.Fatalf("page after %q: %d members of %d, prev %q", cur, len(team.Members), team.People, team.Prev)
		}
		walked, cursors = append(walked, team.Members[0].Name), append(cursors, team.Prev)
		if team.Next == "" {
			break
		}
		cur = team.Next
	}
	if joined(walked) != "Bob Builder|Ada Lovelace|Len Lead" {
		t.Errorf("pages of 1: %s", joined(walked))
	}
	back, err := report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{}, cursors[2], 1)
	if err != nil || len(back.Members) != 1 || back.Members[0].Name != "Ada Lovelace" || back.Prev == "" || back.Next == "" {
		t.Errorf("back from the last page: %+v (%v)", back, err)
	}
	if back, _ = report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{}, back.Prev, 1); len(back.Members) != 1 || back.Members[0].Name != "Bob Builder" || back.Prev != "" {
		t.Errorf("back to the first page: %+v", back)
	}
	if _, err := report.TeamOf(ctx, o.db, o.boss.ID, report.Filter{}, "bm90IGEgY3Vyc29y", 1); !errors.As(err, new(*report.CursorError)) {
		t.Errorf("a made-up cursor: %v", err)
	}
	for _, c := range []struct {
		manager, person *people.Employee
		want            bool
	}{{o.boss, o.ada, true}, {o.lead, o.bob, true}, {o.lead, o.boss, false}, {o.lead, o.carl, false}, {o.ada, o.ada, false}} {
		if got, err := report.Manages(ctx, o.db, c.manager.ID, c.person.ID); err != nil || got != c.want {
			t.Errorf("Manages(%s, %s) = %v (%v), want %v", c.manager.FirstName, c.person.FirstName, got, err, c.want)
		}
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	// Snapshots: end of last December and today.
	must(t, o.db.Transaction(func(tx *gormDB) error { return report.Snapshot(tx, day(2025, 12, 31)) }))
	must(t, o.db.Transaction(func(tx *gormDB) error { return report.Snapshot(tx, testNow) }))
	dash, err := report.LoadDashboard(ctx, o.db, report.Filter{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if dash.Totals.Total() != 6 || dash.Totals.Compliant() != 2 || dash.Totals[report.StatusOverdue] != 1 || dash.Totals[report.StatusExpired] != 1 {
		t.Errorf("totals: %v", dash.Totals)
	}
	if len(dash.ByCourse) != 2 || dash.ByCourse[0].Title != "Fire Safety" || dash.ByCourse[0].Counts.Total() != 4 {
		t.Errorf("by course: %+v", dash.ByCourse)
	}
	if len(dash.ByDepartment) != 2 || dash.ByDepartment[0].Department != "Estates" {
		t.Errorf("by department: %+v", dash.ByDepartment)
	}
	if got := dash.Expiring; len(got) != 3 || got[0].Count != 1 || got[1].Count != 1 || got[2].Count != 2 {
		t.Errorf("expiring: %+v", got)
	}
	if len(dash.Trend) != 12 || !dash.Trend[11].Month.Equal(day(2026, 3, 1)) || !dash.Trend[0].Month.Equal(day(2025, 4, 1)) {
		t.Fatalf("trend months: %v … %v", dash.Trend[0].Month, dash.Trend[len(dash.Trend)-1].Month)
	}
	for i, p := range dash.Trend {
		want := i == 8 || i == 11 // December and March
		if p.HasData() != want {
			t.Errorf("trend %s: has data %v", p.Month.Format("Jan 2006"), p.HasData())
		}
	}
	if dash.Trend[11].Counts.Percent() != 33 {
		t.Errorf("March: %d%%", dash.Trend[11].Counts.Percent())
	}
	dash, _ = report.LoadDashboard(ctx, o.db, report.Filter{Department: "Nursing", Course: "fire"}, testNow)
	if dash.Totals.Total() != 1 || dash.Trend[11].Counts.Total() != 1 {
		t.Errorf("Nursing, fire: %v, trend %v", dash.Totals, dash.Trend[11].Counts)
	}
}

// TestDashboardFollowsChangesOnEveryInstance: the dashboard's counts are
// kept in memory per generation; a change made through another connection
// pool (another instance) shows on the next load, with the filters right,
// and nothing is recomputed while the generation stays.
func TestDashboardFollowsChangesOnEveryInstance(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	other, err := db.Open(ctx, o.url, nil)
	must(t, err)
	defer other.Close()
	load := func(f report.Filter) *report.Dashboard {
		t.Helper()
		dash, err := report.LoadDashboard(ctx, o.db, f, testNow)
		must(t, err)
		return dash
	}
	if dash := load(report.Filter{}); dash.Totals[report.StatusOverdue] != 1 || dash.Totals[report.StatusCompleted] != 2 {
		t.Fatalf("before: %v", dash.Totals)
	}
	// A change that does not go through Changed is not seen: the counts
	// come from memory. (Kept counts included, as a refresh would.)
	must(t, other.Transaction(func(tx *gormDB) error {
		if err := tx.Exec(`UPDATE compliance_status SET status = 'exempt' WHERE employee_id = ?`, o.carl.ID).Error; err != nil {
			return err
		}
		return report.RebuildCounts(tx)
	}))
	if dash := load(report.Filter{}); dash.Totals[report.StatusExempt] != 0 {
		t.Fatalf("the dashboard was recomputed without a change being recorded: %v", dash.Totals)
	}
	// Ada completes privacy, recorded on the other instance.
	must(t, other.Transaction(func(tx *gormDB) error {
		err := tx.Exec(`UPDATE cycles SET status = 'completed', completed_at = ?, expires_at = ? WHERE employee_id = ? AND course_id = 'privacy'`,
			testNow, testNow.AddDate(0, 0, 45), o.ada.ID).Error
		if err != nil {
			return err
		}
		return report.RefreshEmployees(tx, testNow, []string{o.ada.ID})
	}))
	dash := load(report.Filter{})
	if dash.Totals[report.StatusOverdue] != 0 || dash.Totals[report.StatusCompleted] != 3 || dash.Totals[report.StatusExempt] != 1 {
		t.Errorf("after: %v", dash.Totals)
	}
	if got := dash.Expiring; got[0].Count != 1 || got[1].Count != 2 || got[2].Count != 3 {
		t.Errorf("expiring after: %+v", got)
	}
	dash = load(report.Filter{Department: "Nursing", Course: "privacy"})
	if dash.Totals.Total() != 1 || dash.Totals[report.StatusCompleted] != 1 || len(dash.ByCourse) != 1 || dash.ByCourse[0].CourseID != "privacy" {
		t.Errorf("Nursing, privacy after: %v %+v", dash.Totals, dash.ByCourse)
	}
	if dash := load(report.Filter{Department: "Estates"}); dash.Totals.Total() != 4 || dash.Totals[report.StatusCompleted] != 1 || len(dash.ByDepartment) != 1 {
		t.Errorf("Estates after: %v %+v", dash.Totals, dash.ByDepartment)
	}
	// Another day, the expiring counts move on without any change: Ada's
	// fire safety completion has expired by then.
	next, err := report.LoadDashboard(ctx, o.db, report.Filter{}, testNow.AddDate(0, 0, 25))
	must(t, err)
	if next.Expiring[2].Count != 2 {
		t.Errorf("expiring in 30 days, 25 days on: %+v", next.Expiring)
	}
}
