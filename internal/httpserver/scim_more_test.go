package httpserver_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/scim"
)

func TestSCIMDiscovery(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	base := s.env.Server.URL + "/scim/v2"
	// RFC 7644 §4: ServiceProviderConfig.
	spc := s.call(http.MethodGet, "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusOK).JSON
	if path(spc, "schemas", "0") != scim.SchemaServiceProviderConfig || path(spc, "patch", "supported") != true ||
		path(spc, "filter", "supported") != true || path(spc, "filter", "maxResults") != float64(scim.MaxResults) ||
		path(spc, "bulk", "supported") != false || path(spc, "etag", "supported") != true ||
		path(spc, "authenticationSchemes", "0", "type") != "oauthbearertoken" || path(spc, "meta", "location") != base+"/ServiceProviderConfig" {
		t.Errorf("ServiceProviderConfig = %v", spc)
	}
	// ResourceTypes: User, with the enterprise extension.
	rts := s.call(http.MethodGet, "/scim/v2/ResourceTypes", "").want(t, http.StatusOK).JSON
	if rts["totalResults"] != float64(1) || path(rts, "Resources", "0", "endpoint") != "/Users" ||
		path(rts, "Resources", "0", "schemaExtensions", "0", "schema") != scim.SchemaEnterpriseUser {
		t.Errorf("ResourceTypes = %v", rts)
	}
	if rt := s.call(http.MethodGet, "/scim/v2/ResourceTypes/User", "").want(t, http.StatusOK).JSON; rt["schema"] != scim.SchemaUser {
		t.Errorf("ResourceTypes/User = %v", rt)
	}
	s.call(http.MethodGet, "/scim/v2/ResourceTypes/Group", "").wantError(t, http.StatusNotFound, "")
	// Schemas: the core User and the enterprise extension, with the
	// attributes Onramp keeps.
	schemas := s.call(http.MethodGet, "/scim/v2/Schemas", "").want(t, http.StatusOK).JSON
	if schemas["totalResults"] != float64(2) {
		t.Errorf("Schemas = %v", schemas)
	}
	ent := s.call(http.MethodGet, "/scim/v2/Schemas/"+scim.SchemaEnterpriseUser, "").want(t, http.StatusOK).JSON
	var names []string
	for _, a := range ent["attributes"].([]any) {
		names = append(names, a.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "employeeNumber,department,manager" {
		t.Errorf("enterprise attributes = %v", names)
	}
	user := s.call(http.MethodGet, "/scim/v2/Schemas/"+scim.SchemaUser, "").want(t, http.StatusOK).JSON
	if !strings.Contains(user["attributes"].([]any)[1].(map[string]any)["name"].(string), "userName") {
		t.Errorf("User schema = %v", user)
	}
	// Other addresses (Groups, which Onramp does not serve) and methods
	// answer in SCIM's error format too.
	s.call(http.MethodGet, "/scim/v2/Groups", "").wantError(t, http.StatusNotFound, "")
	s.call(http.MethodGet, "/scim/v2/Schemas/urn:example:nothing", "").wantError(t, http.StatusNotFound, "")
	s.call(http.MethodDelete, "/scim/v2/Users", "").wantError(t, http.StatusNotFound, "")
}

// TestSCIMTokens: only a token with the scim scope reaches /scim/v2, and it
// reaches nothing else; a scim token holds no other scope.
func TestSCIMTokens(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	// No token, a wrong one: 401 with a Bearer challenge, in SCIM's format.
	res := s.callWith("", http.MethodGet, "/scim/v2/Users", "")
	res.wantError(t, http.StatusUnauthorized, "")
	if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("WWW-Authenticate = %q", res.Header.Get("WWW-Authenticate"))
	}
	s.callWith("onr_not-a-token", http.MethodGet, "/scim/v2/Users", "").wantError(t, http.StatusUnauthorized, "")
	// An HR system's token: 403 at /scim/v2.
	_, apiSecret := apiToken(t, s.env, "Workday", apiAllScopes()...)
	s.callWith(apiSecret, http.MethodPost, "/scim/v2/Users", bjensenJSON).wantError(t, http.StatusForbidden, "")
	if n := countRows(t, s.env, "employees", "email = ?", "bjensen@example.com"); n != 0 {
		t.Error("an API token provisioned someone through SCIM")
	}
	// The scim token: 403 at every /api/v1 route.
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/assignments", ""},
		{http.MethodGet, "/api/v1/completions", ""},
		{http.MethodGet, "/api/v1/reports/status", ""},
		{http.MethodPut, "/api/v1/employees/E1", `{"email":"e1@example.org","first_name":"E","last_name":"One"}`},
		{http.MethodPost, "/api/v1/employees", `{"employees":[]}`},
	} {
		if res := apiCall(t, s.env, r.method, r.path, "Bearer "+s.token, r.body); res.StatusCode != http.StatusForbidden {
			t.Errorf("scim token at %s %s: %d, want 403", r.method, r.path, res.StatusCode)
		}
	}
	// A token cannot hold scim and another scope.
	_, _, err := (&apitoken.Store{DB: s.env.App.DB}).Create(context.Background(),
		apitoken.NewToken{Name: "both", Scopes: []apitoken.Scope{apitoken.ScopeSCIM, apitoken.ScopeEmployeesWrite}},
		apitoken.Actor{Name: "the test"}, s.env.Clock.Now())
	if ie, ok := err.(*apitoken.InputError); !ok || ie.Field != "scopes" {
		t.Errorf("scim with employees:write: %v, want a scopes error", err)
	}
	// A revoked scim token stops at once.
	tok, secret := apiToken(t, s.env, "to revoke", apitoken.ScopeSCIM)
	s.callWith(secret, http.MethodGet, "/scim/v2/Users", "").want(t, http.StatusOK)
	if _, err := (&apitoken.Store{DB: s.env.App.DB}).Revoke(context.Background(), tok.ID, apitoken.Actor{Name: "the test"}, s.env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s.callWith(secret, http.MethodGet, "/scim/v2/Users", "").wantError(t, http.StatusUnauthorized, "")
}

// oktaUser is the body Okta's SCIM 2.0 integration sends on create and on
// every profile push (PUT, the whole user).
func oktaUser(id, title, dept string, active bool, manager string) string {
	idField := ""
	if id != "" {
		idField = `"id": "` + id + `",`
	}
	mgr := ""
	if manager != "" {
		mgr = `, "manager": {"value": "` + manager + `"}`
	}
	act := "true"
	if !active {
		act = "false"
	}
	return `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  ` + idField + `
  "userName": "kim.ito@hospital.example",
  "name": {"givenName": "Kim", "familyName": "Ito"},
  "emails": [{"primary": true, "value": "kim.ito@hospital.example", "type": "work"}],
  "displayName": "Kim Ito",
  "locale": "en-US",
  "externalId": "00u1abcd2EFGH3ijk4x7",
  "groups": [],
  "password": "ignored-by-onramp",
  "title": "` + title + `",
  "active": ` + act + `,
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "K-100", "department": "` + dept + `"` + mgr + `}
}`
}

func TestSCIMOktaPutAndManager(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	ctx := context.Background()
	// The manager first, then the person with the manager's id.
	boss := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"dana.lee@hospital.example","name":{"givenName":"Dana","familyName":"Lee"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"M-1"}}`).want(t, http.StatusCreated).JSON
	bossID := boss["id"].(string)
	if path(boss, "emails", "0", "value") != "dana.lee@hospital.example" {
		t.Errorf("a userName that is an address is the e-mail when emails is absent: %v", boss["emails"])
	}
	created := s.call(http.MethodPost, "/scim/v2/Users", oktaUser("", "Staff Nurse", "ICU", true, bossID)).want(t, http.StatusCreated)
	id := created.JSON["id"].(string)
	ext := scim.SchemaEnterpriseUser
	if path(created.JSON, ext, "manager", "value") != bossID || path(created.JSON, ext, "manager", "displayName") != "Dana Lee" ||
		path(created.JSON, ext, "manager", "$ref") != s.env.Server.URL+"/scim/v2/Users/"+bossID {
		t.Errorf("manager = %v", path(created.JSON, ext, "manager"))
	}
	emp, _ := s.env.App.People.ByID(ctx, id)
	if emp.ManagerID == nil || *emp.ManagerID != bossID {
		t.Errorf("manager_id = %v, want %s", emp.ManagerID, bossID)
	}
	// Managing someone makes a learner a manager, as the staff import does.
	if b, _ := s.env.App.People.ByID(ctx, bossID); b.Role != people.RoleManager {
		t.Errorf("the manager's role is %s, want manager", b.Role)
	}

	// Okta pushes a profile change: PUT of the whole user, with If-Match.
	etag := created.Header.Get("ETag")
	put := s.call(http.MethodPut, "/scim/v2/Users/"+id, oktaUser(id, "Charge Nurse", "Emergency", true, "M-1"), "If-Match: "+etag).want(t, http.StatusOK)
	if put.JSON["title"] != "Charge Nurse" || path(put.JSON, ext, "department") != "Emergency" || path(put.JSON, ext, "manager", "value") != bossID {
		t.Errorf("after PUT: %s", put.Body)
	}
	if put.Header.Get("ETag") == etag {
		t.Error("the version did not change with the resource")
	}
	// The old version no longer matches: 412.
	s.call(http.MethodPut, "/scim/v2/Users/"+id, oktaUser(id, "Other", "Emergency", true, ""), "If-Match: "+etag).wantError(t, http.StatusPreconditionFailed, "")
	// A PUT without manager and title clears them; one without the
	// extension's employeeNumber keeps it.
	put = s.call(http.MethodPut, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"kim.ito@hospital.example","name":{"givenName":"Kim","familyName":"Ito"},
		"emails":[{"value":"kim.ito@hospital.example","primary":true}],"externalId":"00u1abcd2EFGH3ijk4x7","active":true}`).want(t, http.StatusOK)
	emp, _ = s.env.App.People.ByID(ctx, id)
	if emp.ManagerID != nil || emp.JobTitle != "" || emp.Department != "" || emp.EmployeeNumber == nil || *emp.EmployeeNumber != "K-100" {
		t.Errorf("after a PUT without them: manager %v, title %q, department %q, employee_id %v", emp.ManagerID, emp.JobTitle, emp.Department, emp.EmployeeNumber)
	}
	// Okta deactivates with a PUT active false.
	put = s.call(http.MethodPut, "/scim/v2/Users/"+id, oktaUser(id, "Charge Nurse", "Emergency", false, bossID)).want(t, http.StatusOK)
	if put.JSON["active"] != false {
		t.Errorf("after PUT active false: %v", put.JSON["active"])
	}
	if emp, _ = s.env.App.People.ByID(ctx, id); emp.Active() {
		t.Error("the employee is still active")
	}
	// A PUT naming another id is refused.
	s.call(http.MethodPut, "/scim/v2/Users/"+id, oktaUser(bossID, "x", "y", true, "")).wantError(t, http.StatusBadRequest, scim.TypeMutability)
	// An unknown manager is a 400 that says so.
	s.call(http.MethodPut, "/scim/v2/Users/"+id, oktaUser(id, "x", "y", true, "nobody")).wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
}

