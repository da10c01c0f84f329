package compliance_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// staff adds an employee with a department and job title, hired on hired.
func (f *fixture) staff(email, dept, title string, hired time.Time) *people.Employee {
	f.t.Helper()
	e := &people.Employee{Email: email, FirstName: "F", LastName: email, Department: dept, JobTitle: title, HireDate: &hired}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, hired) }); err != nil {
		f.t.Fatal(err)
	}
	return e
}

// counts returns the number of rows of every table a rule change can touch.
func (f *fixture) counts() map[string]int64 {
	f.t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"assignment_rules", "rule_matches", "assignments", "cycles", "outbox", "audit_log", "cycle_changes"} {
		var n int64
		if err := f.db.Table(table).Count(&n).Error; err != nil {
			f.t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// activeFor returns the IDs of the people with an active assignment for c1.
func (f *fixture) activeFor() []string {
	f.t.Helper()
	var ids []string
	if err := f.db.Model(&compliance.Assignment{}).Where("course_id = 'c1' AND status = 'active'").Order("employee_id").Pluck("employee_id", &ids).Error; err != nil {
		f.t.Fatal(err)
	}
	return ids
}

func (f *fixture) preview(now time.Time, r *compliance.Rule) compliance.RulePreview {
	f.t.Helper()
	p, err := f.eng.Preview(f.db.DB, now, r)
	if err != nil {
		f.t.Fatalf("preview: %v", err)
	}
	return p
}

func (f *fixture) save(now time.Time, r *compliance.Rule, by compliance.Actor) compliance.RulePreview {
	f.t.Helper()
	var p compliance.RulePreview
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		p, err = f.eng.SaveRule(tx, r, by, now)
		return err
	})
	if err != nil {
		f.t.Fatalf("save: %v", err)
	}
	return p
}

func sampleIDs(ps []compliance.PreviewPerson) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.EmployeeID)
	}
	slices.Sort(ids)
	return ids
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

var hr = compliance.Actor{ID: "hr-admin-id", Name: "Hana Resources"}

