package httpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/scim"
)

// The SCIM tests call /scim/v2 over HTTP as an identity provider would,
// with the bodies of RFC 7643 §8 and RFC 7644 §3, Entra ID's PATCH and
// Okta's PUT, on SQLite and (with ONRAMP_TEST_DATABASE_URL) PostgreSQL.

type scimEnv struct {
	t     *testing.T
	env   *apptest.Env
	token string
	name  string
}

func newSCIMEnv(t *testing.T) *scimEnv {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	_, secret := apiToken(t, env, "Entra ID provisioning", apitoken.ScopeSCIM)
	return &scimEnv{t: t, env: env, token: secret, name: "Entra ID provisioning"}
}

// scimResponse is a SCIM answer with its body decoded.
type scimResponse struct {
	*apptest.Response
	JSON map[string]any
}

// call sends one SCIM request with the env's token and extra headers
// ("Name: value").
func (s *scimEnv) call(method, path, body string, headers ...string) *scimResponse {
	return s.callWith(s.token, method, path, body, headers...)
}

func (s *scimEnv) callWith(token, method, path, body string, headers ...string) *scimResponse {
	s.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.env.Server.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", scim.ContentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := &scimResponse{Response: &apptest.Response{Response: res, Body: string(b)}}
	if len(b) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), scim.ContentType) {
		if err := json.Unmarshal(b, &out.JSON); err != nil {
			s.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, b)
		}
	}
	return out
}

// want fails the test unless the response has the status and, for a body,
// SCIM's media type.
func (r *scimResponse) want(t *testing.T, status int) *scimResponse {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode, status, r.Body)
	}
	if r.Body != "" && !strings.HasPrefix(r.Header.Get("Content-Type"), scim.ContentType) {
		t.Fatalf("%s %s: Content-Type %q, want %s", r.Request.Method, r.Request.URL.Path, r.Header.Get("Content-Type"), scim.ContentType)
	}
	return r
}

// wantError checks an error in RFC 7644 §3.12's format.
func (r *scimResponse) wantError(t *testing.T, status int, scimType string) {
	t.Helper()
	r.want(t, status)
	schemas, _ := r.JSON["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != scim.MessageError {
		t.Errorf("error schemas = %v", r.JSON["schemas"])
	}
	if r.JSON["status"] != fmt.Sprint(status) {
		t.Errorf("error status = %#v, want the string %q", r.JSON["status"], fmt.Sprint(status))
	}
	if got, _ := r.JSON["scimType"].(string); got != scimType {
		t.Errorf("scimType = %q, want %q; body %s", got, scimType, r.Body)
	}
	if d, _ := r.JSON["detail"].(string); d == "" {
		t.Errorf("error without detail: %s", r.Body)
	}
}

