package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestForgotPasswordJourney: a member of staff who has forgotten her
// password asks for a link on the sign-in page, gets it by e-mail, chooses
// a new password and is signed in; a mistake on the form opens at the
// focused error summary.
func TestForgotPasswordJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		nurse := s.addPerson(person{Email: "nia@hospital.test", First: "Nia", Last: "Mensah"})
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/login")
		tb.follow("[data-testid=forgot-link]", "forgot password")
		tb.expectText("h1", "Forgot your password?")
		tb.follow("[data-testid=forgot-form] button[type=submit]", "forgot password, empty")
		tb.expectFocus("[data-testid=error-summary]")
		if !strings.Contains(tb.text("[data-testid=error-summary]"), "Enter the e-mail address you sign in with.") {
			tb.fatalf("the error summary reads %q", tb.text("[data-testid=error-summary]"))
		}
		tb.typeInto("#email", nurse.Email)
		tb.follow("[data-testid=forgot-form] button[type=submit]", "check your e-mail")
		tb.expectText("h1", "Check your e-mail")

		s.runScheduler()
		mails := s.mailTo(nurse.Email, "Reset your password")
		if len(mails) != 1 {
			tb.fatalf("%d reset e-mails, want 1", len(mails))
		}
		link := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/reset/[A-Za-z0-9_-]{43}`).FindString(mails[0].Text)
		if link == "" {
			tb.fatalf("no reset link in the e-mail:\n%s", mails[0].Text)
		}
		tb.visit("choose a new password", link)
		tb.expectText("h1", "Choose a new password")
		const fresh = "quiet meadow lantern 57"
		tb.typeInto("#password", fresh)
		tb.typeInto("#password_confirm", fresh)
		tb.follow("[data-testid=invite-form] button[type=submit]", "dashboard")
		tb.expectPath("/")

		// The link was used up.
		tb.visit("used link", link)
		tb.expectText("h1", "This link can't be used")
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