// A new rule's preview names exactly who saving it assigns, with the same
// counts and due dates, and writes nothing at all.
func TestPreviewEqualsSaveForNewRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := date("2026-03-02").Add(9 * time.Hour)
	f.rule(&compliance.Rule{Name: "nursing", Departments: compliance.StringList{"Nursing"}, DueDays: 30})
	nurses := []*people.Employee{
		f.staff("n1@x.test", "Nursing", "Nurse", date("2026-02-20")),
		f.staff("n2@x.test", "Nursing", "Nurse", date("2019-01-01")),
	}
	pharmacists := []*people.Employee{
		f.staff("p1@x.test", "Pharmacy", "Pharmacist", date("2026-03-01")),
		f.staff("p2@x.test", "pharmacy", "Pharmacist", date("2018-06-01")),
	}
	f.staff("a1@x.test", "Admin", "Clerk", date("2020-01-01"))
	f.pass(now)
	// A new starter the scheduler has not seen yet: the rule being previewed
	// matches them, but they would be assigned anyway by the nursing rule,
	// so they are not this rule's doing.
	late := f.staff("n3@x.test", "Nursing", "Nurse", date("2026-03-02"))
	f.rec.take()

	candidate := &compliance.Rule{
		Name: "  Clinical staff ", CourseID: "c1", Departments: compliance.StringList{"Nursing", "Pharmacy", " "},
		DueDays: 30, DueFrom: compliance.DueFromHire, EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry, Active: true,
	}
	before := f.counts()
	p := f.preview(now, candidate)
	if after := f.counts(); !mapsEqual(before, after) {
		t.Fatalf("preview wrote rows: before %v, after %v", before, after)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Fatalf("preview raised events: %v", got)
	}
	if candidate.ID != "" {
		t.Fatal("preview changed the caller's rule")
	}
	if p.Matched != 5 || p.Assigned != 2 || p.NewCycles != 2 || p.Closed != 0 || p.Unchanged != 3 {
		t.Fatalf("preview: matched %d assigned %d new cycles %d closed %d unchanged %d", p.Matched, p.Assigned, p.NewCycles, p.Closed, p.Unchanged)
	}
	want := []string{pharmacists[0].ID, pharmacists[1].ID}
	slices.Sort(want)
	if got := sampleIDs(p.AssignedSample); !slices.Equal(got, want) {
		t.Fatalf("preview assigns %v, want the pharmacists %v", got, want)
	}
	// p1 hired yesterday: due 30 days after hire; p2 long ago: 30 days from today.
	if !p.FirstDue.Equal(date("2026-03-31")) || !p.LastDue.Equal(date("2026-04-01")) {
		t.Fatalf("first due dates between %s and %s", p.FirstDue, p.LastDue)
	}
	first := p.AssignedSample[0]
	if first.EmployeeID != pharmacists[0].ID || first.DueAt == nil || !strings.Contains(first.Why, "30 days after your hire date, 1 March 2026") || first.Department != "Pharmacy" {
		t.Fatalf("first sample %+v", first)
	}
	if p.Rule.Name != "Clinical staff" || len(p.Rule.Departments) != 2 || p.Before != nil {
		t.Fatalf("normalised rule %+v", p.Rule)
	}

	activeBefore := f.activeFor()
	s := f.save(now, candidate, hr)
	if candidate.ID == "" || candidate.Source != "hr" {
		t.Fatalf("saved rule %+v", candidate)
	}
	if s.Assigned != p.Assigned || s.NewCycles != p.NewCycles || s.Closed != p.Closed || s.Unchanged != p.Unchanged || s.Matched != p.Matched ||
		!s.FirstDue.Equal(p.FirstDue) || !s.LastDue.Equal(p.LastDue) {
		t.Fatalf("save did %+v, preview said %+v", s, p)
	}
	// The new starter is assigned too, by the nursing rule they were due
	// under anyway; the preview rightly did not count them.
	if got := sortCopy(minus(f.activeFor(), activeBefore)); !slices.Equal(got, sortCopy(append([]string{late.ID}, want...))) {
		t.Fatalf("newly active %v", got)
	}
	if !slices.Equal(sampleIDs(s.AssignedSample), want) {
		t.Fatalf("save assigned %v, preview %v", sampleIDs(s.AssignedSample), want)
	}
	// The assigned e-mails were raised, in the saving transaction.
	if got := f.rec.take(); len(got) != 3 || !slices.Contains(got, "assigned/"+pharmacists[1].ID) || !slices.Contains(got, "assigned/"+late.ID) {
		t.Fatalf("events %v", got)
	}
	for _, n := range nurses {
		if cs := f.cycles(n.ID); len(cs) != 1 {
			t.Fatalf("a nurse has %d cycles", len(cs))
		}
	}
	var entry audit.Entry
	if err := f.db.Where("entity_type = 'rule' AND entity_id = ?", candidate.ID).Take(&entry).Error; err != nil {
		t.Fatal(err)
	}
	if entry.Action != audit.ActionCreate || entry.ActorID != hr.ID || entry.ActorName != hr.Name ||
		!strings.Contains(entry.Summary, `"Clinical staff"`) || !strings.Contains(entry.Summary, "2 people assigned") ||
		!strings.Contains(entry.Details, `"after":{"name":"Clinical staff"`) || strings.Contains(entry.Details, `"before"`) {
		t.Fatalf("audit entry %+v", entry)
	}
	if res, err := audit.Verify(context.Background(), f.db); err != nil || !res.OK() {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
	// Saving the same rule again changes nobody.
	again := *candidate
	if p := f.preview(now, &again); p.Changes() || p.Unchanged != 5 {
		t.Fatalf("previewing the saved rule: %+v", p)
	}
}