// path reads a value from a decoded body: "name.givenName",
// "emails.0.value", or an extension key through ext().
func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// bjensenJSON is RFC 7644 §3.3's create request with the enterprise
// extension (RFC 7643 §8.3), reduced to what Onramp keeps plus a few it
// does not.
const bjensenJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "userName": "bjensen@example.com",
  "externalId": "bjensen",
  "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
  "displayName": "Babs Jensen",
  "nickName": "Babs",
  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
  "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
  "title": "Tour Guide",
  "timezone": "America/Los_Angeles",
  "active": true,
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984", "department": "Tour Operations", "organization": "Universal Studios"
  }
}`

func TestSCIMUserLifecycle(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	ctx := context.Background()

	// Create (RFC 7644 §3.3): 201, Location, ETag and meta.
	res := s.call(http.MethodPost, "/scim/v2/Users", bjensenJSON).want(t, http.StatusCreated)
	u := res.JSON
	id, _ := u["id"].(string)
	if id == "" {
		t.Fatalf("created user without id: %s", res.Body)
	}
	base := s.env.Server.URL + "/scim/v2"
	if loc := res.Header.Get("Location"); loc != base+"/Users/"+id {
		t.Errorf("Location = %q", loc)
	}
	meta, _ := u["meta"].(map[string]any)
	if meta["resourceType"] != "User" || meta["location"] != base+"/Users/"+id || meta["created"] == nil || meta["lastModified"] == nil {
		t.Errorf("meta = %v", meta)
	}
	if etag := res.Header.Get("ETag"); etag == "" || etag != meta["version"] {
		t.Errorf("ETag %q, meta.version %v", etag, meta["version"])
	}
	ext := scim.SchemaEnterpriseUser
	for k, want := range map[string]any{
		"userName": "bjensen@example.com", "externalId": "bjensen", "title": "Tour Guide", "timezone": "America/Los_Angeles",
		"active": true, "displayName": "Barbara Jensen",
	} {
		if u[k] != want {
			t.Errorf("%s = %#v, want %#v", k, u[k], want)
		}
	}
	if path(u, "name", "givenName") != "Barbara" || path(u, "emails", "0", "value") != "bjensen@example.com" ||
		path(u, ext, "employeeNumber") != "701984" || path(u, ext, "department") != "Tour Operations" {
		t.Errorf("created user = %s", res.Body)
	}
	// It is an employee, with the details in Onramp's terms.
	emp, err := s.env.App.People.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if emp.Email != "bjensen@example.com" || emp.FirstName != "Barbara" || emp.LastName != "Jensen" || *emp.EmployeeNumber != "701984" ||
		emp.JobTitle != "Tour Guide" || emp.Department != "Tour Operations" || emp.TimeZone != "America/Los_Angeles" || emp.Role != people.RoleLearner {
		t.Errorf("employee = %+v", emp)
	}

	// Get (RFC 7644 §3.4.1); If-None-Match with the version: 304.
	got := s.call(http.MethodGet, "/scim/v2/Users/"+id, "").want(t, http.StatusOK)
	if got.JSON["userName"] != "bjensen@example.com" || path(got.JSON, "meta", "version") != meta["version"] {
		t.Errorf("get = %s", got.Body)
	}
	s.call(http.MethodGet, "/scim/v2/Users/"+id, "", "If-None-Match: "+res.Header.Get("ETag")).want(t, http.StatusNotModified)

	// Filters (RFC 7644 §3.4.2.2) as identity providers send them.
	for _, f := range []string{
		`userName eq "bjensen@example.com"`, `userName eq "BJensen@Example.com"`, `externalId eq "bjensen"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, `emails.value eq "bjensen@example.com"`,
	} {
		list := s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, http.StatusOK).JSON
		if list["totalResults"] != float64(1) || path(list, "Resources", "0", "id") != id || path(list, "schemas", "0") != scim.MessageListResponse {
			t.Errorf("filter %s: %v", f, list)
		}
	}
	// externalId is caseExact; nobody matches: an empty list, not a 404.
	for _, f := range []string{`externalId eq "BJENSEN"`, `userName eq "nobody@example.com"`} {
		list := s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, http.StatusOK).JSON
		if list["totalResults"] != float64(0) || len(list["Resources"].([]any)) != 0 {
			t.Errorf("filter %s: %v", f, list)
		}
	}

	// The same userName again: 409 uniqueness (RFC 7644 §3.3).
	dup := strings.Replace(bjensenJSON, `"701984"`, `"701999"`, 1)
	dup = strings.Replace(dup, `"value": "bjensen@example.com"`, `"value": "other@example.com"`, 1)
	s.call(http.MethodPost, "/scim/v2/Users", dup).wantError(t, http.StatusConflict, scim.TypeUniqueness)

	// A session to see deactivation end it.
	if _, err := s.env.App.Auth.CreateSession(ctx, id, "192.0.2.1", "test"); err != nil {
		t.Fatal(err)
	}
	// Entra ID disables a user: PATCH active "False".
	res = s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"False"}]}`).want(t, http.StatusOK)
	if res.JSON["active"] != false {
		t.Errorf("after PATCH active False: active = %v", res.JSON["active"])
	}
	if n := countRows(t, s.env, "sessions", "employee_id = ?", id); n != 0 {
		t.Errorf("%d sessions left after deactivation, want 0", n)
	}
	if n := countRows(t, s.env, "cycles", "employee_id = ? AND status = 'closed'", id); n == 0 {
		t.Error("deactivation closed no open cycle (the rules were not re-run)")
	}
	// And enables them again.
	res = s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","value":{"active":true}}]}`).want(t, http.StatusOK)
	if res.JSON["active"] != true {
		t.Errorf("after PATCH active true: %v", res.JSON["active"])
	}

	// Delete (RFC 7644 §3.6): 204, then 404 everywhere; the person stays,
	// inactive, with their records, and is signed out at once.
	if _, err := s.env.App.Auth.CreateSession(ctx, id, "192.0.2.1", "test"); err != nil {
		t.Fatal(err)
	}
	s.call(http.MethodDelete, "/scim/v2/Users/"+id, "").want(t, http.StatusNoContent)
	if n := countRows(t, s.env, "sessions", "employee_id = ?", id); n != 0 {
		t.Errorf("%d sessions left after DELETE, want 0", n)
	}
	s.call(http.MethodGet, "/scim/v2/Users/"+id, "").wantError(t, http.StatusNotFound, "")
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"x"}]}`).
		wantError(t, http.StatusNotFound, "")
	s.call(http.MethodDelete, "/scim/v2/Users/"+id, "").wantError(t, http.StatusNotFound, "")
	list := s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "bjensen@example.com"`), "").want(t, http.StatusOK).JSON
	if list["totalResults"] != float64(0) {
		t.Errorf("a deleted user is still listed: %v", list)
	}
	emp, err = s.env.App.People.ByID(ctx, id)
	if err != nil || emp.Status != people.StatusInactive {
		t.Fatalf("after DELETE the employee is %+v, %v; want kept and inactive", emp, err)
	}
	if n := countRows(t, s.env, "cycles", "employee_id = ?", id); n == 0 {
		t.Error("the training records went with the DELETE")
	}

	// Every change is in the audit trail, by the token.
	var entries []audit.Entry
	if err := s.env.App.DB.Where("entity_type = ? AND entity_id = ?", "employee", id).Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.ActorName != "SCIM token “Entra ID provisioning”" {
			t.Errorf("audit entry %q by %q", e.Summary, e.ActorName)
		}
	}
	if strings.Join(actions, ",") != "create,deactivate,update,deactivate" {
		t.Errorf("audit actions = %v", actions)
	}
}

func countRows(t *testing.T, env *apptest.Env, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
