package report_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// TestRefreshStandings: each way a current cycle can stand becomes the
// standing people understand, with the dates that go with it.
func TestRefreshStandings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := compliance.Day(testNow)
	past, future := today.AddDate(0, 0, -10), today.AddDate(0, 0, 20)
	yearAgo := today.AddDate(-1, 0, 0)

	type want struct {
		status    report.Status
		completed *time.Time
		expires   *time.Time
	}
	cases := map[string]struct {
		cycles []cycleSpec
		want   *want // nil: no row
	}{
		"not started":                           {[]cycleSpec{{status: compliance.StatusOpen, due: future}}, &want{status: report.StatusNotStarted}},
		"in progress":                           {[]cycleSpec{{status: compliance.StatusInProgress, due: future, started: true}}, &want{status: report.StatusInProgress}},
		"due today is not overdue":              {[]cycleSpec{{status: compliance.StatusOpen, due: today}}, &want{status: report.StatusNotStarted}},
		"overdue before the scheduler marks it": {[]cycleSpec{{status: compliance.StatusOpen, due: past}}, &want{status: report.StatusOverdue}},
		"overdue marked":                        {[]cycleSpec{{status: compliance.StatusOverdue, due: past, started: true}}, &want{status: report.StatusOverdue}},
		"completed and valid": {[]cycleSpec{{status: compliance.StatusCompleted, due: past, completed: at(past), expires: at(future)}},
			&want{report.StatusCompleted, at(past), at(future)}},
		"completed, valid through its expiry day": {[]cycleSpec{{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo), expires: at(today)}},
			&want{report.StatusCompleted, at(yearAgo), at(today)}},
		"completed once, no expiry": {[]cycleSpec{{status: compliance.StatusCompleted, due: past, completed: at(past)}},
			&want{report.StatusCompleted, at(past), nil}},
		"completion expired before the refresher opened": {[]cycleSpec{{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo), expires: at(past)}},
			&want{report.StatusExpired, at(yearAgo), at(past)}},
		"refresher window open while the completion is valid": {[]cycleSpec{
			{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo), expires: at(future)},
			{status: compliance.StatusOpen, due: future}}, &want{report.StatusCompleted, at(yearAgo), at(future)}},
		"refresher past due: the completion expired": {[]cycleSpec{
			{status: compliance.StatusExpired, due: yearAgo, completed: at(yearAgo), expires: at(past)},
			{status: compliance.StatusOverdue, due: past}}, &want{report.StatusExpired, at(yearAgo), at(past)}},
		"refresher extended past the expiry": {[]cycleSpec{
			{status: compliance.StatusExpired, due: yearAgo, completed: at(yearAgo), expires: at(past)},
			{status: compliance.StatusOpen, due: future}}, &want{report.StatusNotStarted, at(yearAgo), at(past)}},
		"refresher done": {[]cycleSpec{
			{status: compliance.StatusCompleted, due: yearAgo, completed: at(yearAgo), expires: at(past)},
			{status: compliance.StatusCompleted, due: past, completed: at(past), expires: at(future)}}, &want{report.StatusCompleted, at(past), at(future)}},
		"exempt": {[]cycleSpec{{status: compliance.StatusExempt, due: future}}, &want{status: report.StatusExempt}},
		"new cycle after an exemption, past due": {[]cycleSpec{
			{status: compliance.StatusExempt, due: yearAgo}, {status: compliance.StatusOpen, due: past}}, &want{status: report.StatusOverdue}},
		"latest cycle closed": {[]cycleSpec{{status: compliance.StatusClosed, due: future}}, nil},
	}
	ids := map[string]*people.Employee{}
	for name, c := range cases {
		e := f.person(name, "Case", "Nursing", nil)
		f.assign(e, "fire", c.cycles...)
		ids[name] = e
	}
	closed := f.person("Closed", "Assignment", "Nursing", nil)
	a := f.assign(closed, "fire", cycleSpec{status: compliance.StatusOpen, due: future})
	f.db.Model(a).Update("status", "closed")
	left := f.person("Left", "Organisation", "Nursing", nil)
	f.assign(left, "fire", cycleSpec{status: compliance.StatusOpen, due: future})
	f.db.Model(&people.Employee{}).Where("id = ?", left.ID).Update("status", people.StatusInactive)

	f.refresh(testNow, report.Refresh)
	got := f.statuses()
	if _, ok := got[closed.ID+"/fire"]; ok {
		t.Error("a closed assignment has a row")
	}
	if _, ok := got[left.ID+"/fire"]; ok {
		t.Error("an employee who left has a row")
	}
	for name, c := range cases {
		row, ok := got[ids[name].ID+"/fire"]
		if c.want == nil {
			if ok {
				t.Errorf("%s: has a row (%s), want none", name, row.Status)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no row", name)
			continue
		}
		if report.Status(row.Status) != c.want.status {
			t.Errorf("%s: status %s, want %s", name, row.Status, c.want.status)
		}
		if !sameTime(row.CompletedAt, c.want.completed) || !sameTime(row.ExpiresAt, c.want.expires) {
			t.Errorf("%s: completed %v expires %v, want %v and %v", name, row.CompletedAt, row.ExpiresAt, c.want.completed, c.want.expires)
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// TestRefreshIsIdempotentAndWritesOnlyChanges: a second refresh changes no
// row; a change rewrites only the rows it affects, and rows that should no
// longer exist go.
func TestRefreshIsIdempotentAndWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := compliance.Day(testNow)
	ada := f.person("Ada", "Lovelace", "Nursing", nil)
	bob := f.person("Bob", "Builder", "Estates", nil)
	f.assign(ada, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.assign(bob, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	bobPrivacy := f.assign(bob, "privacy", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})

	f.refresh(testNow, report.Refresh)
	first := f.statuses()
	if len(first) != 3 {
		t.Fatalf("%d rows, want 3", len(first))
	}
	later := testNow.Add(time.Hour)
	f.refresh(later, report.Refresh)
	for k, r := range f.statuses() {
		if !r.RefreshedAt.Equal(first[k].RefreshedAt) || r != first[k] {
			t.Errorf("%s: rewritten by a refresh that found nothing new", k)
		}
	}

	// Ada moves department; Bob's privacy assignment closes.
	f.db.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("department", "Theatres")
	f.db.Model(bobPrivacy).Update("status", "closed")
	f.refresh(later, report.Refresh)
	got := f.statuses()
	if len(got) != 2 {
		t.Fatalf("%d rows after closing one, want 2", len(got))
	}
	if r := got[ada.ID+"/fire"]; r.Department != "Theatres" || !r.RefreshedAt.Equal(later) {
		t.Errorf("Ada's row: department %q refreshed %v, want Theatres at %v", r.Department, r.RefreshedAt, later)
	}
	if r := got[bob.ID+"/fire"]; !r.RefreshedAt.Equal(first[bob.ID+"/fire"].RefreshedAt) {
		t.Error("Bob's unchanged row was rewritten")
	}

	// Six days on, both are overdue: time alone moves the standing.
	f.refresh(testNow.AddDate(0, 0, 6), report.Refresh)
	for k, r := range f.statuses() {
		if r.Status != string(report.StatusOverdue) {
			t.Errorf("%s: %s six days later, want overdue", k, r.Status)
		}
	}
}

// TestRefreshEmployees recomputes only the people named.
func TestRefreshEmployees(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := compliance.Day(testNow)
	ada := f.person("Ada", "Lovelace", "Nursing", nil)
	bob := f.person("Bob", "Builder", "Nursing", nil)
	f.assign(ada, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.assign(bob, "fire", cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)})
	f.refresh(testNow, report.Refresh)
	f.db.Model(&compliance.Cycle{}).Where("employee_id IN ?", []string{ada.ID, bob.ID}).
		Updates(map[string]any{"status": compliance.StatusCompleted, "completed_at": testNow, "expires_at": today.AddDate(1, 0, 0)})
	f.refresh(testNow, func(tx *gorm.DB, now time.Time) error { return report.RefreshEmployees(tx, now, []string{ada.ID}) })
	got := f.statuses()
	if got[ada.ID+"/fire"].Status != "completed" || got[bob.ID+"/fire"].Status != "not_started" {
		t.Errorf("after refreshing Ada only: Ada %s, Bob %s; want completed, not_started", got[ada.ID+"/fire"].Status, got[bob.ID+"/fire"].Status)
	}
}

// A person's row goes when their assignment of the course is closed, when
// they leave, or when the latest of its cycles is closed, and only then: an
// earlier closed cycle under an open one keeps it. Refreshing those people
// alone gives the same rows as refreshing everyone.
func TestRefreshEmployeesDropsTheRowsThatNoLongerStand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := compliance.Day(testNow)
	open := cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)}
	done := cycleSpec{status: compliance.StatusCompleted, due: today.AddDate(-1, 0, 0), completed: at(today.AddDate(-1, 0, -3)), expires: at(today.AddDate(0, 0, 30))}
	closed := cycleSpec{status: compliance.StatusClosed, due: today.AddDate(0, 0, 5)}
	ada := f.person("Ada", "Lovelace", "Nursing", nil)
	bob := f.person("Bob", "Builder", "Nursing", nil)
	cy := f.person("Cy", "Young", "Nursing", nil)
	dee := f.person("Dee", "Dee", "Nursing", nil)
	eve := f.person("Eve", "Evans", "Nursing", nil)
	f.assign(ada, "fire", done, open)  // stands
	f.assign(bob, "fire", done, open)  // its latest cycle will be closed
	f.assign(cy, "fire", closed, open) // an earlier cycle closed: stands
	a := f.assign(dee, "fire", open)   // the assignment will be closed
	f.assign(eve, "fire", done, open)  // Eve will leave
	f.refresh(testNow, report.Refresh)
	if got := f.statuses(); len(got) != 5 {
		t.Fatalf("rows before: %d, want 5 (%v)", len(got), got)
	}

	if err := f.db.Exec(`UPDATE cycles SET status = 'closed' WHERE employee_id = ? AND number = 2`, bob.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE assignments SET status = 'closed' WHERE id = ?`, a.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE employees SET status = 'inactive' WHERE id = ?`, eve.ID).Error; err != nil {
		t.Fatal(err)
	}
	everyone := []string{ada.ID, bob.ID, cy.ID, dee.ID, eve.ID}
	f.refresh(testNow, func(tx *gorm.DB, now time.Time) error { return report.RefreshEmployees(tx, now, everyone) })
	got := f.statuses()
	for _, id := range []string{ada.ID, cy.ID} {
		if _, ok := got[id+"/fire"]; !ok {
			t.Errorf("the row of %s went; it still stands", id)
		}
	}
	for _, id := range []string{bob.ID, dee.ID, eve.ID} {
		if _, ok := got[id+"/fire"]; ok {
			t.Errorf("the row of %s stayed; it no longer stands", id)
		}
	}
	if len(got) != 2 {
		t.Errorf("rows after: %d, want 2", len(got))
	}
	byPeople := got
	f.refresh(testNow, report.Refresh)
	if got := f.statuses(); len(got) != len(byPeople) {
		t.Errorf("a full refresh leaves %d rows, refreshing the people %d", len(got), len(byPeople))
	}
}