// TestSCIMEntraPatch: the PATCH bodies Microsoft Entra ID sends for an
// attribute change, a manager change and a disable.
func TestSCIMEntraPatch(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	mgr := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"mgr@hospital.example",
		"name":{"givenName":"Max","familyName":"Grant"},"emails":[{"value":"mgr@hospital.example","type":"work","primary":true}]}`).want(t, http.StatusCreated).JSON
	// Entra's create: userName is the UPN, the address is separate, active a string.
	u := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"ryan","userName":"ryan@contoso.onmicrosoft.com","active":"True","displayName":"Ryan Lopez",
		"emails":[{"primary":true,"type":"work","value":"ryan.lopez@hospital.example"}],
		"meta":{"resourceType":"User"},"name":{"formatted":"Ryan Lopez","familyName":"Lopez","givenName":"Ryan"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E-7","department":"Radiology"}}`).want(t, http.StatusCreated).JSON
	id := u["id"].(string)
	if u["userName"] != "ryan@contoso.onmicrosoft.com" || path(u, "emails", "0", "value") != "ryan.lopez@hospital.example" {
		t.Errorf("created = %v", u)
	}
	// Entra looks people up by userName before anything else.
	list := s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "ryan@contoso.onmicrosoft.com"`), "").want(t, http.StatusOK).JSON
	if list["totalResults"] != float64(1) {
		t.Fatalf("lookup by UPN: %v", list)
	}
	res := s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Replace","path":"emails[type eq \"work\"].value","value":"r.lopez@hospital.example"},
		{"op":"Replace","path":"name.familyName","value":"Lopez-Diaz"},
		{"op":"Add","path":"title","value":"Radiographer"},
		{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+mgr["id"].(string)+`"},
		{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Imaging","displayName":"Ryan Lopez-Diaz"}},
		{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"555-0100"}]}`).want(t, http.StatusOK).JSON
	ext := scim.SchemaEnterpriseUser
	if path(res, "emails", "0", "value") != "r.lopez@hospital.example" || path(res, "name", "familyName") != "Lopez-Diaz" ||
		res["title"] != "Radiographer" || path(res, ext, "manager", "value") != mgr["id"] || path(res, ext, "department") != "Imaging" {
		t.Errorf("after Entra's PATCH: %v", res)
	}
	// Removing the manager.
	res = s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`).want(t, http.StatusOK).JSON
	if path(res, ext, "manager") != nil {
		t.Errorf("manager after remove = %v", path(res, ext, "manager"))
	}
	// Disable, as Entra sends it; the person's sessions end.
	if _, err := s.env.App.Auth.CreateSession(context.Background(), id, "192.0.2.9", "test"); err != nil {
		t.Fatal(err)
	}
	res = s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"False"}]}`).want(t, http.StatusOK).JSON
	if res["active"] != false || countRows(t, s.env, "sessions", "employee_id = ?", id) != 0 {
		t.Errorf("after disable: active %v, sessions %d", res["active"], countRows(t, s.env, "sessions", "employee_id = ?", id))
	}
	// Errors in SCIM's format.
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove"}]}`).
		wantError(t, http.StatusBadRequest, scim.TypeNoTarget)
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"maybe"}]}`).
		wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"Operations":[{"op":"Replace","path":"title","value":"x"}]}`).
		wantError(t, http.StatusBadRequest, scim.TypeInvalidSyntax)
	s.call(http.MethodPatch, "/scim/v2/Users/no-such-id", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":"x"}]}`).
		wantError(t, http.StatusNotFound, "")
	// Taking someone else's userName: 409.
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"userName","value":"MGR@hospital.example"}]}`).
		wantError(t, http.StatusConflict, scim.TypeUniqueness)
}

func TestSCIMListAndErrors(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	var ids []string
	for i := range 5 {
		u := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p`+string(rune('a'+i))+`@example.org",
			"name":{"givenName":"P","familyName":"`+string(rune('A'+i))+`"}}`).want(t, http.StatusCreated).JSON
		ids = append(ids, u["id"].(string))
	}
	// RFC 7644 §3.4.2.4: startIndex is 1-based; totalResults counts all.
	page := s.call(http.MethodGet, "/scim/v2/Users?startIndex=2&count=2", "").want(t, http.StatusOK).JSON
	if page["totalResults"] != float64(5) || page["startIndex"] != float64(2) || page["itemsPerPage"] != float64(2) ||
		path(page, "Resources", "0", "id") != ids[1] || path(page, "Resources", "1", "id") != ids[2] {
		t.Errorf("page 2 of 2 = %v", page)
	}
	// count=0: the total only.
	if page := s.call(http.MethodGet, "/scim/v2/Users?count=0", "").want(t, http.StatusOK).JSON; page["totalResults"] != float64(5) || len(page["Resources"].([]any)) != 0 {
		t.Errorf("count=0: %v", page)
	}
	// Past the end: empty.
	if page := s.call(http.MethodGet, "/scim/v2/Users?startIndex=50", "").want(t, http.StatusOK).JSON; page["totalResults"] != float64(5) || len(page["Resources"].([]any)) != 0 {
		t.Errorf("startIndex=50: %v", page)
	}

	// Unsupported filters: 400 invalidFilter (RFC 7644 §3.4.2.2).
	for _, f := range []string{`userName sw "p"`, `title pr`, `userName eq "pa@example.org" or userName eq "pb@example.org"`, `name.familyName eq "A"`} {
		s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(f), "").wantError(t, http.StatusBadRequest, scim.TypeInvalidFilter)
	}
	s.call(http.MethodGet, "/scim/v2/Users?count=many", "").wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	// Bodies that are not a User.
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":`).wantError(t, http.StatusBadRequest, scim.TypeInvalidSyntax)
	s.call(http.MethodPost, "/scim/v2/Users", `{"name":{"givenName":"No","familyName":"Name"},"emails":[{"value":"no@example.org"}]}`).
		wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"x@example.org"}`).wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"bad","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"not an address"}]}`).
		wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"tz@example.org","name":{"givenName":"A","familyName":"B"},"timezone":"Mars/Olympus"}`).
		wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":7,"name":{"givenName":"A","familyName":"B"}}`).wantError(t, http.StatusBadRequest, scim.TypeInvalidValue)
	// Nothing of the refused ones was written.
	if n := countRows(t, s.env, "employees", "1 = 1"); n != 5 {
		t.Errorf("%d employees, want the 5 created", n)
	}
}

