package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestNewHireJourney: a new hire follows the invitation link, sets a
// password, sees what is required and by when, works through every step
// type (two pages, the quiz, the video with its progress beacons, the
// policy acknowledgement), and gets a certificate that anyone can verify.
func TestNewHireJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		hire := s.addPerson(person{Email: "ada@hospital.test", First: "Ada", Last: "Lovelace", NoPassword: true})
		// The course's default rule assigns it to everyone; the pass also
		// sends the "required training" e-mail.
		s.runScheduler()
		if len(s.mailTo(hire.Email, "Required training: Basic Training")) != 1 {
			t.Fatalf("the new hire did not get the assigned e-mail")
		}
		tb := openTab(t, s, vp)

		tb.visit("invitation", s.invitationLink(hire))
		tb.expectText("h1", "Set your password")
		tb.expectText("[data-testid=invite-email]", hire.Email)
		tb.typeInto("#password", password)
		tb.typeInto("#password_confirm", password)
		tb.follow(`[data-testid=invite-form] button[type=submit]`, "dashboard")

		tb.expectPath("/")
		tb.expectText("h1", "Your training")
		tb.expectText(courseCard+" [data-testid=status]", "Due 1 April 2026")
		tb.expectText(courseCard+" [data-testid=progress-text]", "0 of 5 steps done")
		if got := tb.text(courseCard + " [data-testid=course-action]"); !strings.HasPrefix(got, "Start") {
			tb.fatalf("the course's action reads %q, want Start", got)
		}
		// The signature comes last: the policy shows what to do first.
		tb.visit("the policy before the other steps", policyStep)
		tb.expectText("[data-testid=step-locked] h2", "This step isn't open yet")
		if tb.count("[data-testid=sign]") != 0 || tb.count("[data-testid=step-locked-waiting] a") != 4 {
			tb.fatalf("the locked policy offers the signature or does not list the 4 steps to do first")
		}
		tb.visit("dashboard", "/")
		tb.follow(courseCard+" [data-testid=course-action]", "first step")

		readPage(tb, basicsStep+"welcome", "Welcome")
		readPage(tb, basicsStep+"scenario", "Scenario: a friend request")
		passQuiz(tb, s)
		tb.follow("[data-testid=next]", "video")

		watchVideo(tb, s, hire)
		tb.follow("[data-testid=next]", "acknowledgement")

		signPolicy(tb, "Ada Lovelace")
		tb.expectPath(finishedURL)
		tb.follow("[data-testid=certificate-link]", "certificate")

		if !strings.HasPrefix(tb.path(), "/certificates/") {
			tb.fatalf("the certificate link went elsewhere")
		}
		tb.expectText("[data-testid=name]", "Ada Lovelace")
		if !strings.Contains(tb.text("[data-testid=certificate]"), "1 April 2027") {
			tb.fatalf("the certificate does not show its expiry, 1 April 2027")
		}
		code := tb.text("[data-testid=code]")
		// The PDF downloads with the person's session.
		pdf := eval[[]string](tb, `fetch(document.querySelector("[data-testid=pdf-link]").href).then(async r => [String(r.status), r.headers.get("Content-Type"), (await r.text()).slice(0, 4)])`, chromedp.EvalAwaitPromise)
		if pdf[0] != "200" || pdf[1] != "application/pdf" || pdf[2] != "%PDF" {
			tb.fatalf("the certificate's PDF: status %s, type %s, starts %q", pdf[0], pdf[1], pdf[2])
		}

		tb.visit("verify", "/verify/"+code)
		tb.expectText("[data-testid=verify-status]", "Valid")

		tb.visit("dashboard after completion", "/")
		tb.expectText(courseCard+" [data-testid=status]", "Completed — expires 1 April 2027")
		tb.expectText(courseCard+" [data-testid=progress-text]", "5 of 5 steps done")
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