// TestRefreshAssignments recomputes the rows of the assignments named and
// no others, not even the other rows of their people; a row that no longer
// stands goes. What it leaves is what a full refresh gives for those rows.
func TestRefreshAssignments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := compliance.Day(testNow)
	open := cycleSpec{status: compliance.StatusOpen, due: today.AddDate(0, 0, 5)}
	ada := f.person("Ada", "Lovelace", "Nursing", nil)
	bob := f.person("Bob", "Builder", "Nursing", nil)
	adaFire := f.assign(ada, "fire", open)
	f.assign(ada, "privacy", open)
	bobFire := f.assign(bob, "fire", open)
	f.assign(bob, "privacy", open)
	f.refresh(testNow, report.Refresh)

	// Every cycle moves; Bob's fire course's latest cycle is closed.
	if err := f.db.Model(&compliance.Cycle{}).Where("employee_id IN ?", []string{ada.ID, bob.ID}).
		Updates(map[string]any{"status": compliance.StatusCompleted, "completed_at": testNow, "expires_at": today.AddDate(1, 0, 0)}).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE cycles SET status = 'closed' WHERE assignment_id = ?`, bobFire.ID).Error; err != nil {
		t.Fatal(err)
	}
	f.refresh(testNow, func(tx *gorm.DB, now time.Time) error {
		return report.RefreshAssignments(tx, now, []string{ada.ID, bob.ID}, []string{adaFire.ID, bobFire.ID})
	})
	got := f.statuses()
	if s := got[ada.ID+"/fire"].Status; s != "completed" {
		t.Errorf("Ada's fire course: %q, want completed (refreshed)", s)
	}
	if _, ok := got[bob.ID+"/fire"]; ok {
		t.Errorf("Bob's fire course still has a row; its latest cycle is closed")
	}
	for _, id := range []string{ada.ID, bob.ID} {
		if s := got[id+"/privacy"].Status; s != "not_started" {
			t.Errorf("%s's privacy course: %q, want not_started as kept (not named)", id, s)
		}
	}
	if len(got) != 3 {
		t.Errorf("rows: %d, want 3 (%v)", len(got), got)
	}
	f.refresh(testNow, report.Refresh)
	full := f.statuses()
	for _, k := range []string{ada.ID + "/fire", bob.ID + "/fire"} {
		if g, w := got[k], full[k]; g.Status != w.Status || !sameTime(g.CompletedAt, w.CompletedAt) || !sameTime(g.ExpiresAt, w.ExpiresAt) {
			t.Errorf("%s: refreshed by assignment %+v, by a full refresh %+v", k, g, w)
		}
	}
}