// TestSCIMSameAsHR: a person provisioned through SCIM gets what the same
// person added by HR gets: the same assignments with the same dates, the
// same report standing, an assignment e-mail queued.
func TestSCIMSameAsHR(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	hr := s.env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, learnerPassword)
	_ = hr
	browser := s.env.Client()
	browser.Login("hr@example.org", learnerPassword)
	res := browser.Post("/admin/people", url.Values{
		people.ColumnEmployeeID: {"HR-1"}, people.ColumnEmail: {"by.hr@example.org"}, people.ColumnFirstName: {"Byhr"},
		people.ColumnLastName: {"Added"}, people.ColumnDepartment: {"ICU"}, people.ColumnJobTitle: {"Staff Nurse"},
		people.FieldRole: {"learner"},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("HR adds a person: %d\n%s", res.StatusCode, res.Body)
	}
	u := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName":"by.scim@example.org","name":{"givenName":"Byscim","familyName":"Added"},"title":"Staff Nurse",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"SCIM-1","department":"ICU"}}`).want(t, http.StatusCreated).JSON
	byHR, err := s.env.App.People.ByEmail(context.Background(), "by.hr@example.org")
	if err != nil {
		t.Fatal(err)
	}
	bySCIM := u["id"].(string)

	type obligation struct {
		CourseID, Status string
		DueAt            time.Time
	}
	load := func(table, id string) []obligation {
		var out []obligation
		cols := "course_id, status, due_at"
		if table == "assignments" {
			cols = "course_id, status, created_at AS due_at"
		}
		if err := s.env.App.DB.Table(table).Select(cols).Where("employee_id = ?", id).Order("course_id").Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, table := range []string{"assignments", "cycles", "compliance_status"} {
		a, b := load(table, byHR.ID), load(table, bySCIM)
		if len(a) == 0 {
			t.Errorf("%s: HR's person has none; the fixture's rule should assign the course", table)
		}
		if len(a) != len(b) {
			t.Errorf("%s: HR's person %v, SCIM's %v", table, a, b)
			continue
		}
		for i := range a {
			if a[i].CourseID != b[i].CourseID || a[i].Status != b[i].Status || !a[i].DueAt.Equal(b[i].DueAt) {
				t.Errorf("%s: HR's person %+v, SCIM's %+v", table, a[i], b[i])
			}
		}
	}
	for _, id := range []string{byHR.ID, bySCIM} {
		if n := countRows(t, s.env, "outbox", "recipient_employee_id = ?", id); n == 0 {
			t.Errorf("no e-mail queued for %s", id)
		}
	}
}

// TestSCIMTakesOverAndBringsBack: connecting an identity provider to an
// Onramp whose staff HR imported takes those people over by employeeNumber
// (never by e-mail alone), and a person deleted through SCIM comes back,
// with their records, when provisioned again.
func TestSCIMTakesOverAndBringsBack(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	ctx := context.Background()
	number := "IMP-9"
	imported := &people.Employee{EmployeeNumber: &number, Email: "sam.imported@hospital.example", FirstName: "Sam", LastName: "Imported", Department: "Pharmacy"}
	if err := s.env.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, imported, s.env.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	// Someone HR added is a SCIM User already, named by their address.
	list := s.call(http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "sam.imported@hospital.example"`), "").want(t, http.StatusOK).JSON
	if list["totalResults"] != float64(1) || path(list, "Resources", "0", "id") != imported.ID {
		t.Fatalf("lookup of an imported person: %v", list)
	}
	// The same address with another employeeNumber: refused, not merged.
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"sam@contoso.example","name":{"givenName":"Sam","familyName":"Other"},
		"emails":[{"value":"sam.imported@hospital.example"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"OTHER-1"}}`).
		wantError(t, http.StatusConflict, scim.TypeUniqueness)
	// The employeeNumber: taken over, same id.
	u := s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"sam@contoso.example","externalId":"sam-guid","name":{"givenName":"Sam","familyName":"Imported"},
		"emails":[{"value":"sam.imported@hospital.example"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"IMP-9","department":"Pharmacy"}}`).
		want(t, http.StatusCreated).JSON
	if u["id"] != imported.ID || u["userName"] != "sam@contoso.example" {
		t.Fatalf("take-over: %v", u)
	}
	// Posting them again is a conflict now.
	s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"sam2@contoso.example","name":{"givenName":"Sam","familyName":"Imported"},
		"emails":[{"value":"sam.imported@hospital.example"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"IMP-9"}}`).
		wantError(t, http.StatusConflict, scim.TypeUniqueness)
	// Deleted, then provisioned again: the same person, active, records kept.
	s.call(http.MethodDelete, "/scim/v2/Users/"+imported.ID, "").want(t, http.StatusNoContent)
	before := countRows(t, s.env, "cycles", "employee_id = ?", imported.ID)
	back := s.call(http.MethodPost, "/scim/v2/Users", `{"userName":"sam@contoso.example","externalId":"sam-guid","name":{"givenName":"Sam","familyName":"Imported"},
		"emails":[{"value":"sam.imported@hospital.example"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"IMP-9"}}`).
		want(t, http.StatusCreated).JSON
	if back["id"] != imported.ID || back["active"] != true {
		t.Errorf("brought back: %v", back)
	}
	emp, _ := s.env.App.People.ByID(ctx, imported.ID)
	if !emp.Active() || countRows(t, s.env, "cycles", "employee_id = ?", imported.ID) < before {
		t.Errorf("brought back: active %v, cycles %d (before %d)", emp.Active(), countRows(t, s.env, "cycles", "employee_id = ?", imported.ID), before)
	}
	s.call(http.MethodGet, "/scim/v2/Users/"+imported.ID, "").want(t, http.StatusOK)
}

