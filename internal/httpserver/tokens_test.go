package httpserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

func TestTokensPageCreatesShowsOnceAndRevokes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)

	res := hr.Get("/admin/tokens")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if doc.Find("[data-testid=tokens-empty]").Length() != 1 || doc.Find("input[name=scope]").Length() != len(apitoken.Scopes) {
		t.Error("the empty page lacks its message or a box per scope")
	}

	// Refused: no name, no scope; what was chosen is kept.
	res = hr.Post("/admin/tokens", url.Values{"name": {" "}, "scope": {"reports:read"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc = learnerDoc(t, res)
	if doc.Find("[data-testid=token-errors] li").Length() != 1 || doc.Find("input[value='reports:read']").AttrOr("checked", "none") == "none" {
		t.Errorf("refusal page: %q", doc.Find("[data-testid=token-errors]").Text())
	}
	mustStatus(t, hr.Post("/admin/tokens", url.Values{"name": {"x"}}), http.StatusUnprocessableEntity)
	mustStatus(t, hr.Post("/admin/tokens", url.Values{"name": {"x"}, "scope": {"everything"}}), http.StatusUnprocessableEntity)
	mustStatus(t, hr.Post("/admin/tokens", url.Values{"name": {"x"}, "scope": {"reports:read"}, "expires_at": {"2020-01-01"}}), http.StatusUnprocessableEntity)

	// Created: the secret is on this page, and on no other.
	res = hr.Post("/admin/tokens", url.Values{"name": {"Workday sync"}, "scope": {"assignments:read", "completions:read"}, "expires_at": {"2027-01-31"}})
	mustStatus(t, res, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the page with the secret may be cached: %q", cc)
	}
	doc = learnerDoc(t, res)
	secret, _ := doc.Find("[data-testid=secret]").Attr("value")
	if !strings.HasPrefix(secret, "onr_") {
		t.Fatalf("no secret on the page:\n%s", doc.Find("main").Text())
	}
	row := doc.Find("[data-testid=tokens] tbody tr")
	if row.Length() != 1 || !strings.Contains(row.Text(), "Workday sync") || !strings.Contains(row.Text(), "completions:read") ||
		!strings.Contains(row.Text(), "1 Feb 2027") {
		t.Errorf("token row = %q", row.Text())
	}
	if again := hr.Get("/admin/tokens"); strings.Contains(again.Body, secret) {
		t.Error("the list shows the secret again")
	}

	apiJSON(t, apiCall(t, env, "GET", "/api/v1/completions", "Bearer "+secret, ""), http.StatusOK, nil)
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/reports/status", "Bearer "+secret, ""), http.StatusForbidden, nil)
	res = hr.Get("/admin/tokens")
	if !strings.Contains(learnerDoc(t, res).Find("[data-testid=tokens] tbody tr").Text(), "2 Mar 2026 09:00 UTC") {
		t.Error("the list does not show when the token was last used")
	}

	// Revoked: it stops working at once.
	id, _ := learnerDoc(t, res).Find("[data-testid=tokens] tbody tr").Attr("data-token")
	mustRedirect(t, hr.Post("/admin/tokens/"+id+"/revoke", nil), "/admin/tokens")
	apiJSON(t, apiCall(t, env, "GET", "/api/v1/completions", "Bearer "+secret, ""), http.StatusUnauthorized, nil)
	res = hr.Get("/admin/tokens")
	doc = learnerDoc(t, res)
	if !strings.Contains(doc.Find("[data-testid=tokens] tbody tr").Text(), "revoked") || doc.Find("form[action$='/revoke']").Length() != 0 {
		t.Error("the revoked token still looks active")
	}
	mustStatus(t, hr.Post("/admin/tokens/nope/revoke", nil), http.StatusNotFound)
}
