package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
)

// auditJourney takes the learner through the fixture course over HTTP as a
// person would: both pages, a failed then a passed quiz attempt, the whole
// video, and the signature.
func auditJourney(t *testing.T, env *apptest.Env, c *apptest.Client, typedName string) {
	t.Helper()
	mustStatus(t, c.Post(basicStep+"welcome/done", nil), http.StatusSeeOther)
	mustStatus(t, c.Post(basicStep+"scenario/done", nil), http.StatusSeeOther)
	for _, right := range []bool{false, true} {
		attemptURL := location(t, c.Post(basicStep+"check/quiz", nil))
		res := c.Get(attemptURL)
		mustStatus(t, res, http.StatusOK)
		mustRedirect(t, c.Post(attemptURL, answers(t, env, learnerDoc(t, res), right)), attemptURL)
	}
	mustStatus(t, c.Get(videoStep), http.StatusOK)
	watchHonestly(t, env, c, basicCourse(t, env).Module("video").Step("watch").Video.DurationSeconds)
	mustRedirect(t, c.Post(policyStep+"/acknowledge", url.Values{"agree": {"yes"}, "full_name": {typedName}}), "/courses/basic/finished")
}

// auditRows returns the seq numbers and actions shown on an audit page.
func auditRows(t *testing.T, res *apptest.Response) ([]int64, []string) {
	t.Helper()
	mustStatus(t, res, http.StatusOK)
	var seqs []int64
	var actions []string
	learnerDoc(t, res).Find("[data-testid=audit] tbody tr").Each(func(_ int, s *goquerySelection) {
		n, _ := strconv.ParseInt(s.AttrOr("data-seq", ""), 10, 64)
		seqs = append(seqs, n)
		actions = append(actions, strings.TrimSpace(s.Find(".badge").Text()))
	})
	return seqs, actions
}

func TestCompletionAndAttestationAreAudited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ada, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	cycle := assignBasic(t, env, ada)
	auditJourney(t, env, c, "ada  lovelace")

	var entries []audit.Entry
	if err := env.App.DB.Where("action IN ?", []string{audit.ActionAttest, audit.ActionComplete}).Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("audit entries = %+v, want the signature then the completion", entries)
	}
	att, done := entries[0], entries[1]
	if att.Action != audit.ActionAttest || att.ActorID != ada.ID || att.ActorName != "Ada Lovelace" || att.EntityType != "attestation" ||
		!strings.Contains(att.Details, `"printed_name":"ada lovelace"`) || !strings.Contains(att.Details, `"meaning":"I have read this policy and I will follow it."`) {
		t.Errorf("attestation entry = %+v", att)
	}
	if done.Action != audit.ActionComplete || done.ActorID != ada.ID || done.EntityType != "cycle" || done.EntityID != cycle.ID ||
		!strings.Contains(done.Summary, "Basic Training") || !strings.Contains(done.Details, `"pass_mark":100`) {
		t.Errorf("completion entry = %+v", done)
	}
	// Publishing the content versions at start-up was recorded too.
	var published int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_type = ?", audit.ActionPublish, "content_version").Count(&published)
	if published != 4 { // three modules and the course
		t.Errorf("%d content versions published, want 4", published)
	}
	if res, err := audit.Verify(context.Background(), env.App.DB); err != nil || !res.OK() || res.Entries < 6 {
		t.Errorf("verify: %+v %v", res, err)
	}
}

