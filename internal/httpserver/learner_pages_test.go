package httpserver_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

var inlineHandler = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)

// TestLearnerPagesFollowTheCSPAndBasics visits every learner page and checks
// what the CSP and WCAG basics demand: no inline styles, scripts or
// handlers; one h1; a main landmark; every form input labelled.
func TestLearnerPagesFollowTheCSPAndBasics(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)
	attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))

	pages := []string{"/", "/courses/basic", basicStep + "welcome", basicStep + "check", attemptURL, videoStep, policyStep,
		"/courses/basic/resources/quick-reference", "/people/" + emp.ID + "/progress", "/verify"}
	check := func(path string, res *apptest.Response) {
		t.Helper()
		body := res.Body
		if strings.Contains(body, " style=") || strings.Contains(body, "<style") {
			t.Errorf("%s: inline style", path)
		}
		if inlineHandler.MatchString(body) {
			t.Errorf("%s: inline event handler: %s", path, inlineHandler.FindString(body))
		}
		doc := learnerDoc(t, res)
		doc.Find("script").Each(func(_ int, s *goquerySelection) {
			if _, ok := s.Attr("src"); !ok || strings.TrimSpace(s.Text()) != "" {
				t.Errorf("%s: inline script", path)
			}
		})
		if n := doc.Find("h1").Length(); n != 1 {
			t.Errorf("%s: %d h1 elements, want 1", path, n)
		}
		if doc.Find("main#main").Length() != 1 {
			t.Errorf("%s: no main landmark", path)
		}
		doc.Find("input:not([type=hidden]), select, textarea").Each(func(_ int, s *goquerySelection) {
			id, _ := s.Attr("id")
			if id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0 {
				t.Errorf("%s: input %q has no label", path, id)
			}
		})
		doc.Find("progress").Each(func(_ int, s *goquerySelection) {
			if _, ok := s.Attr("aria-label"); !ok {
				t.Errorf("%s: a progress bar has no accessible name", path)
			}
		})
	}
	for _, p := range pages {
		res := c.Get(p)
		mustStatus(t, res, http.StatusOK)
		check(p, res)
	}

	cert, err := env.App.Learning.CompleteCourse(context.Background(), emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/courses/basic/finished", "/certificates/" + cert.Code, "/verify/" + cert.Code} {
		res := c.Get(p)
		mustStatus(t, res, http.StatusOK)
		check(p, res)
	}
}
