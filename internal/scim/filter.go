package scim

import (
	"encoding/json"
	"strings"
)

// FilterAttr is an attribute a list filter may compare.
type FilterAttr string

// The attributes a filter may name: what identity providers look a person
// up by before they create one.
const (
	FilterUserName       FilterAttr = "userName"
	FilterExternalID     FilterAttr = "externalId"
	FilterID             FilterAttr = "id"
	FilterEmail          FilterAttr = "emails.value"
	FilterEmployeeNumber FilterAttr = "employeeNumber"
)

// Filter is a parsed list filter: one attribute equal to one value
// (attribute eq "value"), the form RFC 7644 §3.4.2.2 filters take when an
// identity provider looks for an existing account. The empty Filter
// matches everyone.
type Filter struct {
	Attr  FilterAttr
	Value string
}

// filterAttrs maps an attribute path, lowercased, to what it filters on.
// Attribute names are case-insensitive (RFC 7643 §2.1).
var filterAttrs = map[string]FilterAttr{
	"username":       FilterUserName,
	"externalid":     FilterExternalID,
	"id":             FilterID,
	"emails":         FilterEmail,
	"emails.value":   FilterEmail,
	"employeenumber": FilterEmployeeNumber,
}

// ParseFilter reads a filter parameter. Anything but `attr eq "value"` on
// userName, externalId, id, emails(.value) or the enterprise extension's
// employeeNumber is a 400 invalidFilter that says what is supported.
func ParseFilter(s string) (Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Filter{}, nil
	}
	path, rest, ok := strings.Cut(s, " ")
	if !ok {
		return Filter{}, unsupportedFilter(s, "it has no operator")
	}
	rest = strings.TrimLeft(rest, " ")
	op, value, ok := strings.Cut(rest, " ")
	if !ok {
		return Filter{}, unsupportedFilter(s, "it has no value")
	}
	attr, known := filterAttrs[strings.ToLower(stripSchema(path))]
	if !known {
		return Filter{}, unsupportedFilter(s, "Onramp cannot filter on "+quote(path))
	}
	if !strings.EqualFold(op, "eq") {
		return Filter{}, unsupportedFilter(s, "the only operator supported is eq, not "+quote(op))
	}
	value = strings.TrimSpace(value)
	var v string
	dec := json.NewDecoder(strings.NewReader(value))
	if err := dec.Decode(&v); err != nil || dec.InputOffset() != int64(len(value)) {
		// Anything after the value is a logical operator (and, or) or
		// junk; neither is supported.
		return Filter{}, unsupportedFilter(s, "the value must be one string in double quotes, with no and/or after it")
	}
	return Filter{Attr: attr, Value: v}, nil
}

func unsupportedFilter(s, why string) error {
	return BadRequest(TypeInvalidFilter,
		"The filter %s is not supported: %s. Onramp supports one comparison with eq on userName, externalId, id, emails.value or employeeNumber, e.g. userName eq \"ana@example.org\".",
		quote(s), why)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// stripSchema removes a schema URN from an attribute path:
// "urn:…:enterprise:2.0:User:employeeNumber" is "employeeNumber".
func stripSchema(path string) string {
	lower := strings.ToLower(path)
	for _, urn := range []string{SchemaEnterpriseUser, SchemaUser} {
		if strings.HasPrefix(lower, strings.ToLower(urn)+":") {
			return path[len(urn)+1:]
		}
	}
	return path
}
