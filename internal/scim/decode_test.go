package scim

import (
	"strings"
	"testing"
)

func decode(t *testing.T, body string) (Input, error) {
	t.Helper()
	d, err := DecodeDocument(strings.NewReader(body))
	if err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return decodeInput(d)
}

func TestDecodeInput(t *testing.T) {
	t.Parallel()
	// Attribute names in any case (RFC 7643 §2.1); the primary address
	// wins over the first; the extension's employeeNumber is read.
	in, err := decode(t, `{"USERNAME":"a@example.org","Name":{"GivenName":"Ana","familyname":"Smith"},
		"emails":[{"value":"home@example.org","type":"home"},{"value":"work@example.org","type":"work"},{"value":"p@example.org","primary":"True"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user":{"EmployeeNumber":"E1","manager":{"value":"m-1"}}}`)
	if err != nil || in.UserName != "a@example.org" || in.GivenName != "Ana" || in.FamilyName != "Smith" || in.Email != "p@example.org" ||
		in.EmployeeNumber == nil || *in.EmployeeNumber != "E1" || in.Manager != "m-1" || in.Active != nil {
		t.Errorf("decoded %+v, %v", in, err)
	}
	// Without a primary, the work address; without emails, a userName
	// that is an address; a display name split at its last space.
	in, _ = decode(t, `{"userName":"x","displayName":"Mary Ann Lee","emails":[{"value":"h@example.org","type":"home"},{"value":"w@example.org","type":"Work"}]}`)
	if in.Email != "w@example.org" || in.GivenName != "Mary Ann" || in.FamilyName != "Lee" {
		t.Errorf("decoded %+v", in)
	}
	if in, _ := decode(t, `{"userName":"u@example.org"}`); in.Email != "u@example.org" || in.EmployeeNumber != nil {
		t.Errorf("decoded %+v", in)
	}
	// An explicit null employeeNumber clears it; absent keeps it (nil).
	if in, _ := decode(t, `{"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":null}}`); in.EmployeeNumber == nil || *in.EmployeeNumber != "" {
		t.Errorf("null employeeNumber: %+v", in.EmployeeNumber)
	}
	// Wrong types are 400 invalidValue naming the attribute.
	for _, body := range []string{`{"userName":1}`, `{"name":"Ana"}`, `{"active":"yes"}`, `{"emails":"a@example.org"}`,
		`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":7}}`} {
		_, err := decode(t, body)
		if se, ok := err.(*Error); !ok || se.ScimType != TypeInvalidValue {
			t.Errorf("%s: %v, want invalidValue", body, err)
		}
	}
	for _, body := range []string{``, `[]`, `{"a":1} {"b":2}`, `{"a":`} {
		if _, err := DecodeDocument(strings.NewReader(body)); err == nil {
			t.Errorf("DecodeDocument(%q) accepted", body)
		}
	}
}
