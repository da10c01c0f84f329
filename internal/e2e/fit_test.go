package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestHRPagesFit: every HR page, and the manager's, at a laptop and a
// 375-pixel phone: none scrolls sideways on the phone
// (document.scrollingElement.scrollWidth <= innerWidth; tables scroll inside
// their own region), and axe-core finds nothing. A long department, job
// title and e-mail address stand in for real data.
func TestHRPagesFit(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		hr := s.addPerson(person{Email: "hana@hospital.test", First: "Hana", Last: "Okafor", Role: people.RoleHRAdmin, Department: "Human Resources", JobTitle: "HR Officer"})
		boss := s.addPerson(person{Email: "marcus@hospital.test", First: "Marcus", Last: "Bell", Role: people.RoleManager})
		nina := s.addPerson(person{Email: "nina.patel-long-address-for-testing@hospital-with-a-long-domain.test", First: "Nina", Last: "Patel-Featherstonehaugh",
			NoPassword: true, ManagerID: &boss.ID, Department: "Paediatric Intensive Care and Neonatal Services", JobTitle: "Advanced Neonatal Nurse Practitioner"})
		omar := s.addPerson(person{Email: "omar@hospital.test", First: "Omar", Last: "Haddad", NoPassword: true, ManagerID: &boss.ID})
		s.runScheduler()
		if _, err := s.App.Learning.CompleteCourse(context.Background(), omar, "basic"); err != nil {
			t.Fatalf("complete the course: %v", err)
		}
		s.runScheduler()
		var msg notify.Entry
		if err := s.App.DB.Order("created_at").Take(&msg).Error; err != nil {
			t.Fatalf("an outbox message: %v", err)
		}
		tb := openTab(t, s, vp)
		tb.visit("sign in", "/admin")
		signIn(tb, hr.Email)
		pages := []string{
			"/admin", "/admin/people", "/admin/people?password=unset", "/admin/people/new", "/admin/people/import",
			"/admin/people/" + nina.ID, "/admin/people/" + nina.ID + "/edit", "/admin/people/" + nina.ID + "/transcript",
			"/people/" + nina.ID + "/progress",
			"/admin/rules", "/admin/rules/new", "/admin/cycles",
			"/admin/reports?report=status", "/admin/reports?report=overdue", "/admin/reports?report=expiring",
			"/admin/reports?report=completions", "/admin/reports?report=matrix", "/admin/reports?report=departments",
			"/admin/outbox", "/admin/outbox/" + msg.ID, "/admin/audit", "/admin/tokens", "/admin/evidence",
		}
		for _, p := range pages {
			tb.visit(p, p) // checkPage: axe, and no sideways scrolling on the phone
			if w := eval[[]int](tb, `[document.scrollingElement.scrollWidth, window.innerWidth]`); vp.Mobile && w[0] > w[1] {
				tb.errorf("%s is %d pixels wide on a %d-pixel phone", p, w[0], w[1])
			}
			if p == "/admin" {
				// Chart labels are drawn 13 units high: on screen they must
				// stay readable (at least 11 pixels) at either width.
				sizes := eval[[]float64](tb, `[...document.querySelectorAll("figure.chart svg")].filter(s => s.getClientRects().length).map(s => 13 * s.getBoundingClientRect().width / s.viewBox.baseVal.width)`)
				if len(sizes) == 0 {
					tb.fatalf("no chart is shown on the dashboard")
				}
				for _, px := range sizes {
					if px < 11 {
						tb.errorf("a chart's labels are %.1f pixels high at %s size", px, vp.Name)
					}
				}
			}
			if strings.Contains(tb.text("h1"), "Something went wrong") {
				tb.fatalf("%s failed", p)
			}
		}
		// The manager's team view, as the manager.
		tb2 := openTab(t, s, vp)
		tb2.visit("manager signs in", "/team")
		signIn(tb2, boss.Email)
		tb2.visit("/team", "/team")
		if w := eval[[]int](tb2, `[document.scrollingElement.scrollWidth, window.innerWidth]`); vp.Mobile && w[0] > w[1] {
			tb2.errorf("/team is %d pixels wide on a %d-pixel phone", w[0], w[1])
		}
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited+tb2.audited, tb.axeTime.Round(time.Millisecond))
	})
}
