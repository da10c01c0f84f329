package httpserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// cyclesOf returns the person's cycles of the fixture course.
func cyclesOf(t *testing.T, env *apptest.Env, emp *people.Employee) []*compliance.Cycle {
	t.Helper()
	var cs []*compliance.Cycle
	if err := env.App.DB.Where("employee_id = ? AND course_id = 'basic'", emp.ID).Order("number").Find(&cs).Error; err != nil {
		t.Fatal(err)
	}
	return cs
}

// cycleIDsOnPage returns the values of the list's checkboxes.
func cycleIDsOnPage(doc *goquery.Document) []string {
	var ids []string
	doc.Find(`[data-testid="cycles"] input[name=cycle]`).Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("value", "")) })
	return ids
}

// HR filters the open cycles, ticks three people and extends them; one has
// completed, so nobody is extended and she is named. Without her, both are
// extended in one go, each change audited with HR as its author.
func TestExtendAndExemptASelection(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	hrEmp, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	hired := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	pia := rulesStaff(t, env, "pia@example.org", "Pia", "Pills", "Pharmacy", "Pharmacist", hired)
	paul := rulesStaff(t, env, "paul@example.org", "Paul", "Potions", "Pharmacy", "Technician", hired)
	pat := rulesStaff(t, env, "pat@example.org", "Pat", "Done", "Pharmacy", "Pharmacist", hired)
	if _, err := env.App.Engine.Evaluate(ctx, env.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Learning.CompleteCourse(ctx, pat, "basic"); err != nil {
		t.Fatal(err)
	}

	res := hr.Get("/admin/cycles?department=Pharmacy")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	rulesWantAccessible(t, doc)
	ids := cycleIDsOnPage(doc)
	if len(ids) != 2 {
		t.Fatalf("%d open cycles in Pharmacy, want Pia's and Paul's", len(ids))
	}
	if doc.Find(`[data-testid="extend-selected"]`).AttrOr("formaction", "") != "/admin/cycles/extend" {
		t.Fatal("no Extend selected button")
	}
	back := doc.Find(`[data-testid="cycle-selection"] input[name=back]`).AttrOr("value", "")
	if back != "/admin/cycles?department=Pharmacy" {
		t.Fatalf("back %q", back)
	}

	// The selection, with Pat's completed cycle added (as a stale page would).
	patCycle := cyclesOf(t, env, pat)[0].ID
	q := url.Values{"cycle": {ids[0], ids[1], patCycle}, "back": {back}}
	res = hr.Get("/admin/cycles/extend?" + q.Encode())
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	rulesWantAccessible(t, doc)
	if n := doc.Find(`[data-testid="selected-cycles"] tbody tr`).Length(); n != 3 {
		t.Fatalf("%d people on the form, want 3", n)
	}

	before := rulesCounts(t, env)
	form := url.Values{"cycle": {ids[0], ids[1], patCycle}, "due": {"2026-05-15"}, "reason": {"Pharmacy relocation"}, "back": {back}}
	res = hr.Post("/admin/cycles/extend", form)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	rulesSameCounts(t, "a refused extension", before, rulesCounts(t, env))
	doc = learnerDoc(t, res)
	summary := doc.Find(`[data-testid="error-summary"]`).Text()
	if !strings.Contains(summary, "Pat Done, Basic Training: already completed on 2 March 2026") {
		t.Fatalf("error summary: %q", summary)
	}
	if doc.Find(`tr.cycle-problem`).Length() != 1 || doc.Find(`a[href="#cycle-`+patCycle+`"]`).Length() != 1 {
		t.Fatal("Pat's row is not marked, or the summary does not link to it")
	}
	if doc.Find("#reason").Text() != "Pharmacy relocation" || doc.Find("#due").AttrOr("value", "") != "2026-05-15" {
		t.Fatal("the form lost what was typed")
	}

	form.Del("cycle")
	form["cycle"] = ids
	res = hr.Post("/admin/cycles/extend", form)
	mustRedirect(t, res, back)
	for _, e := range []*people.Employee{pia, paul} {
		c := cyclesOf(t, env, e)[0]
		if !c.DueAt.Equal(time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)) || !strings.Contains(c.Derivation, "(Pharmacy relocation)") {
			t.Fatalf("%s's cycle: %+v", e.FirstName, c)
		}
	}
	var changes []compliance.CycleChange
	env.App.DB.Find(&changes)
	if len(changes) != 2 || changes[0].ChangedBy != hrEmp.ID || changes[1].ChangedBy != hrEmp.ID {
		t.Fatalf("changes %+v", changes)
	}
	var entries []audit.Entry
	env.App.DB.Where("action = ?", audit.ActionExtend).Find(&entries)
	if len(entries) != 2 || entries[0].ActorID != hrEmp.ID || entries[0].ActorName != "Hana Resources" || !strings.Contains(entries[0].Summary, "Pharmacy relocation") {
		t.Fatalf("audit entries %+v", entries)
	}
	res = hr.Get(back)
	if flash := learnerDoc(t, res).Find(".flash").Text(); !strings.Contains(flash, "Extended the due date of 2 people to 15 May 2026") {
		t.Fatalf("flash %q", flash)
	}

	// Exempt Pia: an end date in the past is refused at the field, a
	// missing reason too; then it works.
	form = url.Values{"cycle": {cyclesOf(t, env, pia)[0].ID}, "until": {"2026-01-01"}, "back": {"https://evil.example/"}}
	res = hr.Post("/admin/cycles/exempt", form)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc = learnerDoc(t, res)
	if doc.Find("#until-error").Length() != 1 || doc.Find("#reason-error").Length() != 1 {
		t.Fatalf("field errors missing:\n%s", doc.Find(`[data-testid="error-summary"]`).Text())
	}
	if doc.Find(`input[name=back]`).AttrOr("value", "") != "/admin/cycles" {
		t.Fatal("a back link to another site was kept")
	}
	form.Set("until", "2026-09-01")
	form.Set("reason", "Parental leave")
	mustRedirect(t, hr.Post("/admin/cycles/exempt", form), "/admin/cycles")
	if c := cyclesOf(t, env, pia)[0]; c.Status != compliance.StatusExempt || c.ExemptUntil == nil {
		t.Fatalf("Pia's cycle: %+v", c)
	}
	env.App.DB.Where("action = ?", audit.ActionExempt).Find(&entries)
	if len(entries) != 1 || !strings.Contains(entries[0].Summary, "Exempted Pia Pills from Basic Training (cycle #1) until 1 September 2026: Parental leave") {
		t.Fatalf("exemption audit %+v", entries)
	}
	if res, err := audit.Verify(ctx, env.App.DB); err != nil || !res.OK() {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
	// Nothing ticked: the form says so.
	res = hr.Get("/admin/cycles/exempt")
	mustStatus(t, res, http.StatusOK)
	if learnerDoc(t, res).Find(`[data-testid="nothing-selected"]`).Length() != 1 {
		t.Fatal("an empty selection is not explained")
	}
}

// The list pages 50 at a time and filters by status and rule.
func TestOpenCyclesListPagesAndFilters(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	for i := range 54 {
		rulesStaff(t, env, fmt.Sprintf("r%02d@example.org", i), "Ray", fmt.Sprintf("Radiographer %02d", i), "Radiology", "Radiographer", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	if _, err := env.App.Engine.Evaluate(ctx, env.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	res := hr.Get("/admin/cycles?department=Radiology")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if n := len(cycleIDsOnPage(doc)); n != 50 {
		t.Fatalf("page 1 has %d rows", n)
	}
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="cycle-selection"] p.muted`).First().Text()), " "); got != "54 people, showing 1 to 50, earliest due first." {
		t.Fatalf("the list says %q", got)
	}
	first := cycleIDsOnPage(doc)
	next := doc.Find(`nav[aria-label=Pages] a`).Last()
	if next.Text() != "Next 50" || !strings.HasPrefix(next.AttrOr("href", ""), "/admin/cycles?after=") ||
		!strings.Contains(next.AttrOr("href", ""), "department=Radiology&page=2") {
		t.Fatalf("next link %q %q", next.Text(), next.AttrOr("href", ""))
	}
	// The Next link carries the last cycle's position: page 2 starts after
	// it, and says where it is.
	res = hr.Get(next.AttrOr("href", ""))
	doc = learnerDoc(t, res)
	second := cycleIDsOnPage(doc)
	if len(second) != 4 || slices.Contains(first, second[0]) {
		t.Fatalf("page 2 has %v", second)
	}
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="cycle-selection"] p.muted`).First().Text()), " "); got != "54 people, showing 51 to 54, earliest due first." {
		t.Fatalf("page 2 says %q", got)
	}
	prev := doc.Find(`nav[aria-label=Pages] a`).First()
	if prev.Text() != "Previous 50" || doc.Find(`nav[aria-label=Pages] a`).Length() != 1 {
		t.Fatalf("page 2's links: %q", doc.Find(`nav[aria-label=Pages]`).Text())
	}
	// Previous goes back before page 2's first cycle: page 1 again.
	res = hr.Get(prev.AttrOr("href", ""))
	if got := cycleIDsOnPage(learnerDoc(t, res)); !slices.Equal(got, first) {
		t.Fatalf("back to page 1: %d rows, want the first page's %d", len(got), len(first))
	}
	// A page typed by number is read by offset, up to the count's limit;
	// further is refused with what to do instead, and so is a bad link.
	res = hr.Get("/admin/cycles?department=Radiology&page=2")
	if n := len(cycleIDsOnPage(learnerDoc(t, res))); n != 4 {
		t.Fatalf("page 2 by number has %d rows", n)
	}
	res = hr.Get("/admin/cycles?page=5000")
	mustStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(res.Body, "too far into the list") {
		t.Errorf("page 5000 by number says:\n%s", res.Body)
	}
	res = hr.Get("/admin/cycles?page=2&after=bm90LWEtcG9zaXRpb24")
	mustStatus(t, res, http.StatusBadRequest)
	res = hr.Get("/admin/cycles?department=Radiology&status=overdue")
	if learnerDoc(t, res).Find(`[data-testid="no-cycles"]`).Length() != 1 {
		t.Fatal("nobody is overdue yet")
	}
	env.Clock.Advance(31 * 24 * time.Hour)
	hr.Login("hr@example.org", learnerPassword) // the session ended while the month went by
	res = hr.Get("/admin/cycles?department=Radiology&status=overdue&rule=" + compliance.CourseRuleID("basic"))
	doc = learnerDoc(t, res)
	if n := len(cycleIDsOnPage(doc)); n != 50 || !strings.Contains(doc.Find(`[data-testid="cycles"]`).Text(), "Overdue") {
		t.Fatalf("overdue after a month: %d rows", n)
	}
	if !strings.Contains(doc.Text(), "Everyone, every year") {
		t.Fatal("the rule filter is not named")
	}
	mustStatus(t, hr.Get("/admin/cycles?status=lost"), http.StatusBadRequest)
}
