package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/people"
)

// TestDayOneJourney: a new person without a password gets the "required
// training" e-mail with a set-password link above it and signs in from it,
// with nobody in HR doing anything; HR then finds another person who has
// not set a password on the People list and sends them a link in bulk.
func TestDayOneJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		s.addPerson(person{Email: "hana@hospital.test", First: "Hana", Last: "Reyes", Role: people.RoleHRAdmin, Department: "Human Resources", JobTitle: "HR Lead"})
		hire := s.addPerson(person{Email: "ada@hospital.test", First: "Ada", Last: "Lovelace", NoPassword: true})
		s.runScheduler()
		mails := s.mailTo(hire.Email, "Required training: Basic Training")
		if len(mails) != 1 {
			t.Fatalf("%d assigned e-mails to the new hire, want 1", len(mails))
		}
		if !strings.Contains(mails[0].Text, "First, set your password") {
			t.Fatalf("the first e-mail carries no set-password link:\n%s", mails[0].Text)
		}
		link := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/invite/[A-Za-z0-9_-]{43}`).FindString(mails[0].Text)
		tb := openTab(t, s, vp)
		tb.visit("set-password link from the first e-mail", link)
		tb.expectText("h1", "Set your password")
		tb.typeInto("#password", password)
		tb.typeInto("#password_confirm", password)
		tb.follow("[data-testid=invite-form] button[type=submit]", "dashboard")
		tb.expectPath("/")
		tb.expectText("h1", "Your training")

		// HR sends a link to someone added later who has not set a password.
		late := s.addPerson(person{Email: "bo@hospital.test", First: "Bo", Last: "Berg", NoPassword: true})
		hr := openTab(t, s, vp)
		hr.visit("sign in", "/login")
		signIn(hr, "hana@hospital.test")
		hr.visit("people without a password", "/admin/people?password=unset")
		if got := hr.count("[data-testid=person-row]"); got != 1 || !strings.Contains(hr.text("[data-testid=person-row]"), "Bo Berg") {
			hr.fatalf("the no-password filter lists %d people: %q", got, hr.text("[data-testid=people]"))
		}
		hr.press("#select-" + late.ID)
		hr.follow("[data-testid=bulk-invite]", "links sent")
		hr.expectText("h1", "Set-password links sent")
		s.runScheduler()
		if n := len(s.mailTo(late.Email, "Set your password")); n != 1 {
			hr.fatalf("%d invitation e-mails to %s, want 1", n, late.Email)
		}
		t.Logf("[%s] %d + %d pages checked by axe-core in %s", vp.Name, tb.audited, hr.audited, (tb.axeTime + hr.axeTime).Round(time.Millisecond))
	})
}
