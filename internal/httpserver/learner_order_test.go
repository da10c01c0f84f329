package httpserver_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// signature is a fresh form each time (the client adds its CSRF token to it).
func signature() url.Values { return url.Values{"agree": {"yes"}, "full_name": {"Ada Lovelace"}} }

// TestSignatureComesLast: the policy cannot be signed before the other
// steps are done. The step page and the course outline say it is locked and
// what to do first; a POST is refused with that message and records nothing.
// Done in order, it signs and completes the course.
func TestSignatureComesLast(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)

	res := c.Get(policyStep)
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if doc.Find("[data-testid=sign]").Length() != 0 || doc.Find("form[action$='/acknowledge']").Length() != 0 {
		t.Error("a locked policy shows the signature form")
	}
	lock := doc.Find("[data-testid=step-locked]")
	if lock.Find("h2").Length() != 1 || !strings.Contains(lock.Text(), "You sign this last") {
		t.Errorf("the lock notice is missing or unclear: %q", lock.Text())
	}
	var waiting []string
	lock.Find("[data-testid=step-locked-waiting] a").Each(func(_ int, a *goquerySelection) {
		href, _ := a.Attr("href")
		waiting = append(waiting, href)
	})
	want := []string{basicStep + "welcome", basicStep + "scenario", basicStep + "check", videoStep}
	if strings.Join(waiting, " ") != strings.Join(want, " ") {
		t.Errorf("the lock lists %v, want %v", waiting, want)
	}
	if strings.TrimSpace(doc.Find("[data-testid=policy]").Text()) == "" {
		t.Error("the policy text can still be read while the step is locked")
	}

	res = c.Post(policyStep+"/acknowledge", signature())
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "You sign this last") || !strings.Contains(res.Body, "The basics: Welcome") {
		t.Errorf("the refusal does not say what to do first:\n%s", res.Body)
	}
	var n int64
	env.App.DB.Model(&learning.Attestation{}).Where("employee_id = ?", emp.ID).Count(&n)
	if n != 0 {
		t.Fatalf("a locked signature was recorded (%d)", n)
	}

	// The course outline marks the step.
	outline := learnerDoc(t, c.Get("/courses/basic"))
	note := outline.Find("[data-testid=step-locked-note]")
	if note.Length() != 1 || !strings.Contains(note.Text(), "Locked") {
		t.Errorf("the outline does not mark the locked step: %d notes", note.Length())
	}

	// Everything else done but the video: still locked, naming only it.
	mustStatus(t, c.Post(basicStep+"welcome/done", nil), http.StatusSeeOther)
	mustStatus(t, c.Post(basicStep+"scenario/done", nil), http.StatusSeeOther)
	attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
	mustRedirect(t, c.Post(attemptURL, answers(t, env, learnerDoc(t, c.Get(attemptURL)), true)), attemptURL)
	res = c.Post(policyStep+"/acknowledge", signature())
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "The orientation video") {
		t.Errorf("the refusal does not name the video: %s", res.Body)
	}

	watchHonestly(t, env, c, basicCourse(t, env).Module("video").Step("watch").Video.DurationSeconds)
	doc = learnerDoc(t, c.Get(policyStep))
	if doc.Find("[data-testid=step-locked]").Length() != 0 || doc.Find("[data-testid=sign]").Length() != 1 {
		t.Error("with every other step done the policy is still locked")
	}
	if learnerDoc(t, c.Get("/courses/basic")).Find("[data-testid=step-locked-note]").Length() != 0 {
		t.Error("the outline still marks the policy locked")
	}
	mustRedirect(t, c.Post(policyStep+"/acknowledge", signature()), "/courses/basic/finished")
}

// TestSignatureSignedEarlierStands: a signature recorded before the rule
// (out of order) keeps its place; the cycle still completes.
func TestSignatureSignedEarlierStands(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)
	// The seeder records evidence as given, as older versions let learners do.
	if _, err := env.App.Learning.CompleteStep(t.Context(), emp, "basic", "sign", "policy"); err != nil {
		t.Fatal(err)
	}
	doc := learnerDoc(t, c.Get(policyStep))
	if doc.Find("[data-testid=step-locked]").Length() != 0 || doc.Find("[data-testid=signature]").Length() != 1 {
		t.Error("an earlier signature is shown as locked instead of signed")
	}
	if _, err := env.App.Learning.CompleteCourse(t.Context(), emp, "basic"); err != nil {
		t.Fatalf("the cycle with the earlier signature does not complete: %v", err)
	}
}

