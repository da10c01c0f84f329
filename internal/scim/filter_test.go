package scim

import (
	"errors"
	"net/http"
	"testing"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want Filter
	}{
		{``, Filter{}},
		{`userName eq "bjensen"`, Filter{FilterUserName, "bjensen"}},
		// Attribute names and operators are case-insensitive (RFC 7643 §2.1, RFC 7644 §3.4.2.2).
		{`USERNAME EQ "Ana@Example.org"`, Filter{FilterUserName, "Ana@Example.org"}},
		{`externalId eq "00ub0oNGTSWTBKOLGLNR"`, Filter{FilterExternalID, "00ub0oNGTSWTBKOLGLNR"}},
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, Filter{FilterID, "2819c223-7f76-453a-919d-413861904646"}},
		{`emails.value eq "bjensen@example.com"`, Filter{FilterEmail, "bjensen@example.com"}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, Filter{FilterEmployeeNumber, "701984"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, Filter{FilterUserName, "x"}},
		// The value is a JSON string: escapes and spaces inside it.
		{`userName eq "Ana \"A\" Smith"`, Filter{FilterUserName, `Ana "A" Smith`}},
	}
	for _, tc := range good {
		got, err := ParseFilter(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	// Everything else is 400 invalidFilter (RFC 7644 §3.4.2.2, Table 9).
	for _, in := range []string{
		`userName`, `userName eq`, `userName sw "J"`, `title pr`, `name.familyName co "O'Malley"`,
		`userName eq "a" and active eq true`, `userName eq "a" or userName eq "b"`, `(userName eq "a")`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`, `userName eq bjensen`, `userName eq 12`,
		`emails[type eq "work" and value co "@example.com"]`,
	} {
		_, err := ParseFilter(in)
		se, ok := errors.AsType[*Error](err)
		if !ok || se.Status != http.StatusBadRequest || se.ScimType != TypeInvalidFilter {
			t.Errorf("ParseFilter(%q) = %v; want 400 invalidFilter", in, err)
		}
	}
}

func TestParseListQuery(t *testing.T) {
	t.Parallel()
	q, err := ParseListQuery("", "", "")
	if err != nil || q.StartIndex != 1 || q.Count != MaxResults {
		t.Errorf("defaults = %+v, %v", q, err)
	}
	// RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0;
	// Onramp lowers a large count to its maximum.
	q, err = ParseListQuery("", "0", "-5")
	if err != nil || q.StartIndex != 1 || q.Count != 0 {
		t.Errorf("startIndex=0&count=-5 = %+v, %v", q, err)
	}
	q, err = ParseListQuery("", "11", "100000")
	if err != nil || q.StartIndex != 11 || q.Count != MaxResults {
		t.Errorf("startIndex=11&count=100000 = %+v, %v", q, err)
	}
	if _, err := ParseListQuery("", "x", ""); err == nil {
		t.Error("startIndex=x accepted")
	}
}
