package httpserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// The learner area's access rules (see access_test.go). Everyone in the
// fixture is assigned the course, so a course page is each caller's own;
// what belongs to someone else is the attempt, the certificate and the
// progress page, which only the owner, their managers and HR may see.
func init() {
	const (
		ok       = http.StatusOK
		redirect = http.StatusSeeOther
	)
	signedIn := func(status int) access {
		return access{Anonymous: redirect, Learner: status, Manager: status, HRAdmin: status}
	}
	// A form post from someone not signed in is told to sign in (401).
	signedInPost := func(status int) access {
		return access{Anonymous: http.StatusUnauthorized, Learner: status, Manager: status, HRAdmin: status}
	}
	public := access{Anonymous: ok, Learner: ok, Manager: ok, HRAdmin: ok}
	ownerChainAndHR := access{Anonymous: redirect, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: ok}

	expectAccess("GET /", signedIn(ok))
	expectAccess("GET /courses/:course", signedIn(ok))
	// Not finished yet: back to the course page.
	expectAccess("GET /courses/:course/finished", signedIn(redirect))
	expectAccess("GET /courses/:course/media/*", signedIn(ok))
	expectAccess("GET /courses/:course/resources/:id", signedIn(ok))
	// Resume: to the first step not done.
	expectAccess("GET /courses/:course/modules/:module", signedIn(redirect))
	expectAccess("GET /courses/:course/modules/:module/steps/:step", signedIn(ok))
	expectAccess("POST /courses/:course/modules/:module/steps/:step/done", signedInPost(redirect))
	// A beacon naming no viewing (the page was not opened) is refused.
	expectAccess("POST /courses/:course/modules/:module/steps/:step/video", signedInPost(http.StatusConflict))
	expectAccess("POST /courses/:course/modules/:module/steps/:step/quiz", signedInPost(redirect))
	// Someone else's attempt is not in the caller's cycle: 404 for all,
	// HR included (HR sees attempts as evidence on the certificate).
	expectAccess("GET /courses/:course/modules/:module/steps/:step/quiz/:attempt", signedIn(http.StatusNotFound))
	expectAccess("POST /courses/:course/modules/:module/steps/:step/quiz/:attempt", signedInPost(http.StatusNotFound))
	// The signature comes last: refused while the other steps are not done.
	expectAccess("POST /courses/:course/modules/:module/steps/:step/acknowledge", signedInPost(http.StatusConflict))
	expectAccess("GET /certificates/:code", ownerChainAndHR)
	expectAccess("GET /certificates/:code/pdf", ownerChainAndHR)
	expectAccess("GET /verify", public)
	expectAccess("GET /verify/:code", public)
	expectAccess("GET /people/:id/progress", ownerChainAndHR)
	// Granting attempts: HR for anyone, a manager for their team (the
	// fixture's manager is not the person's); an empty form is refused.
	expectAccess("POST /people/:id/attempts", access{Anonymous: http.StatusUnauthorized, Learner: http.StatusForbidden, Manager: http.StatusForbidden, HRAdmin: http.StatusUnprocessableEntity})
}

// TestProgressAndCertificateAccess: a person's progress and certificates are
// for them, their managers up the chain and HR; anyone else gets 403.
func TestProgressAndCertificateAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	boss, bossClient := newLearner(t, env, "boss@example.org", "Big", "Boss", people.RoleManager)
	lead, leadClient := newLearner(t, env, "lead@example.org", "Team", "Lead", people.RoleManager)
	ada, adaClient := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	_, otherClient := newLearner(t, env, "bob@example.org", "Bob", "Other", people.RoleLearner)
	_, hrClient := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	env.App.DB.Model(&people.Employee{}).Where("id = ?", lead.ID).Update("manager_id", boss.ID)
	env.App.DB.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("manager_id", lead.ID)

	assignBasic(t, env, ada)
	cert, err := env.App.Learning.CompleteCourse(ctx, ada, "basic")
	if err != nil || cert == nil {
		t.Fatalf("complete course: %v", err)
	}
	certURL := "/certificates/" + cert.Code
	progressURL := "/people/" + ada.ID + "/progress"

	for name, c := range map[string]*apptest.Client{"self": adaClient, "manager": leadClient, "manager's manager": bossClient, "HR": hrClient} {
		res := c.Get(progressURL)
		mustStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "Basic Training") || learnerDoc(t, res).Find("[data-testid=certificates] tbody tr").Length() != 1 {
			t.Errorf("%s: progress page lacks the course or the certificate", name)
		}
		mustStatus(t, c.Get(certURL), http.StatusOK)
		mustStatus(t, c.Get(certURL+"/pdf"), http.StatusOK)
	}
	mustStatus(t, otherClient.Get(progressURL), http.StatusForbidden)
	mustStatus(t, otherClient.Get(certURL), http.StatusForbidden)
	mustStatus(t, otherClient.Get(certURL+"/pdf"), http.StatusForbidden)
	// A manager sees down, never up.
	mustStatus(t, adaClient.Get("/people/"+lead.ID+"/progress"), http.StatusForbidden)
	// Anonymous visitors are sent to sign in.
	if res := env.Client().Get(certURL); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous certificate request: %d", res.StatusCode)
	}
	mustStatus(t, hrClient.Get("/certificates/ABCD-EFGH-JK"), http.StatusNotFound)
}

