package httpserver_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

const learnerPassword = "a long enough password 42"

// newLearner creates an employee and a client signed in as them.
func newLearner(t *testing.T, env *apptest.Env, email, first, last string, role people.Role) (*people.Employee, *apptest.Client) {
	t.Helper()
	emp := env.CreateEmployee(email, first, last, role, learnerPassword)
	c := env.Client()
	c.Login(email, learnerPassword)
	return emp, c
}

// assignBasic gives the employee a cycle of the fixture course, due in 30 days.
func assignBasic(t *testing.T, env *apptest.Env, emp *people.Employee) *compliance.Cycle {
	t.Helper()
	now := env.Clock.Now()
	var cy *compliance.Cycle
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		cy, err = compliance.Assign(tx, emp.ID, "basic", now, now.AddDate(0, 0, 30), "assigned by the test")
		return err
	})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	return cy
}

func basicCourse(t *testing.T, env *apptest.Env) *catalog.Course {
	t.Helper()
	c := env.App.Catalog.Course("basic")
	if c == nil {
		t.Fatal("the fixture course basic is not loaded")
	}
	return c
}

func learnerDoc(t *testing.T, res *apptest.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func mustStatus(t *testing.T, res *apptest.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, res.Body)
	}
}

func mustRedirect(t *testing.T, res *apptest.Response, want string) {
	t.Helper()
	mustStatus(t, res, http.StatusSeeOther)
	if got := res.Header.Get("Location"); got != want {
		t.Fatalf("%s %s: redirect to %q, want %q", res.Request.Method, res.Request.URL.Path, got, want)
	}
}

// location returns the redirect target of a 303.
func location(t *testing.T, res *apptest.Response) string {
	t.Helper()
	mustStatus(t, res, http.StatusSeeOther)
	return res.Header.Get("Location")
}

const (
	basicStep  = "/courses/basic/modules/basics/steps/"
	videoStep  = "/courses/basic/modules/video/steps/watch"
	policyStep = "/courses/basic/modules/sign/steps/policy"
)

// quizQuestions returns the catalog questions of the fixture's quiz by ID.
func quizQuestions(t *testing.T, env *apptest.Env) map[string]*catalog.Question {
	t.Helper()
	st := basicCourse(t, env).Module("basics").Step("check")
	qs := map[string]*catalog.Question{}
	for _, q := range st.Quiz.Questions {
		qs[q.ID] = q
	}
	return qs
}

// answers fills in an attempt's form from the page: right answers when
// right is true, a wrong answer to every question otherwise.
func answers(t *testing.T, env *apptest.Env, doc *goquery.Document, right bool) url.Values {
	t.Helper()
	qs := quizQuestions(t, env)
	form := url.Values{}
	doc.Find("fieldset.question").Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Find("input").First().Attr("name")
		q := qs[strings.TrimPrefix(name, "answer-")]
		if q == nil {
			t.Fatalf("the form names an unknown question %q", name)
		}
		for _, o := range q.Options {
			if o.Correct == right {
				form.Add(name, o.ID)
				if !right {
					break
				}
			}
		}
	})
	return form
}

// watchHonestly opens the video step (a new viewing) and sends a beacon
// every 5 seconds of (fake) time from 0 to the end.
func watchHonestly(t *testing.T, env *apptest.Env, c *apptest.Client, duration float64) *apptest.Response {
	t.Helper()
	viewing := viewingOf(t, c)
	var res *apptest.Response
	for from := 0.0; from < duration; from += 5 {
		env.Clock.Advance(5 * time.Second)
		to := min(from+5, duration)
		res = c.PostJSON(videoStep+"/video", beaconIn(viewing, from, to, to))
		mustStatus(t, res, http.StatusOK)
	}
	return res
}

// beacon is a beacon naming no viewing, as an old or forged player sends.
func beacon(from, to, position float64) string {
	return `{"from":` + ftoa(from) + `,"to":` + ftoa(to) + `,"position":` + ftoa(position) + `}`
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

type goquerySelection = goquery.Selection

func goqueryDoc(body string) (*goquery.Document, error) {
	return goquery.NewDocumentFromReader(strings.NewReader(body))
}
