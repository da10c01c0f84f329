package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// importOne imports one new person through HR's browser import and runs a
// scheduler pass, and returns them.
func importOne(t *testing.T, env *apptest.Env, c *apptest.Client) *people.Employee {
	t.Helper()
	st := previewStaff(t, c, staffCSV("E77,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,,2026-02-20,"), false)
	mustStatus(t, applyStaff(t, c, st), http.StatusOK)
	if _, err := env.App.Scheduler.RunOnce(context.Background(), env.Clock.Now()); err != nil {
		t.Fatalf("scheduler pass: %v", err)
	}
	emp, err := env.App.People.ByEmail(context.Background(), "nia@example.org")
	if err != nil {
		t.Fatalf("imported person: %v", err)
	}
	return emp
}

// An imported person's first e-mail carries a set-password link that works;
// the next e-mail, while that link still works, does not make another.
func TestImportedPersonFirstEmailCarriesSetPasswordLink(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	emp := importOne(t, env, c)
	texts := outboxTexts(t, env, emp.ID, "")
	if len(texts) != 1 {
		t.Fatalf("e-mails to the imported person: %d, want 1", len(texts))
	}
	if !strings.Contains(texts[0], "First, set your password") || !strings.Contains(texts[0], "Basic Training") {
		t.Errorf("the first e-mail does not carry the link above its news:\n%s", texts[0])
	}
	link := linkIn(t, env, texts[0], "/invite/")

	// A later e-mail (a completion, say, or the course assigned again) does
	// not spoil or repeat the link.
	if _, err := env.App.Scheduler.RunOnce(context.Background(), env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var links int64
	env.App.DB.Table("invitations").Where("employee_id = ?", emp.ID).Count(&links)
	if links != 1 {
		t.Errorf("set-password links made: %d, want 1", links)
	}

	nc := env.Client()
	res := nc.Get(link)
	authWantStatus(t, res, http.StatusOK)
	const pw = "tidal lantern orchard 19"
	authWantRedirect(t, nc.Post(link, url.Values{"password": {pw}, "password_confirm": {pw}}), "/")
	if !authSignedIn(t, nc) {
		t.Fatal("not signed in after setting the password")
	}
	again := env.Client()
	again.Login("nia@example.org", pw)
	authWantStatus(t, again.Get(link), http.StatusGone)
}

// With ONRAMP_INVITE_NEW_PEOPLE=off (single sign-on) nobody's e-mail
// carries a set-password link and no link is made.
func TestInviteNewPeopleOffSendsNoLink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.InviteNewPeople = false }})
	_, c := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	emp := importOne(t, env, c)
	texts := outboxTexts(t, env, emp.ID, "")
	if len(texts) != 1 {
		t.Fatalf("e-mails to the imported person: %d, want 1", len(texts))
	}
	if strings.Contains(texts[0], "/invite/") || strings.Contains(texts[0], "set your password") {
		t.Errorf("the e-mail carries a set-password link:\n%s", texts[0])
	}
	var links int64
	env.App.DB.Table("invitations").Count(&links)
	if links != 0 {
		t.Errorf("set-password links made: %d, want 0", links)
	}
}

// HR filters People by "has not set a password", selects people and sends
// each a set-password link by e-mail, audited; an inactive person is
// skipped; a learner cannot send them.
func TestBulkInvitationsFromThePeopleList(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	a := env.CreateEmployee("ada@example.org", "Ada", "Achebe", people.RoleLearner, "")
	b := env.CreateEmployee("ben@example.org", "Ben", "Bello", people.RoleLearner, "")
	gone := env.CreateEmployee("gone@example.org", "Gus", "Gone", people.RoleLearner, "")
	env.App.DB.Model(&people.Employee{}).Where("id = ?", gone.ID).Update("status", people.StatusInactive)

	res := c.Get("/admin/people?password=unset&status=all")
	mustStatus(t, res, http.StatusOK)
	doc := authDoc(t, res)
	listed := doc.Find("[data-testid=person-row]").Text()
	if !strings.Contains(listed, "Ada") || !strings.Contains(listed, "Ben") || strings.Contains(listed, "Hana") {
		t.Errorf("the no-password filter lists:\n%s", listed)
	}
	if doc.Find(`#password[checked]`).Length() != 1 {
		t.Error("the filter's checkbox is not kept checked")
	}
	if doc.Find("[data-testid=bulk-invite-form] input[name=csrf_token]").Length() != 1 {
		t.Error("the bulk form has no CSRF token")
	}

	res = c.Post("/admin/people/invitations", url.Values{"id": {a.ID, b.ID, gone.ID}})
	mustStatus(t, res, http.StatusOK)
	doc = authDoc(t, res)
	if got := doc.Find("[data-testid=bulk-invited]").Text(); !strings.Contains(got, "2 people") {
		t.Errorf("answer: %q", got)
	}
	for _, e := range []*people.Employee{a, b} {
		texts := outboxTexts(t, env, e.ID, notify.KindInvitation)
		if len(texts) != 1 {
			t.Errorf("%s: invitation e-mails %d, want 1", e.Email, len(texts))
			continue
		}
		linkIn(t, env, texts[0], "/invite/")
	}
	if n := len(outboxTexts(t, env, gone.ID, notify.KindInvitation)); n != 0 {
		t.Errorf("the inactive person got %d invitations", n)
	}
	var n int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND actor_id = ? AND entity_id IN ?", audit.ActionInvite, hr.ID, []string{a.ID, b.ID}).Count(&n)
	if n != 2 {
		t.Errorf("invite audit entries: %d, want 2", n)
	}

	res = c.Post("/admin/people/invitations", url.Values{})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if authDoc(t, res).Find("[data-testid=error-summary]").Length() != 1 {
		t.Error("an empty selection has no error summary")
	}

	_, learner := newLearner(t, env, "lee@example.org", "Lee", "Learner", people.RoleLearner)
	mustStatus(t, learner.Post("/admin/people/invitations", url.Values{"id": {a.ID}}), http.StatusForbidden)
	if n := len(outboxTexts(t, env, a.ID, notify.KindInvitation)); n != 1 {
		t.Errorf("after a learner's try: %d invitations, want 1", n)
	}
}