// TestCourseNotAssigned: without a cycle the course pages say so (404).
func TestCourseNotAssigned(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, c := newLearner(t, env, "new@example.org", "New", "Starter", people.RoleLearner)
	res := c.Get("/")
	mustStatus(t, res, http.StatusOK)
	if got := learnerDoc(t, res).Find("[data-testid=empty-state]").Text(); got != "Nothing is assigned to you right now." {
		t.Errorf("empty state = %q", got)
	}
	for _, p := range []string{"/courses/basic", "/courses/basic/modules/basics", basicStep + "welcome", "/courses/nope"} {
		res := c.Get(p)
		mustStatus(t, res, http.StatusNotFound)
		if !strings.Contains(learnerDoc(t, res).Text(), "This course isn't assigned to you") {
			t.Errorf("%s: the 404 does not say why", p)
		}
	}
	mustStatus(t, c.Post(basicStep+"welcome/done", nil), http.StatusNotFound)
	if res := env.Client().Get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous dashboard: %d, want a redirect to sign in", res.StatusCode)
	}
}

// TestDashboardOverdueAndProgress: past the due day the course shows as
// overdue, with the progress the learner made and the way back in.
func TestDashboardOverdueAndProgress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "late@example.org", "Lou", "Late", people.RoleLearner)
	assignBasic(t, env, emp)
	if _, err := env.App.Learning.CompleteStep(context.Background(), emp, "basic", "basics", "welcome"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(40 * 24 * time.Hour)
	c.Login("late@example.org", learnerPassword) // the session went idle
	res := c.Get("/")
	card := learnerDoc(t, res).Find(`[data-testid=course-card][data-course=basic]`)
	if got := card.Find("[data-testid=status]").Text(); got != "Overdue" {
		t.Errorf("status = %q, want Overdue", got)
	}
	if !strings.Contains(card.Text(), "Was due 1 April 2026") || !strings.Contains(card.Text(), "1 of 5 steps done") {
		t.Errorf("card = %q", card.Text())
	}
	if href, _ := card.Find("[data-testid=course-action]").Attr("href"); href != "/courses/basic/modules/basics" {
		t.Errorf("continue goes to %q", href)
	}
	if !strings.Contains(card.Text(), "assigned by the test") {
		t.Error("the date explanation is missing")
	}
	mustRedirect(t, c.Get("/courses/basic/modules/basics"), basicStep+"scenario")
	res = c.Get("/courses/basic")
	mustStatus(t, res, http.StatusOK)
	if learnerDoc(t, res).Find("[data-testid=modules] > li").Length() != 3 {
		t.Error("the course page does not list the three modules")
	}
}

// TestDashboardOverdueFirst: an overdue course comes before one due later,
// whatever the order of the due dates.
func TestDashboardOverdueFirst(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "two@example.org", "Tess", "Two", people.RoleLearner)
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		// A course that has since left the catalog, overdue a week ago.
		if err := tx.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES ('retired', 'Retired course', ?, ?)", now, now).Error; err != nil {
			return err
		}
		if _, err := compliance.Assign(tx, emp.ID, "basic", now, now.AddDate(0, 0, 30), "test"); err != nil {
			return err
		}
		_, err := compliance.Assign(tx, emp.ID, "retired", now.AddDate(0, 0, -60), now.AddDate(0, 0, -7), "test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	learnerDoc(t, c.Get("/")).Find("[data-testid=course-card]").Each(func(_ int, s *goquerySelection) {
		order = append(order, s.AttrOr("data-course", "")+":"+s.Find("[data-testid=status]").Text())
	})
	if strings.Join(order, " ") != "retired:Overdue basic:Due 1 April 2026" {
		t.Errorf("dashboard order = %v", order)
	}
}