// TestSCIMTokenPage: HR creates the identity provider's token on the
// tokens page, which then shows the SCIM base URL; scim with another scope
// is refused with the reason.
func TestSCIMTokenPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, learnerPassword)
	hr := env.Client()
	hr.Login("hr@example.org", learnerPassword)
	res := hr.Post("/admin/tokens", url.Values{"name": {"Entra ID"}, "scope": {"scim", "employees:write"}})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if doc := learnerDoc(t, res); !strings.Contains(doc.Find("[data-testid=token-errors]").Text(), "scim on its own") {
		t.Errorf("refusal: %q", doc.Find("[data-testid=token-errors]").Text())
	}
	res = hr.Post("/admin/tokens", url.Values{"name": {"Entra ID"}, "scope": {"scim"}})
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	secret, _ := doc.Find("[data-testid=secret]").Attr("value")
	if got := strings.TrimSpace(doc.Find("[data-testid=scim-base]").Text()); got != env.Server.URL+"/scim/v2" {
		t.Errorf("SCIM base URL on the page = %q", got)
	}
	s := &scimEnv{t: t, env: env, token: secret}
	s.call(http.MethodGet, "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusOK)
}

// TestSCIMCreateDisabled: an account the provider creates disabled (a
// starter before their first day) is stored inactive, with no courses and
// no e-mail, and gets both when the provider enables it.
func TestSCIMCreateDisabled(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	u := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pre.hire@hospital.example",
		"name":{"givenName":"Pre","familyName":"Hire"},"active":false}`).want(t, http.StatusCreated).JSON
	id := u["id"].(string)
	if u["active"] != false {
		t.Errorf("created active = %v", u["active"])
	}
	if n, m := countRows(t, s.env, "assignments", "employee_id = ?", id), countRows(t, s.env, "outbox", "recipient_employee_id = ?", id); n != 0 || m != 0 {
		t.Errorf("a disabled account got %d assignments and %d e-mails", n, m)
	}
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"True"}]}`).want(t, http.StatusOK)
	if n := countRows(t, s.env, "assignments", "employee_id = ? AND status = 'active'", id); n == 0 {
		t.Error("enabled, the person was assigned nothing")
	}
}

