package httpserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/scim"
)

// claimUserNameMidway plays a concurrent SCIM request: whenever this
// request writes to employees, another user takes userName in the same
// breath, after this request checked it was free. SCIM's own write of the
// userName then fails on the unique index, after the person's change was
// made. It returns a function that stops it.
func claimUserNameMidway(t *testing.T, env *apptest.Env, userName, otherID string) func() {
	t.Helper()
	name := "test:claim-user-name"
	claim := func(tx *gorm.DB) {
		if tx.Error != nil || tx.Statement.Table != "employees" {
			return
		}
		tx.Session(&gorm.Session{NewDB: true}).
			Exec("UPDATE scim_users SET user_name = ?, user_name_key = ? WHERE employee_id = ?", userName, strings.ToLower(userName), otherID)
	}
	cbs := env.App.DB.Callback()
	if err := cbs.Create().After("gorm:create").Register(name, claim); err != nil {
		t.Fatal(err)
	}
	if err := cbs.Update().After("gorm:update").Register(name, claim); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		_ = cbs.Create().Remove(name)
		_ = cbs.Update().Remove(name)
	}
	t.Cleanup(stop)
	return stop
}

// written counts what a change to a person leaves behind.
type written struct{ employees, auditEntries, outbox int64 }

func countWritten(t *testing.T, env *apptest.Env) written {
	t.Helper()
	return written{
		employees:    countRows(t, env, "employees", "1 = 1"),
		auditEntries: countRows(t, env, "audit_log", "1 = 1"),
		outbox:       countRows(t, env, "outbox", "1 = 1"),
	}
}

// TestSCIMRequestIsOneTransaction: a SCIM request's change to the person,
// its follow-ups (audit entry, e-mails queued, status) and SCIM's own
// names for the person are written together or not at all; a request that
// reactivates and edits is one change with one audit entry.
func TestSCIMRequestIsOneTransaction(t *testing.T) {
	s := newSCIMEnv(t)
	ctx := context.Background()
	other := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"other@hospital.example",
		"name":{"givenName":"Oth","familyName":"Er"}}`).want(t, http.StatusCreated).JSON["id"].(string)

	// A create whose userName is taken between the check and the write:
	// 409, and nothing of the person (employee, audit entry, e-mail).
	before := countWritten(t, s.env)
	stop := claimUserNameMidway(t, s.env, "new.starter@hospital.example", other)
	s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new.starter@hospital.example",
		"name":{"givenName":"New","familyName":"Starter"},"title":"Porter"}`).wantError(t, http.StatusConflict, scim.TypeUniqueness)
	stop()
	if after := countWritten(t, s.env); after != before {
		t.Errorf("a refused create left writes behind: before %+v, after %+v", before, after)
	}
	if n := countRows(t, s.env, "employees", "email = ?", "new.starter@hospital.example"); n != 0 {
		t.Error("the refused person was created")
	}
	if got := s.call(http.MethodGet, "/scim/v2/Users/"+other, "").want(t, http.StatusOK).JSON["userName"]; got != "other@hospital.example" {
		t.Errorf("the other user's userName is %v: the transaction was not rolled back", got)
	}

	// A disabled user, enabled and edited by one PATCH: one change, one
	// audit entry saying both.
	id := s.call(http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim@hospital.example",
		"name":{"givenName":"Kim","familyName":"Ito"},"title":"Nurse","active":false}`).want(t, http.StatusCreated).JSON["id"].(string)
	entries := func() int64 {
		return countRows(t, s.env, "audit_log", "entity_type = 'employee' AND entity_id = ?", id)
	}
	n := entries()
	res := s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"replace","path":"active","value":true},{"op":"replace","path":"title","value":"Charge Nurse"}]}`).want(t, http.StatusOK).JSON
	if res["active"] != true || res["title"] != "Charge Nurse" {
		t.Fatalf("after enabling and editing: %v", res)
	}
	if got := entries() - n; got != 1 {
		t.Errorf("enabling and editing made %d audit entries, want 1", got)
	}
	var e audit.Entry
	if err := s.env.App.DB.Where("entity_type = 'employee' AND entity_id = ?", id).Order("seq DESC").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.Action != audit.ActionUpdate || !strings.HasPrefix(e.Summary, "Reactivated Kim Ito") || !strings.Contains(e.Summary, "job_title") {
		t.Errorf("the entry is %s %q, want one update saying both", e.Action, e.Summary)
	}

	// Disabled again, then a PUT that enables, edits and takes a userName
	// taken meanwhile: 409, and the person is still disabled, unedited.
	s.call(http.MethodPatch, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"replace","path":"active","value":false}]}`).want(t, http.StatusOK)
	before, n = countWritten(t, s.env), entries()
	claimUserNameMidway(t, s.env, "kim.ito@hospital.example", other)
	s.call(http.MethodPut, "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim.ito@hospital.example",
		"name":{"givenName":"Kim","familyName":"Ito"},"emails":[{"value":"kim@hospital.example","primary":true}],"title":"Ward Manager","active":true}`).
		wantError(t, http.StatusConflict, scim.TypeUniqueness)
	emp, err := s.env.App.People.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if emp.Active() || emp.JobTitle != "Charge Nurse" {
		t.Errorf("after the refused PUT: active %v, title %q; want still disabled, Charge Nurse", emp.Active(), emp.JobTitle)
	}
	if after := countWritten(t, s.env); after != before || entries() != n {
		t.Errorf("a refused PUT left writes behind: before %+v, after %+v", before, after)
	}
	if u := s.call(http.MethodGet, "/scim/v2/Users/"+id, "").want(t, http.StatusOK).JSON; u["userName"] != "kim@hospital.example" || u["active"] != false {
		t.Errorf("the SCIM view after the refused PUT: %v", u)
	}
}
