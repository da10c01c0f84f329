package httpserver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestLearnerJourneyToCertificate walks one learner through every step type
// of the fixture course, from sign-in to a certificate anyone can verify,
// and checks it all survives a restart.
func TestLearnerJourneyToCertificate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)
	duration := basicCourse(t, env).Module("video").Step("watch").Video.DurationSeconds

	// The dashboard says what is required and by when.
	res := c.Get("/")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	card := doc.Find(`[data-testid=course-card][data-course=basic]`)
	if card.Length() != 1 {
		t.Fatalf("dashboard has no card for the course:\n%s", res.Body)
	}
	if got := card.Find("[data-testid=status]").Text(); got != "Due 1 April 2026" {
		t.Errorf("status badge = %q, want Due 1 April 2026", got)
	}
	if got := card.Find("[data-testid=progress-text]").Text(); got != "0 of 5 steps done" {
		t.Errorf("progress = %q", got)
	}
	if v, _ := card.Find("progress").Attr("max"); v != "5" {
		t.Errorf("progress max = %q, want 5", v)
	}
	if got := strings.TrimSpace(card.Find("[data-testid=course-action]").Contents().First().Text()); got != "Start" {
		t.Errorf("action = %q, want Start", got)
	}

	// Pages: read and continue; the module URL resumes at the first step not done.
	mustRedirect(t, c.Get("/courses/basic/modules/basics"), basicStep+"welcome")
	res = c.Get(basicStep + "welcome")
	mustStatus(t, res, http.StatusOK)
	if learnerDoc(t, res).Find("form[action$='/done'] input[name=csrf_token]").Length() != 1 {
		t.Error("the page step has no read-and-continue form with a CSRF token")
	}
	mustRedirect(t, c.Post(basicStep+"welcome/done", nil), basicStep+"scenario")
	mustRedirect(t, c.Get("/courses/basic/modules/basics"), basicStep+"scenario")

	// Resume works on any device: a second sign-in lands on the same step.
	other := env.Client()
	other.Login("ada@example.org", learnerPassword)
	mustRedirect(t, other.Get("/courses/basic/modules/basics"), basicStep+"scenario")
	mustRedirect(t, c.Post(basicStep+"scenario/done", nil), basicStep+"check")

	// Quiz: the attempt page holds no answer key.
	attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
	if !strings.HasPrefix(attemptURL, basicStep+"check/quiz/") {
		t.Fatalf("start attempt went to %q", attemptURL)
	}
	res = c.Get(attemptURL)
	mustStatus(t, res, http.StatusOK)
	assertNoAnswerKey(t, env, res.Body)
	doc = learnerDoc(t, res)
	if n := doc.Find("fieldset.question").Length(); n != 3 {
		t.Fatalf("attempt shows %d questions, want 3", n)
	}
	if doc.Find("fieldset.question legend").Length() != 3 || doc.Find("label.choice input").Length() < 8 {
		t.Error("questions need legends and labelled options")
	}
	form := answers(t, env, doc, true)
	mustRedirect(t, c.Post(attemptURL, form), attemptURL)
	res = c.Get(attemptURL)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := doc.Find("[data-testid=quiz-summary] strong").First().Text(); got != "100%" {
		t.Errorf("score = %q, want 100%%", got)
	}
	for _, q := range quizQuestions(t, env) {
		if !strings.Contains(res.Body, q.Explanation) {
			t.Errorf("result lacks the explanation of %s", q.ID)
		}
	}
	// A submitted attempt cannot be submitted again.
	mustStatus(t, c.Post(attemptURL, form), http.StatusConflict)

	// Video: one forged beacon claiming the whole video does not complete it.
	res = c.Get(videoStep)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if doc.Find("video track[kind=captions]").Length() != 1 || doc.Find("video source[type='video/mp4']").Length() != 1 {
		t.Error("the video needs an MP4 source and a captions track")
	}
	if doc.Find("#transcript-heading").Length() != 1 {
		t.Error("the transcript is missing")
	}
	viewing, _ := doc.Find("#step-video").Attr("data-viewing")
	res = c.PostJSON(videoStep+"/video", beaconIn(viewing, 0, duration, duration))
	mustStatus(t, res, http.StatusOK)
	var reply struct {
		Done           bool    `json:"done"`
		WatchedSeconds float64 `json:"watched_seconds"`
		NextURL        string  `json:"next_url"`
	}
	if err := json.Unmarshal([]byte(res.Body), &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Done || reply.WatchedSeconds > learning.ViewingAllowanceSeconds {
		t.Fatalf("a forged beacon was credited %v s (done=%v)", reply.WatchedSeconds, reply.Done)
	}
	// Honest beacons every 5 s, with the clock moving, do.
	res = watchHonestly(t, env, c, duration)
	if err := json.Unmarshal([]byte(res.Body), &reply); err != nil {
		t.Fatal(err)
	}
	if !reply.Done || reply.NextURL != policyStep {
		t.Fatalf("honest viewing: done=%v next=%q", reply.Done, reply.NextURL)
	}

	// Acknowledgement: a mistyped name is refused with a clear message.
	res = c.Post(policyStep+"/acknowledge", url.Values{"agree": {"yes"}, "full_name": {"Ada Lovelac"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc = learnerDoc(t, res)
	want := "The name you typed doesn't match the name on your account (Ada Lovelace). Type your full name exactly as shown."
	if got := doc.Find("#full_name-error").Text(); got != want {
		t.Errorf("name error = %q, want %q", got, want)
	}
	if v, _ := doc.Find("#full_name").Attr("aria-invalid"); v != "true" {
		t.Error("the name field is not marked invalid")
	}
	if v, _ := doc.Find("#full_name").Attr("value"); v != "Ada Lovelac" {
		t.Errorf("the typed name was not kept: %q", v)
	}
	res = c.Post(policyStep+"/acknowledge", url.Values{"full_name": {"Ada Lovelace"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if learnerDoc(t, res).Find("#agree-error").Length() != 1 {
		t.Error("an unticked box is not explained")
	}
	res = c.Post(policyStep+"/acknowledge", url.Values{"agree": {"yes"}, "full_name": {"  ada   LOVELACE "}})
	mustRedirect(t, res, "/courses/basic/finished")

	// The finished page leads to the certificate.
	res = c.Get("/courses/basic/finished")
	mustStatus(t, res, http.StatusOK)
	certURL, _ := learnerDoc(t, res).Find("[data-testid=certificate-link]").Attr("href")
	if !strings.HasPrefix(certURL, "/certificates/") {
		t.Fatalf("no certificate link on the finished page:\n%s", res.Body)
	}
	res = c.Get(certURL)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := doc.Find("[data-testid=name]").Text(); got != "Ada Lovelace" {
		t.Errorf("certificate name = %q", got)
	}
	code := doc.Find("[data-testid=code]").Text()
	if len(code) != 12 || code[4] != '-' || code[9] != '-' {
		t.Errorf("verification code %q is not grouped like ABCD-EF23-GH", code)
	}
	if !strings.Contains(res.Body, "1 April 2027") {
		t.Error("the certificate does not show the expiry (due date + 12 months, completed on time)")
	}
	if doc.Find("[data-testid=evidence-attempts] tbody tr").Length() != 1 {
		t.Error("the evidence does not list the quiz attempt")
	}
	res = c.Get(certURL + "/pdf")
	mustStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(res.Body, "%PDF") || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the PDF is not a PDF: %q, %q", res.Header.Get("Content-Type"), res.Body[:min(20, len(res.Body))])
	}

	// Anyone can verify the code, and sees nothing more personal than the name.
	anon := env.Client()
	res = anon.Get("/verify/" + code)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := doc.Find("[data-testid=verify-status]").Text(); got != "Valid" {
		t.Errorf("verify status = %q", got)
	}
	if !strings.Contains(res.Body, "Ada Lovelace") || !strings.Contains(res.Body, "Basic Training") {
		t.Error("verify page lacks the name or the course")
	}
	if strings.Contains(res.Body, "Registered Nurse") || strings.Contains(res.Body, "Nursing") || strings.Contains(res.Body, "ada@example.org") {
		t.Error("the public verify page shows personal details")
	}
	mustRedirect(t, anon.Get("/verify?code="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(code, "-", " ")))), "/verify/"+code)
	mustStatus(t, anon.Get("/verify/ABCD-EFGH-JK"), http.StatusNotFound)
	mustStatus(t, anon.Get("/verify"), http.StatusOK)

	// The dashboard shows the completion.
	res = c.Get("/")
	card = learnerDoc(t, res).Find(`[data-testid=course-card][data-course=basic]`)
	if got := card.Find("[data-testid=status]").Text(); got != "Completed — expires 1 April 2027" {
		t.Errorf("status after completion = %q", got)
	}
	if got := card.Find("[data-testid=progress-text]").Text(); got != "5 of 5 steps done" {
		t.Errorf("progress after completion = %q", got)
	}

	// The evidence is stored.
	var att learning.Attestation
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&att).Error; err != nil {
		t.Fatal(err)
	}
	if att.PrintedName != "ada LOVELACE" || att.PolicyVersion != "1" || att.IP == "" || att.UserAgent == "" ||
		att.ModuleVersionID == "" || att.Meaning != "I have read this policy and I will follow it." || att.SignedAt.Location().String() != "UTC" {
		t.Errorf("attestation evidence incomplete: %+v", att)
	}
	var cert learning.Certificate
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&cert).Error; err != nil {
		t.Fatal(err)
	}
	if cert.JobTitle != "Registered Nurse" || cert.Department != "Nursing" || cert.ScorePercent == nil || *cert.ScorePercent != 100 ||
		cert.PassMark == nil || *cert.PassMark != 100 || cert.StartedAt == nil || cert.CourseVersionID == "" {
		t.Errorf("certificate snapshot incomplete: %+v", cert)
	}

	// A completion survives a restart (same database file).
	env.Restart()
	c = env.Client()
	c.Login("ada@example.org", learnerPassword)
	res = c.Get("/")
	if got := learnerDoc(t, res).Find(`[data-testid=course-card][data-course=basic] [data-testid=status]`).Text(); got != "Completed — expires 1 April 2027" {
		t.Errorf("status after restart = %q", got)
	}
	mustStatus(t, c.Get(certURL), http.StatusOK)
	res = env.Client().Get("/verify/" + code)
	if learnerDoc(t, res).Find("[data-testid=verify-status]").Text() != "Valid" {
		t.Error("the certificate is not valid after a restart")
	}
}

// assertNoAnswerKey fails when the page source could tell which options are
// right: no explanation text, and no attribute mentioning correctness.
func assertNoAnswerKey(t *testing.T, env *apptest.Env, body string) {
	t.Helper()
	for _, q := range quizQuestions(t, env) {
		if strings.Contains(body, q.Explanation) {
			t.Errorf("the attempt page holds the explanation of %s", q.ID)
		}
	}
	doc, err := goqueryDoc(body)
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("*").Each(func(_ int, s *goquerySelection) {
		for _, a := range s.Nodes[0].Attr {
			l := strings.ToLower(a.Key + "=" + a.Val)
			if strings.Contains(l, "correct") || strings.Contains(l, "right") || strings.Contains(l, "answer-key") {
				if a.Key == "name" && strings.HasPrefix(a.Val, "answer-") {
					continue
				}
				t.Errorf("attribute %s=%q may reveal the answer", a.Key, a.Val)
			}
		}
	})
}