// TestSCIMCannotRedirectHRAdmin: a SCIM token cannot change an HR admin's
// e-mail address (where their password-reset links go); other changes, and
// deactivation, still work.
func TestSCIMCannotRedirectHRAdmin(t *testing.T) {
	t.Parallel()
	s := newSCIMEnv(t)
	admin := s.env.CreateEmployee("admin@hospital.example", "Ada", "Admin", people.RoleHRAdmin, learnerPassword)
	s.env.CreateEmployee("second@hospital.example", "Sec", "Ond", people.RoleHRAdmin, learnerPassword)
	patch := func(op string) *scimResponse {
		return s.call(http.MethodPatch, "/scim/v2/Users/"+admin.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+op+`]}`)
	}
	patch(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"attacker@evil.example"}`).wantError(t, http.StatusForbidden, "")
	if emp, _ := s.env.App.People.ByID(context.Background(), admin.ID); emp.Email != "admin@hospital.example" {
		t.Errorf("the HR admin's address became %s", emp.Email)
	}
	if res := patch(`{"op":"replace","path":"title","value":"HR Director"}`).want(t, http.StatusOK); res.JSON["title"] != "HR Director" {
		t.Errorf("title = %v", res.JSON["title"])
	}
	patch(`{"op":"replace","path":"active","value":false}`).want(t, http.StatusOK)
}
