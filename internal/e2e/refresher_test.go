package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// TestRefresherJourney: a year on, a member of staff gets the "refresher
// open" e-mail, follows its link, signs in, takes the refresher path (the
// basics and the policy, not the video, which is still valid), and is done
// for another year.
func TestRefresherJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t)
		ctx := context.Background()
		nina := s.addPerson(person{Email: "nina@hospital.test", First: "Nina", Last: "Patel"})
		s.runScheduler()
		// Last year's course, done on the day it was assigned (the browser
		// part of that is TestNewHireJourney).
		if _, err := s.App.Learning.CompleteCourse(ctx, nina, "basic"); err != nil {
			t.Fatalf("complete the course: %v", err)
		}
		first, err := s.App.Cycles.CurrentFor(ctx, nina.ID, "basic")
		if err != nil || first.ExpiresAt == nil {
			t.Fatalf("the first cycle: %+v, %v", first, err)
		}
		// The refresher window opens 60 days before the certificate expires.
		opens := first.ExpiresAt.AddDate(0, 0, -60)
		s.Clock.Set(time.Date(opens.Year(), opens.Month(), opens.Day(), 9, 0, 0, 0, time.UTC))
		s.runScheduler()
		mails := s.mailTo(nina.Email, "Refresher open: Basic Training")
		if len(mails) != 1 {
			t.Fatalf("%d refresher-open e-mails, want 1", len(mails))
		}
		mail := mails[0]
		if !strings.Contains(mail.Text, s.URL+courseURL) {
			t.Fatalf("the e-mail's text has no link to %s:\n%s", s.URL+courseURL, mail.Text)
		}
		due := compliance.FormatDay(*first.ExpiresAt)

		// The e-mail as a mail program shows it; its button is followed.
		inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(mail.HTML))
		}))
		t.Cleanup(inbox.Close)
		tb := openTab(t, s, vp)
		tb.visit("refresher e-mail", inbox.URL)
		if !strings.Contains(tb.text("body"), "Your refresher for Basic Training is open") {
			tb.fatalf("the e-mail does not say the refresher is open")
		}
		tb.follow(`a[href="`+s.URL+courseURL+`"]`, "sign in")
		tb.expectPath("/login?next=%2Fcourses%2Fbasic")
		signIn(tb, nina.Email)

		// The course page: the refresher's modules, and the video kept
		// apart as not required this time.
		tb.expectPath(courseURL)
		tb.expectText(courseCard+" [data-testid=status]", "Due "+due)
		modules := eval[[]string](tb, `[...document.querySelectorAll("[data-testid=modules] > li h3")].map(e => e.innerText.trim())`)
		if strings.Join(modules, ", ") != "The basics, Sign the policy" {
			tb.fatalf("the refresher's modules are %q, want the basics and the policy", modules)
		}
		if !strings.Contains(tb.text("main"), "The orientation video") {
			tb.fatalf("the course page does not offer the video as optional")
		}
		tb.follow(courseCard+" [data-testid=course-action]", "first step")

		readPage(tb, basicsStep+"welcome", "Welcome")
		readPage(tb, basicsStep+"scenario", "Scenario: a friend request")
		passQuiz(tb, s)
		// Straight on to the policy: the video is not part of the refresher.
		tb.follow("[data-testid=next]", "acknowledgement")
		signPolicy(tb, "Nina Patel")
		tb.expectPath(finishedURL)

		tb.visit("dashboard after the refresher", "/")
		next := compliance.FormatDay(first.ExpiresAt.AddDate(1, 0, 0))
		tb.expectText(courseCard+" [data-testid=status]", "Completed — expires "+next)
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