func TestAuditPageFiltersPagesAndVerifies(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	env.Clock.Advance(24 * time.Hour) // 3 March
	ada, c := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	assignBasic(t, env, ada)
	auditJourney(t, env, c, "Ada Lovelace")
	env.Clock.Advance(24 * time.Hour) // 4 March
	hrEmp, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	store := &apitoken.Store{DB: env.App.DB}
	var tokenIDs []string
	for i := range 60 {
		tok, _, err := store.Create(ctx, apitoken.NewToken{Name: "token " + strconv.Itoa(i), Scopes: []apitoken.Scope{apitoken.ScopeReportsRead}},
			apitoken.Actor{ID: hrEmp.ID, Name: "Hana Resources"}, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		tokenIDs = append(tokenIDs, tok.ID)
	}
	var total int64
	env.App.DB.Model(&audit.Entry{}).Count(&total)

	// Newest first, 50 a page; "Older" then "Newer" walk back and forth.
	seqs, _ := auditRows(t, hr.Get("/admin/audit"))
	if len(seqs) != 50 || seqs[0] != total || !slices.IsSortedFunc(seqs, func(a, b int64) int { return int(b - a) }) {
		t.Fatalf("first page = %v (total %d)", seqs, total)
	}
	doc := learnerDoc(t, hr.Get("/admin/audit"))
	older, _ := doc.Find("[data-testid=older]").Attr("href")
	if doc.Find("[data-testid=newer]").Length() != 0 || older == "" {
		t.Fatalf("paging links on the first page: older %q", older)
	}
	seqs2, _ := auditRows(t, hr.Get(older))
	if len(seqs2) != int(total)-50 || seqs2[0] != seqs[49]-1 || seqs2[len(seqs2)-1] != 1 {
		t.Errorf("second page = %v", seqs2)
	}
	newer, _ := learnerDoc(t, hr.Get(older)).Find("[data-testid=newer]").Attr("href")
	if back, _ := auditRows(t, hr.Get(newer)); !slices.Equal(back, seqs) {
		t.Errorf("newer from the second page = %v, want the first page", back)
	}

	// Filters.
	_, actions := auditRows(t, hr.Get("/admin/audit?action=attest"))
	if !slices.Equal(actions, []string{"attest"}) {
		t.Errorf("action=attest: %v", actions)
	}
	if seqs, _ := auditRows(t, hr.Get("/admin/audit?entity_type=token")); len(seqs) != 50 {
		t.Errorf("entity_type=token: %d rows", len(seqs))
	}
	_, actions = auditRows(t, hr.Get("/admin/audit?actor=ada+LOVE"))
	if !slices.Equal(actions, []string{"complete", "attest"}) {
		t.Errorf("actor=ada love: %v", actions)
	}
	if seqs, _ := auditRows(t, hr.Get("/admin/audit?actor="+ada.ID)); len(seqs) != 2 {
		t.Errorf("actor by ID: %v", seqs)
	}
	res := hr.Get("/admin/audit?q=" + tokenIDs[7])
	if seqs, _ := auditRows(t, res); len(seqs) != 1 || !strings.Contains(res.Body, "token 7") {
		t.Errorf("q=<token ID>: %v", seqs)
	}
	if _, actions := auditRows(t, hr.Get("/admin/audit?q="+url.QueryEscape("token 1"))); len(actions) != 11 { // token 1, 10–19
		t.Errorf("q=token 1: %d rows", len(actions))
	}
	// A % is a character, not a wildcard.
	if seqs, _ := auditRows(t, hr.Get("/admin/audit?q=%25")); len(seqs) != 0 {
		t.Errorf("q=%%: %d rows", len(seqs))
	}
	// The date range: 3 March holds the journey, 4 March the tokens.
	_, actions = auditRows(t, hr.Get("/admin/audit?from=2026-03-03&to=2026-03-03"))
	if !slices.Equal(actions, []string{"complete", "attest"}) {
		t.Errorf("3 March: %v", actions)
	}
	if seqs, _ := auditRows(t, hr.Get("/admin/audit?from=2026-03-04&entity_type=token&action=create")); len(seqs) != 50 {
		t.Errorf("from 4 March, token creations: %d", len(seqs))
	}
	if seqs, _ := auditRows(t, hr.Get("/admin/audit?to=2026-03-01")); len(seqs) != 0 {
		t.Errorf("before any entry: %v", seqs)
	}
	for _, bad := range []string{"from=yesterday", "action=delete", "from=2026-03-05&to=2026-03-01"} {
		res := hr.Get("/admin/audit?" + bad)
		mustStatus(t, res, http.StatusBadRequest)
		if learnerDoc(t, res).Find("[data-testid=filter-error]").Length() != 1 {
			t.Errorf("%s: no explanation", bad)
		}
	}
	// The details are shown, indented.
	res = hr.Get("/admin/audit?action=attest")
	if pre := learnerDoc(t, res).Find(".audit-details pre").Text(); !strings.Contains(pre, "\n  \"printed_name\": \"Ada Lovelace\"") {
		t.Errorf("details = %q", pre)
	}

	// Verify the chain: it holds; then a changed entry is named.
	res = hr.Post("/admin/audit/verify", nil)
	mustStatus(t, res, http.StatusOK)
	if got := learnerDoc(t, res).Find("[data-testid=verify-ok]").Text(); !strings.Contains(got, "all "+strconv.FormatInt(total, 10)+" entries") {
		t.Errorf("verify OK says %q", got)
	}
	var attest audit.Entry
	if err := env.App.DB.Where("action = ?", audit.ActionAttest).Take(&attest).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Exec("UPDATE audit_log SET details = ? WHERE seq = ?", `{"printed_name":"Someone Else"}`, attest.Seq).Error; err != nil {
		t.Fatal(err)
	}
	res = hr.Post("/admin/audit/verify", nil)
	mustStatus(t, res, http.StatusOK)
	doc = learnerDoc(t, res)
	if got := doc.Find("[data-testid=broken-seq]").Text(); got != strconv.FormatInt(attest.Seq, 10) || doc.Find("[data-testid=verify-ok]").Length() != 0 {
		t.Errorf("verify after tampering: broken entry %q, want %d", got, attest.Seq)
	}
}
