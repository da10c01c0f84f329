package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// patchBase is Barbara Jensen from RFC 7643 §8.2, as Onramp shows her.
func patchBase() document {
	u := &User{
		ID: "2819c223", UserName: "bjensen@example.com", ExternalID: "701984", GivenName: "Barbara", FamilyName: "Jensen",
		Email: "bjensen@example.com", Active: true, Title: "Tour Guide", EmployeeNumber: "701984", Department: "Tour Operations",
		ManagerID: "26118915", ManagerName: "John Smith",
	}
	return u.attributes()
}

func ops(t *testing.T, s string) []PatchOperation {
	t.Helper()
	req, err := DecodePatch(strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + s + `}`))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return req.Operations
}

func patched(t *testing.T, s string) Input {
	t.Helper()
	d, err := ApplyPatch(patchBase(), ops(t, s))
	if err != nil {
		t.Fatalf("patch %s: %v", s, err)
	}
	in, err := decodeInput(d)
	if err != nil {
		t.Fatalf("decode the patched user: %v", err)
	}
	return in
}

func TestPatchRFCExamples(t *testing.T) {
	t.Parallel()
	// RFC 7644 §3.5.2.1: add with a path to a multi-valued attribute
	// appends; the primary address stays the one used.
	d, err := ApplyPatch(patchBase(), ops(t, `[{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if emails := d["emails"].([]any); len(emails) != 2 {
		t.Errorf("emails after add = %v, want two", emails)
	}
	if in, _ := decodeInput(d); in.Email != "bjensen@example.com" {
		t.Errorf("email = %q, want the primary one kept", in.Email)
	}
	// §3.5.2.1: add without a path: the value's attributes are added;
	// ones Onramp does not keep (nickName) are accepted.
	in := patched(t, `[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickName":"Babs"}}]`)
	if in.Email != "bjensen@example.com" || in.GivenName != "Barbara" {
		t.Errorf("add without path: %+v", in)
	}
	// §3.5.2.3: replace a sub-attribute of a complex attribute.
	if in := patched(t, `[{"op":"replace","path":"name.familyName","value":"Jensen-Smith"}]`); in.FamilyName != "Jensen-Smith" || in.GivenName != "Barbara" {
		t.Errorf("replace name.familyName: %+v", in)
	}
	// §3.5.2.3: replace through a value filter.
	if in := patched(t, `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"barbara@example.com"}]`); in.Email != "barbara@example.com" {
		t.Errorf("replace emails[type eq work].value: email %q", in.Email)
	}
	// §3.5.2.3: replace a multi-valued attribute as a whole.
	if in := patched(t, `[{"op":"replace","path":"emails","value":[{"value":"b@example.org","primary":true}]}]`); in.Email != "b@example.org" {
		t.Errorf("replace emails: email %q", in.Email)
	}
	// §3.5.2.2: remove a single-valued attribute.
	if in := patched(t, `[{"op":"remove","path":"title"}]`); in.Title != "" || in.GivenName != "Barbara" {
		t.Errorf("remove title: %+v", in)
	}
	// §3.5.2.2: remove the extension's attributes.
	in = patched(t, `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},`+
		`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}]`)
	if in.Manager != "" || in.EmployeeNumber != nil || in.Department != "Tour Operations" {
		t.Errorf("remove manager and employeeNumber: %+v", in)
	}
	// §3.5.2.3: replace active.
	if in := patched(t, `[{"op":"replace","path":"active","value":false}]`); in.Active == nil || *in.Active {
		t.Errorf("replace active false: %+v", in.Active)
	}
	// §3.5.2: operations apply in order.
	if in := patched(t, `[{"op":"replace","path":"title","value":"A"},{"op":"replace","path":"title","value":"B"}]`); in.Title != "B" {
		t.Errorf("two replaces: title %q", in.Title)
	}
}

// TestPatchEntraID: what Microsoft Entra ID's provisioning service sends.
func TestPatchEntraID(t *testing.T) {
	t.Parallel()
	// Disabling a user: capitalised op, the boolean as a string.
	if in := patched(t, `[{"op":"Replace","path":"active","value":"False"}]`); in.Active == nil || *in.Active {
		t.Errorf(`"value":"False" = %v, want inactive`, in.Active)
	}
	if in := patched(t, `[{"op":"Replace","value":{"active":"True"}}]`); in.Active == nil || !*in.Active {
		t.Errorf(`path-less {"active":"True"} = %v, want active`, in.Active)
	}
	// A path-less value object whose keys are paths.
	in := patched(t, `[{"op":"Add","value":{"name.givenName":"Babs","title":"Head Guide",`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Guest Services",`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701985"}}]`)
	if in.GivenName != "Babs" || in.FamilyName != "Jensen" || in.Title != "Head Guide" || in.Department != "Guest Services" ||
		in.EmployeeNumber == nil || *in.EmployeeNumber != "701985" {
		t.Errorf("path-less add: %+v", in)
	}
	// The manager's id as a bare string, and replaced with a new one.
	if in := patched(t, `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"mgr-2"}]`); in.Manager != "mgr-2" {
		t.Errorf("manager as a string: %q", in.Manager)
	}
	if in := patched(t, `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"mgr-3"}}]`); in.Manager != "mgr-3" {
		t.Errorf("manager as an object: %q", in.Manager)
	}
	// A work address added through a filter that matches nothing yet.
	d := patchBase()
	delete(d, "emails")
	got, err := ApplyPatch(d, ops(t, `[{"op":"Add","path":"emails[type eq \"work\"].value","value":"babs@example.com"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := decodeInput(got); in.Email != "babs@example.com" {
		t.Errorf("emails[type eq work].value on no address: %q", in.Email)
	}
	// Clearing with null.
	if in := patched(t, `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":null}]`); in.Department != "" {
		t.Errorf("department replaced with null: %q", in.Department)
	}
	// Attributes Onramp does not keep are accepted (Entra's default mappings send them).
	if _, err := ApplyPatch(patchBase(), ops(t, `[{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"555-0100"},{"op":"Replace","path":"preferredLanguage","value":"en-GB"}]`)); err != nil {
		t.Errorf("unmapped attributes refused: %v", err)
	}
}

func TestPatchErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ops      string
		scimType string
	}{
		{`[{"op":"remove"}]`, TypeNoTarget},
		{`[{"op":"move","path":"title","value":"x"}]`, TypeInvalidSyntax},
		{`[{"op":"replace","path":"id","value":"other"}]`, TypeMutability},
		{`[{"op":"replace","path":"emails[type eq \"work\".value","value":"x"}]`, TypeInvalidPath},
		{`[{"op":"replace","path":"emails[type sw \"w\"].value","value":"x"}]`, TypeInvalidFilter},
		{`[{"op":"replace","path":"urn:example:other:2.0:User:x","value":"x"}]`, TypeInvalidPath},
		{`[{"op":"add","value":"not an object"}]`, TypeInvalidValue},
	} {
		_, err := ApplyPatch(patchBase(), ops(t, tc.ops))
		se, ok := errors.AsType[*Error](err)
		if !ok || se.Status != http.StatusBadRequest || se.ScimType != tc.scimType {
			t.Errorf("%s: %v; want 400 %s", tc.ops, err, tc.scimType)
		}
	}
	// A body that is not a PatchOp message.
	for _, body := range []string{`{"Operations":[{"op":"add","path":"title","value":"x"}]}`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, `[1]`, ``} {
		_, err := DecodePatch(strings.NewReader(body))
		if se, ok := errors.AsType[*Error](err); !ok || se.ScimType != TypeInvalidSyntax {
			t.Errorf("DecodePatch(%s) = %v, want 400 invalidSyntax", body, err)
		}
	}
	// A failing operation leaves the resource as it was.
	base := patchBase()
	before, _ := json.Marshal(base)
	if _, err := ApplyPatch(base, ops(t, `[{"op":"replace","path":"title","value":"x"},{"op":"remove"}]`)); err == nil {
		t.Fatal("a remove without a path was accepted")
	}
	if after, _ := json.Marshal(base); string(after) != string(before) {
		t.Error("a failed PATCH changed the resource it was given")
	}
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	// RFC 7644 §3.12: schemas, status as a string, scimType, detail.
	b, _ := json.Marshal(BadRequest(TypeInvalidFilter, "bad"))
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"bad"}`
	if string(b) != want {
		t.Errorf("error body = %s, want %s", b, want)
	}
	b, _ = json.Marshal(NotFound("x"))
	if !strings.Contains(string(b), `"status":"404"`) || strings.Contains(string(b), "scimType") {
		t.Errorf("404 body = %s", b)
	}
}
