package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Input is what a request says about a person, in Onramp's terms: the
// whole resource, as POST and PUT send it and as a PATCH leaves it.
type Input struct {
	UserName   string
	ExternalID string
	GivenName  string
	FamilyName string
	Email      string
	Title      string
	TimeZone   string
	// Active is nil when the request does not say (POST: active; PUT and
	// PATCH: unchanged).
	Active *bool
	// EmployeeNumber is nil when the request does not send it: the stored
	// one is kept (it is what the HR system's staff import matches on, so
	// a mapping that leaves it out must not detach the person).
	EmployeeNumber *string
	Department     string
	// Manager is the manager's SCIM id (or, failing that, their
	// employeeNumber); empty for nobody.
	Manager string
}

// DecodeDocument reads a request body as one JSON object.
func DecodeDocument(r io.Reader) (document, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var d document
	if err := dec.Decode(&d); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, err
		}
		if errors.Is(err, io.EOF) {
			return nil, BadRequest(TypeInvalidSyntax, "The request has no body; send a JSON object.")
		}
		return nil, BadRequest(TypeInvalidSyntax, "The request body is not a JSON object: %v.", err)
	}
	if d == nil {
		return nil, BadRequest(TypeInvalidSyntax, "The request body is not a JSON object.")
	}
	if dec.More() {
		return nil, BadRequest(TypeInvalidSyntax, "The request body has more after its JSON object; send one object.")
	}
	return d, nil
}

// lookup returns the value of key in d, matching the name without regard
// to case (RFC 7643 §2.1), and the key as the document spells it.
func lookup(d document, key string) (any, string, bool) {
	if v, ok := d[key]; ok {
		return v, key, true
	}
	for k, v := range d {
		if strings.EqualFold(k, key) {
			return v, k, true
		}
	}
	return nil, "", false
}

// decodeInput reads a whole User resource. Attributes Onramp does not keep
// (phone numbers, addresses, …) are accepted and not stored, so an identity
// provider's default mappings work; read-only ones (id, meta) are ignored.
func decodeInput(d document) (Input, error) {
	var in Input
	var err error
	str := func(container document, name, path string) string {
		if err != nil {
			return ""
		}
		v, _, ok := lookup(container, name)
		if !ok || v == nil {
			return ""
		}
		s, isString := v.(string)
		if !isString {
			err = BadRequest(TypeInvalidValue, "%s must be a string.", path)
			return ""
		}
		return strings.TrimSpace(s)
	}
	in.UserName = str(d, "userName", "userName")
	in.ExternalID = str(d, "externalId", "externalId")
	in.Title = str(d, "title", "title")
	in.TimeZone = str(d, "timezone", "timezone")
	displayName := str(d, "displayName", "displayName")
	if v, _, ok := lookup(d, "name"); ok && v != nil {
		name, isObject := v.(document)
		if !isObject && err == nil {
			return in, BadRequest(TypeInvalidValue, "name must be an object with givenName and familyName.")
		}
		in.GivenName = str(name, "givenName", "name.givenName")
		in.FamilyName = str(name, "familyName", "name.familyName")
		if displayName == "" {
			displayName = str(name, "formatted", "name.formatted")
		}
	}
	if err != nil {
		return in, err
	}
	// A provider that sends only a display name: its last word is the
	// family name.
	if in.GivenName == "" && in.FamilyName == "" && displayName != "" {
		if i := strings.LastIndex(displayName, " "); i > 0 {
			in.GivenName, in.FamilyName = strings.TrimSpace(displayName[:i]), displayName[i+1:]
		}
	}
	if v, _, ok := lookup(d, "active"); ok && v != nil {
		b, berr := boolOf(v)
		if berr != nil {
			return in, BadRequest(TypeInvalidValue, "active must be true or false, not %s.", jsonText(v))
		}
		in.Active = &b
	}
	if in.Email, err = primaryEmail(d); err != nil {
		return in, err
	}
	if in.Email == "" && strings.Contains(in.UserName, "@") {
		in.Email = in.UserName
	}
	if v, _, ok := lookup(d, SchemaEnterpriseUser); ok && v != nil {
		ext, isObject := v.(document)
		if !isObject {
			return in, BadRequest(TypeInvalidValue, "%s must be an object.", SchemaEnterpriseUser)
		}
		if nv, _, ok := lookup(ext, "employeeNumber"); ok {
			n := ""
			if nv != nil {
				n = str(ext, "employeeNumber", "employeeNumber")
			}
			in.EmployeeNumber = &n
		}
		in.Department = str(ext, "department", "department")
		if mv, _, ok := lookup(ext, "manager"); ok && mv != nil {
			switch m := mv.(type) {
			case string: // Entra ID sends the manager's id as a bare string
				in.Manager = strings.TrimSpace(m)
			case document:
				in.Manager = str(m, "value", "manager.value")
			default:
				return in, BadRequest(TypeInvalidValue, "manager must be an object with the manager's id as its value.")
			}
		}
	}
	return in, err
}

// boolOf reads a boolean, also as the strings "True" and "False" that
// Microsoft Entra ID sends.
func boolOf(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(b)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, errors.New("not a boolean")
}

// primaryEmail picks the address to use from emails: the primary one, else
// the work one, else the first.
func primaryEmail(d document) (string, error) {
	v, _, ok := lookup(d, "emails")
	if !ok || v == nil {
		return "", nil
	}
	list, isList := v.([]any)
	if !isList {
		if one, isObject := v.(document); isObject {
			list = []any{one}
		} else {
			return "", BadRequest(TypeInvalidValue, "emails must be a list of objects with a value.")
		}
	}
	var first, work, primary string
	for _, item := range list {
		e, isObject := item.(document)
		if !isObject {
			return "", BadRequest(TypeInvalidValue, "emails must be a list of objects with a value.")
		}
		value, _, _ := lookup(e, "value")
		s, _ := value.(string)
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if first == "" {
			first = s
		}
		if t, _, _ := lookup(e, "type"); work == "" && strings.EqualFold(stringOf(t), "work") {
			work = s
		}
		if p, _, ok := lookup(e, "primary"); ok && primary == "" {
			if b, err := boolOf(p); err == nil && b {
				primary = s
			}
		}
	}
	switch {
	case primary != "":
		return primary, nil
	case work != "":
		return work, nil
	}
	return first, nil
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "that value"
	}
	return string(b)
}

// clone deep-copies a document through JSON, so a PATCH works on its own
// copy.
func clone(d document) document {
	b, _ := json.Marshal(d)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out document
	_ = dec.Decode(&out)
	return out
}