// copyCourse copies a course directory to a temporary one and appends
// extra to its course.yaml.
func copyCourse(t *testing.T, dir, extra string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(to, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(to, "course.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + extra); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestSignatureUnlockedByCourse: a course whose course.yaml says
// `unlock: {acknowledgement: anytime}` may be signed first.
func TestSignatureUnlockedByCourse(t *testing.T) {
	t.Parallel()
	dir := copyCourse(t, filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"), "unlock:\n  acknowledgement: anytime\n")
	env := apptest.New(t, apptest.Options{ContentDir: dir})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, emp)
	if learnerDoc(t, c.Get(policyStep)).Find("[data-testid=sign]").Length() != 1 {
		t.Error("the relaxed course does not offer the signature at once")
	}
	mustStatus(t, c.Post(policyStep+"/acknowledge", signature()), http.StatusSeeOther)
}

const finalQuiz = "/courses/social-media/modules/final-quiz/steps/final"

func assignCourse(t *testing.T, env *apptest.Env, emp *people.Employee, course string) {
	t.Helper()
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Assign(tx, emp.ID, course, now, now.AddDate(0, 0, 30), "assigned by the test")
		return err
	})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
}

// TestFinalQuizAfterContent: the shipped course's final quiz cannot be
// started before its modules are done; once they are, it can. Its policy
// is signed after the quiz.
func TestFinalQuizAfterContent(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{ContentDir: filepath.Join(apptest.RepoRoot(), "content")})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignCourse(t, env, emp, "social-media")

	doc := learnerDoc(t, c.Get(finalQuiz))
	if doc.Find("[data-testid=quiz-start]").Length() != 0 || doc.Find("[data-testid=step-locked]").Length() != 1 {
		t.Error("the locked final quiz offers to start")
	}
	res := c.Post(finalQuiz+"/quiz", nil)
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "The final quiz opens once") {
		t.Errorf("the refusal is unclear: %s", res.Body)
	}
	var n int64
	env.App.DB.Model(&learning.QuizAttempt{}).Where("employee_id = ?", emp.ID).Count(&n)
	if n != 0 {
		t.Fatalf("a locked quiz drew an attempt")
	}

	// Every content step done (by the seeder): the quiz opens; the policy,
	// signed after it, is still locked.
	j, err := env.App.Learning.Journey(t.Context(), emp, "social-media")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range j.Path {
		if m.ID == "final-quiz" {
			break
		}
		for _, st := range m.Steps {
			if _, err := env.App.Learning.CompleteStep(t.Context(), emp, "social-media", m.ID, st.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	env.Clock.Advance(time.Minute)
	mustStatus(t, c.Post("/courses/social-media/modules/acknowledgement/steps/sign/acknowledge", signature()), http.StatusConflict)
	attemptURL := location(t, c.Post(finalQuiz+"/quiz", nil))
	if !strings.HasPrefix(attemptURL, finalQuiz+"/quiz/") {
		t.Errorf("starting the open final quiz went to %q", attemptURL)
	}
}

// TestFinalQuizUnlockedByCourse: `unlock: {final_quiz: anytime}` lets the
// final quiz be taken first.
func TestFinalQuizUnlockedByCourse(t *testing.T) {
	t.Parallel()
	dir := copyCourse(t, filepath.Join(apptest.RepoRoot(), "content", "social-media"), "unlock:\n  final_quiz: anytime\n")
	env := apptest.New(t, apptest.Options{ContentDir: dir})
	emp, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignCourse(t, env, emp, "social-media")
	attemptURL := location(t, c.Post(finalQuiz+"/quiz", nil))
	if !strings.HasPrefix(attemptURL, finalQuiz+"/quiz/") {
		t.Errorf("starting the relaxed final quiz went to %q", attemptURL)
	}
	// The signature still comes last.
	mustStatus(t, c.Post("/courses/social-media/modules/acknowledgement/steps/sign/acknowledge", signature()), http.StatusConflict)
}