func sortCopy(s []string) []string { c := slices.Clone(s); slices.Sort(c); return c }

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Deactivating a rule closes the cycles of the people only it required the
// course of, and keeps those another rule still covers.
func TestDeactivateClosesOnlyUncovered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := date("2026-03-02")
	f.rule(&compliance.Rule{Name: "nursing", Departments: compliance.StringList{"Nursing"}, DueDays: 30, EveryMonths: 12, WindowDays: 30})
	f.rule(&compliance.Rule{Name: "nurses", JobTitles: compliance.StringList{"Nurse"}, DueDays: 60})
	covered := f.staff("nurse@x.test", "Nursing", "Nurse", date("2020-01-01"))
	alone := f.staff("clerk@x.test", "Nursing", "Ward Clerk", date("2020-01-01"))
	done := f.staff("done@x.test", "Nursing", "Porter", date("2020-01-01"))
	f.pass(now)
	version := mustVersion(t, f)
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		return compliance.Complete(tx, f.cycles(done.ID)[0], now.AddDate(0, 0, 1), compliance.Recurrence{EveryMonths: 12, Base: compliance.BaseExpiry}, version)
	}); err != nil {
		t.Fatal(err)
	}
	f.rec.take()

	var stored compliance.Rule
	if err := f.db.Where("id = ?", "r-nursing").Take(&stored).Error; err != nil {
		t.Fatal(err)
	}
	stored.Active = false
	later := now.AddDate(0, 0, 5)
	p := f.preview(later, &stored)
	if p.Assigned != 0 || p.Closed != 2 || p.Unchanged != 1 || p.Matched != 0 || p.Before == nil || !p.Before.Active {
		t.Fatalf("preview of deactivation: %+v", p)
	}
	if got, want := sampleIDs(p.ClosedSample), sortCopy([]string{alone.ID, done.ID}); !slices.Equal(got, want) {
		t.Fatalf("closed sample %v, want %v", got, want)
	}
	for _, person := range p.ClosedSample {
		switch person.EmployeeID {
		case alone.ID:
			if person.DueAt == nil || !strings.Contains(person.Why, "no longer required") {
				t.Errorf("clerk: %+v", person)
			}
		case done.ID:
			if !strings.Contains(person.Why, "completed on 3 March 2026") || !strings.Contains(person.Why, "no refresher") {
				t.Errorf("porter: %+v", person)
			}
		}
	}
	s := f.save(later, &stored, hr)
	if s.Closed != p.Closed || s.Unchanged != p.Unchanged || !slices.Equal(sampleIDs(s.ClosedSample), sampleIDs(p.ClosedSample)) {
		t.Fatalf("save %+v, preview %+v", s, p)
	}
	if c := f.cycles(alone.ID)[0]; c.Status != compliance.StatusClosed || c.ClosedReason != compliance.ClosedNoLongerRequired {
		t.Fatalf("the clerk's cycle: %+v", c)
	}
	if c := f.cycles(covered.ID)[0]; c.Status != compliance.StatusOpen {
		t.Fatalf("the nurse's cycle, still required by the other rule: %+v", c)
	}
	if c := f.cycles(done.ID)[0]; c.Status != compliance.StatusCompleted {
		t.Fatalf("the porter's completion is history and stays: %+v", c)
	}
	var a compliance.Assignment
	f.db.Where("employee_id = ?", covered.ID).Take(&a)
	if a.Status != "active" || a.RuleID == nil || *a.RuleID != "r-nurses" {
		t.Fatalf("the nurse's assignment now follows the other rule: %+v", a)
	}
	var entry audit.Entry
	if err := f.db.Where("entity_type = 'rule' AND entity_id = 'r-nursing'").Take(&entry).Error; err != nil {
		t.Fatal(err)
	}
	if entry.Action != audit.ActionDeactivate || !strings.Contains(entry.Details, `"before":{"name":"nursing"`) || !strings.Contains(entry.Details, `"active":false`) {
		t.Fatalf("audit entry %+v", entry)
	}
	// The rule is still there, inactive: nothing is deleted.
	var n int64
	f.db.Model(&compliance.Rule{}).Where("id = 'r-nursing' AND active = ?", false).Count(&n)
	if n != 1 {
		t.Fatal("the deactivated rule is gone")
	}
}

func TestRuleProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := date("2026-03-02")
	f.rule(&compliance.Rule{Name: "nursing", Departments: compliance.StringList{"Nursing"}, DueDays: 30})
	if err := f.db.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('c2', 'Other', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	fields := func(err error) []string {
		var re *compliance.RuleError
		if !errors.As(err, &re) {
			t.Fatalf("want a *RuleError, got %v", err)
		}
		var out []string
		for _, p := range re.Problems {
			if p.Message == "" || !strings.HasSuffix(p.Message, ".") {
				t.Errorf("problem %+v is not a sentence", p)
			}
			out = append(out, p.Field)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		rule compliance.Rule
		want []string
	}{
		{"empty", compliance.Rule{Departments: compliance.StringList{" "}}, []string{compliance.FieldName, compliance.FieldCourse, compliance.FieldWho, compliance.FieldDueFrom, compliance.FieldBase}},
		{"numbers", compliance.Rule{Name: "x", CourseID: "c1", Everyone: true, DueDays: -1, DueFrom: "hire", EveryMonths: 200, WindowDays: 400, Base: "expiry"},
			[]string{compliance.FieldDueDays, compliance.FieldEveryMonths, compliance.FieldWindowDays}},
		{"fixed", compliance.Rule{Name: "x", CourseID: "c1", Everyone: true, DueFrom: "hire", Base: "fixed", FixedMonth: 2, FixedDay: 30}, []string{compliance.FieldFixedDate}},
		{"no course", compliance.Rule{Name: "x", CourseID: "nope", Everyone: true, DueFrom: "hire", Base: "expiry"}, []string{compliance.FieldCourse}},
		{"course change", compliance.Rule{ID: "r-nursing", Name: "x", CourseID: "c2", Everyone: true, DueFrom: "hire", Base: "expiry"}, []string{compliance.FieldCourse}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.counts()
			r := tc.rule
			_, err := f.eng.Preview(f.db.DB, now, &r)
			if got := fields(err); !slices.Equal(got, tc.want) {
				t.Errorf("preview problems at %v, want %v (%v)", got, tc.want, err)
			}
			r = tc.rule
			err = f.db.Transaction(func(tx *gorm.DB) error { _, err := f.eng.SaveRule(tx, &r, hr, now); return err })
			if got := fields(err); !slices.Equal(got, tc.want) {
				t.Errorf("save problems at %v, want %v", got, tc.want)
			}
			if after := f.counts(); !mapsEqual(before, after) {
				t.Errorf("a refused rule wrote rows")
			}
		})
	}
	r := compliance.Rule{ID: "no-such-rule", Name: "x", CourseID: "c1", Everyone: true, DueFrom: "hire", Base: "expiry"}
	if _, err := f.eng.Preview(f.db.DB, now, &r); !errors.Is(err, compliance.ErrRuleNotFound) {
		t.Fatalf("unknown rule: %v", err)
	}
}

// Every sentence Validate can say is tied to a field of the form.
func TestRuleProblemsPointAtFields(t *testing.T) {
	t.Parallel()
	bad := compliance.Rule{Departments: nil, DueDays: -1, DueFrom: "x", Base: "x", WindowDays: -1}
	fixed := compliance.Rule{Base: compliance.BaseFixed, EveryMonths: 500}
	recurs := compliance.Rule{Base: compliance.BaseExpiry, EveryMonths: 500}
	for _, r := range []compliance.Rule{bad, fixed, recurs} {
		for _, p := range r.Problems() {
			if p.Field == "" {
				t.Errorf("%q is not tied to a field", p.Message)
			}
		}
	}
}

func TestTimelineExplainsTheDates(t *testing.T) {
	t.Parallel()
	r := &compliance.Rule{Everyone: true, DueDays: 30, DueFrom: compliance.DueFromHire, EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry}
	tl := r.Timeline(date("2026-03-02"), date("2026-03-02").Add(10*time.Hour))
	var got []string
	for _, s := range tl.Steps {
		got = append(got, s.At.Format(time.DateOnly)+" "+s.What)
	}
	want := []string{
		"2026-03-02 Hired", "2026-04-01 First due", "2026-03-22 If completed on time, for example on this day", "2027-04-01 Valid until",
		"2027-01-31 Refresher opens", "2027-04-01 Refresher due", "2027-03-22 If the refresher is completed on time, for example on this day", "2028-04-01 Valid until",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("timeline\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(tl.Steps[1].Why, "30 days after your hire date, 2 March 2026") || !strings.Contains(tl.Steps[3].Why, "12 months after the due date 1 April 2026") {
		t.Fatalf("why: %q / %q", tl.Steps[1].Why, tl.Steps[3].Why)
	}
	if len(tl.Late) != 2 || !tl.Late[1].At.Equal(date("2027-04-15")) || !strings.Contains(tl.Late[1].Why, "after its due date") {
		t.Fatalf("late: %+v", tl.Late)
	}
	if tl.Existing == nil || !tl.Existing.At.Equal(date("2026-04-01")) || !strings.Contains(tl.Existing.Why, "hired before it applied") {
		t.Fatalf("existing staff: %+v", tl.Existing)
	}
	once := &compliance.Rule{Everyone: true, DueDays: 14, DueFrom: compliance.DueFromMatched, Base: compliance.BaseCompletion}
	tl = once.Timeline(date("2026-03-02"), date("2026-03-02"))
	if last := tl.Steps[len(tl.Steps)-1]; last.What != "Valid with no expiry" || tl.Late != nil || tl.Existing != nil {
		t.Fatalf("a course taken once: %+v", tl)
	}
	if w := r.Recurrence().Words(); !strings.Contains(w, "Every 12 months, counted from the due date when completed on time") || !strings.Contains(w, "60 days before expiry") {
		t.Fatalf("words %q", w)
	}
	fixed := compliance.Recurrence{Base: compliance.BaseFixed, FixedMonth: time.March, FixedDay: 1, WindowDays: 30}
	if w := fixed.Words(); !strings.HasPrefix(w, "Every year on 1 March") {
		t.Fatalf("fixed words %q", w)
	}
	who := &compliance.Rule{Departments: compliance.StringList{"Nursing", "Pharmacy", "Radiology"}, Locations: compliance.StringList{"North"}}
	if w := who.WhoWords(); w != "People in department Nursing, Pharmacy or Radiology, at location North" {
		t.Fatalf("who %q", w)
	}
}

// An extension of a selection is all or nothing: one completed cycle among
// them refuses the lot, naming it; without it every cycle moves, each with
// its own audit entry and the HR admin as its author.
func TestExtendAndExemptSelection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := date("2026-03-02")
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30, DueFrom: compliance.DueFromMatched})
	ada := f.staff("ada@x.test", "Nursing", "Nurse", date("2020-01-01"))
	bob := f.staff("bob@x.test", "Nursing", "Nurse", date("2020-01-01"))
	cat := f.staff("cat@x.test", "Nursing", "Nurse", date("2020-01-01"))
	f.pass(now)
	version := mustVersion(t, f)
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		return compliance.Complete(tx, f.cycles(cat.ID)[0], now, compliance.Recurrence{}, version)
	}); err != nil {
		t.Fatal(err)
	}
	ids := []string{f.cycles(ada.ID)[0].ID, f.cycles(bob.ID)[0].ID, f.cycles(cat.ID)[0].ID}
	newDue := date("2026-05-01")
	before := f.counts()

	err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.ExtendSelection(tx, ids, newDue, "ward closure", hr, now)
		return err
	})
	var sel *compliance.SelectionError
	if !errors.As(err, &sel) || len(sel.Cycles) != 1 || sel.Cycles[0].CycleID != ids[2] || !strings.Contains(sel.Cycles[0].Message, "already completed on 2 March 2026") {
		t.Fatalf("want the completed cycle refused, got %v", err)
	}
	if after := f.counts(); !mapsEqual(before, after) || !f.cycles(ada.ID)[0].DueAt.Equal(date("2026-04-01")) {
		t.Fatal("a refused selection changed something")
	}
	// A date before the current due date is refused per person.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.ExtendSelection(tx, ids[:2], date("2026-03-20"), "x", hr, now)
		return err
	})
	if !errors.As(err, &sel) || len(sel.Cycles) != 2 || !strings.Contains(sel.Cycles[0].Message, "must be after") {
		t.Fatalf("an earlier date: %v", err)
	}
	err = f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.ExtendSelection(tx, ids[:2], newDue, " ", hr, now)
		return err
	})
	if !errors.As(err, &sel) || sel.Field["reason"] == "" {
		t.Fatalf("no reason: %v", err)
	}

	var changed []*compliance.Cycle
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		changed, err = compliance.ExtendSelection(tx, ids[:2], newDue, "ward closure", hr, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(changed) != 2 || !f.cycles(ada.ID)[0].DueAt.Equal(newDue) || !f.cycles(bob.ID)[0].DueAt.Equal(newDue) {
		t.Fatalf("extended %d", len(changed))
	}
	var chs []compliance.CycleChange
	f.db.Order("cycle_id").Find(&chs)
	if len(chs) != 2 || chs[0].ChangedBy != hr.ID || chs[0].Reason != "ward closure" {
		t.Fatalf("changes %+v", chs)
	}
	var entries []audit.Entry
	f.db.Where("action = ?", audit.ActionExtend).Order("seq").Find(&entries)
	if len(entries) != 2 || entries[0].ActorID != hr.ID || entries[0].EntityType != "cycle" ||
		!strings.Contains(entries[0].Summary, "from 1 April 2026 to 1 May 2026: ward closure") || !strings.Contains(entries[0].Details, `"new_due":"2026-05-01"`) {
		t.Fatalf("audit %+v", entries)
	}

	until := date("2026-09-01")
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.ExemptSelection(tx, ids[:1], "parental leave", &until, hr, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c := f.cycles(ada.ID)[0]; c.Status != compliance.StatusExempt || c.ExemptUntil == nil || !c.ExemptUntil.Equal(until) {
		t.Fatalf("exempt %+v", c)
	}
	// Ada is now exempt: exempting her and Bob refuses the lot, naming her.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.ExemptSelection(tx, ids[:2], "again", nil, hr, now)
		return err
	})
	if !errors.As(err, &sel) || len(sel.Cycles) != 1 || sel.Cycles[0].CycleID != ids[0] {
		t.Fatalf("exempting an exempt cycle: %v", err)
	}
	if c := f.cycles(bob.ID)[0]; c.Status == compliance.StatusExempt {
		t.Fatal("bob was exempted although the selection was refused")
	}
	f.db.Where("action = ?", audit.ActionExempt).Find(&entries)
	if len(entries) != 1 || !strings.Contains(entries[0].Summary, "until 1 September 2026: parental leave") {
		t.Fatalf("exempt audit %+v", entries)
	}
	if res, err := audit.Verify(context.Background(), f.db); err != nil || !res.OK() {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
}
