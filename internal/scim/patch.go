package scim

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
)

// PatchOperation is one operation of a PATCH request (RFC 7644 §3.5.2).
type PatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// PatchRequest is a PATCH request body.
type PatchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []PatchOperation `json:"Operations"`
}

// maxPatchOperations caps one request's operations.
const maxPatchOperations = 100

// DecodePatch reads and checks a PATCH body.
func DecodePatch(r io.Reader) (*PatchRequest, error) {
	d, err := DecodeDocument(r)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(d)
	var p PatchRequest
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, BadRequest(TypeInvalidSyntax, "The PATCH body is not a PatchOp message: %v.", err)
	}
	if !slices.Contains(p.Schemas, MessagePatchOp) {
		return nil, BadRequest(TypeInvalidSyntax, "A PATCH body's schemas must list %s.", MessagePatchOp)
	}
	if len(p.Operations) == 0 {
		return nil, BadRequest(TypeInvalidSyntax, "The PATCH body has no Operations.")
	}
	if len(p.Operations) > maxPatchOperations {
		return nil, BadRequest(TypeTooMany, "Send at most %d operations in one PATCH.", maxPatchOperations)
	}
	return &p, nil
}

// multiValued are the User attributes that hold lists (RFC 7643 §4.1.2).
var multiValued = []string{"emails", "phonenumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509certificates"}

// patchPath is a parsed PATCH path: attr, attr.sub, attr[filter] or
// attr[filter].sub, in the core schema or the enterprise extension (schema
// set, attr empty for the extension as a whole).
type patchPath struct {
	raw        string
	enterprise bool
	attr       string
	sub        string
	filter     *Filter // Attr is the sub-attribute compared
}

func parsePatchPath(raw string) (patchPath, error) {
	p := patchPath{raw: raw}
	s := strings.TrimSpace(raw)
	lower := strings.ToLower(s)
	entURN, coreURN := strings.ToLower(SchemaEnterpriseUser), strings.ToLower(SchemaUser)
	switch {
	case lower == entURN:
		p.enterprise = true
		return p, nil
	case strings.HasPrefix(lower, entURN+":"):
		p.enterprise, s = true, s[len(entURN)+1:]
	case strings.HasPrefix(lower, coreURN+":"):
		s = s[len(coreURN)+1:]
	case strings.HasPrefix(lower, "urn:"):
		return p, BadRequest(TypeInvalidPath, "The path %s names a schema Onramp does not support.", quote(raw))
	}
	attrEnd := strings.IndexAny(s, "[.")
	if attrEnd < 0 {
		p.attr = s
	} else {
		p.attr = s[:attrEnd]
		rest := s[attrEnd:]
		if rest[0] == '[' {
			close := strings.IndexByte(rest, ']')
			if close < 0 {
				return p, BadRequest(TypeInvalidPath, "The path %s has a [ without its ].", quote(raw))
			}
			f, err := parseValueFilter(rest[1:close], raw)
			if err != nil {
				return p, err
			}
			p.filter = &f
			rest = rest[close+1:]
		}
		if rest != "" {
			if rest[0] != '.' || len(rest) < 2 || strings.ContainsAny(rest[1:], ".[]") {
				return p, BadRequest(TypeInvalidPath, "The path %s is not an attribute path.", quote(raw))
			}
			p.sub = rest[1:]
		}
	}
	if p.attr == "" || strings.ContainsAny(p.attr, " \"]") {
		return p, BadRequest(TypeInvalidPath, "The path %s is not an attribute path.", quote(raw))
	}
	return p, nil
}

// parseValueFilter reads the filter inside a path's brackets: one
// sub-attribute eq one string, as in emails[type eq "work"].
func parseValueFilter(s, raw string) (Filter, error) {
	bad := BadRequest(TypeInvalidFilter,
		"The path %s has a filter Onramp does not support; use one comparison with eq, as in emails[type eq \"work\"].value.", quote(raw))
	sub, rest, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Filter{}, bad
	}
	op, value, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !strings.EqualFold(op, "eq") {
		return Filter{}, bad
	}
	value = strings.TrimSpace(value)
	var v any
	dec := json.NewDecoder(strings.NewReader(value))
	if err := dec.Decode(&v); err != nil || dec.InputOffset() != int64(len(value)) {
		return Filter{}, bad
	}
	switch x := v.(type) {
	case string:
		return Filter{Attr: FilterAttr(sub), Value: x}, nil
	case bool:
		return Filter{Attr: FilterAttr(sub), Value: jsonText(x)}, nil
	}
	return Filter{}, bad
}

// matches reports whether a list element satisfies a value filter:
// strings compare without regard to case, as type and value are caseExact
// false for emails.
func (f *Filter) matches(item any) bool {
	e, ok := item.(document)
	if !ok {
		return false
	}
	v, _, ok := lookup(e, string(f.Attr))
	if !ok {
		return false
	}
	switch x := v.(type) {
	case string:
		return strings.EqualFold(x, f.Value)
	case bool:
		return jsonText(x) == f.Value
	}
	return false
}

// ApplyPatch applies the operations, in order, to a copy of the resource's
// attributes and returns the result. Any failing operation fails them all.
//
// Besides RFC 7644 it accepts what Microsoft Entra ID sends: op names in
// any case ("Replace"), booleans as the strings "True" and "False" (read
// when the result is decoded), path-less value objects whose keys are paths
// ("name.givenName", "urn:…:enterprise:2.0:User:department"), the
// manager's id as a bare string, a null value to clear an attribute, and a
// replace through a filter that matches nothing (emails[type eq "work"]
// .value on a person without a work address) adding the element.
func ApplyPatch(current document, ops []PatchOperation) (document, error) {
	d := clone(current)
	for i, op := range ops {
		if err := applyOne(d, op); err != nil {
			if se, ok := err.(*Error); ok {
				se.Detail = "Operation " + itoa(i+1) + ": " + se.Detail
			}
			return nil, err
		}
	}
	return d, nil
}

func itoa(n int) string { return jsonText(n) }

func applyOne(d document, op PatchOperation) error {
	kind := strings.ToLower(strings.TrimSpace(op.Op))
	switch kind {
	case "add", "replace", "remove":
	default:
		return BadRequest(TypeInvalidSyntax, "op must be add, replace or remove, not %s.", quote(op.Op))
	}
	if strings.TrimSpace(op.Path) == "" {
		if kind == "remove" {
			return BadRequest(TypeNoTarget, "A remove needs a path naming what to remove.")
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return BadRequest(TypeInvalidValue, "An %s without a path needs an object as its value.", kind)
		}
		for k, v := range obj {
			switch strings.ToLower(k) {
			case "schemas", "id", "meta":
				continue // read-only: ignored (RFC 7643 §2.2)
			}
			if err := applyPath(d, kind, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	return applyPath(d, kind, op.Path, op.Value)
}

func applyPath(d document, kind, rawPath string, value any) error {
	p, err := parsePatchPath(rawPath)
	if err != nil {
		return err
	}
	switch strings.ToLower(p.attr) {
	case "id", "meta", "schemas":
		if !p.enterprise {
			return BadRequest(TypeMutability, "%s is read-only.", p.attr)
		}
	}
	if value == nil && kind != "remove" {
		kind = "remove" // Entra ID clears an attribute by replacing it with null
	}
	container := d
	if p.enterprise {
		ext, ok := getObject(d, SchemaEnterpriseUser, kind != "remove")
		if !ok {
			return nil // removing from an absent extension: nothing to do
		}
		if p.attr == "" { // the extension as a whole
			return applyAttr(d, kind, keyOf(d, SchemaEnterpriseUser), value)
		}
		container = ext
	}
	key := keyOf(container, p.attr)
	switch {
	case p.filter != nil:
		return applyFiltered(container, kind, key, p, value)
	case p.sub != "":
		obj, ok := getObject(container, key, kind != "remove")
		if !ok {
			return nil
		}
		return applyAttr(obj, kind, keyOf(obj, p.sub), value)
	}
	return applyAttr(container, kind, key, value)
}

// keyOf returns the key under which d holds name (any case), or name.
func keyOf(d document, name string) string {
	if _, k, ok := lookup(d, name); ok {
		return k
	}
	return name
}

// getObject returns the object at d[key], creating it when create is set.
func getObject(d document, key string, create bool) (document, bool) {
	v, k, ok := lookup(d, key)
	if obj, isObject := v.(document); ok && isObject {
		return obj, true
	}
	if !create {
		return nil, false
	}
	if k == "" {
		k = key
	}
	obj := document{}
	d[k] = obj
	return obj, true
}

// applyAttr applies an operation to one attribute of d.
func applyAttr(d document, kind, key string, value any) error {
	if kind == "remove" {
		delete(d, key)
		return nil
	}
	existing, hasExisting := d[key]
	isMulti := slices.Contains(multiValued, strings.ToLower(key))
	if list, ok := existing.([]any); ok && hasExisting {
		isMulti = true
		if kind == "add" {
			if vs, ok := value.([]any); ok {
				d[key] = append(list, vs...)
			} else {
				d[key] = append(list, value)
			}
			return nil
		}
	}
	if isMulti {
		if _, ok := value.([]any); !ok {
			value = []any{value}
		}
		d[key] = value
		return nil
	}
	// A complex attribute: the sub-attributes given replace or add to the
	// ones there; the others are left (RFC 7644 §3.5.2.1 and §3.5.2.3).
	if obj, ok := existing.(document); ok {
		if vobj, ok := value.(document); ok {
			for k, v := range vobj {
				if err := applyAttr(obj, kind, keyOf(obj, k), v); err != nil {
					return err
				}
			}
			return nil
		}
	}
	d[key] = value
	return nil
}

// applyFiltered applies an operation to the elements of a list that match
// the path's filter, or to a new element when none does (add and replace).
func applyFiltered(d document, kind, key string, p patchPath, value any) error {
	list, _ := d[key].([]any)
	var matched []int
	for i, item := range list {
		if p.filter.matches(item) {
			matched = append(matched, i)
		}
	}
	if kind == "remove" {
		if p.sub == "" {
			kept := list[:0:0]
			for i, item := range list {
				if !slices.Contains(matched, i) {
					kept = append(kept, item)
				}
			}
			d[key] = kept
			return nil
		}
		for _, i := range matched {
			delete(list[i].(document), keyOf(list[i].(document), p.sub))
		}
		return nil
	}
	if len(matched) == 0 {
		item := document{string(p.filter.Attr): p.filter.Value}
		if p.filter.Value == "true" || p.filter.Value == "false" {
			item[string(p.filter.Attr)] = p.filter.Value == "true"
		}
		list = append(list, item)
		d[key] = list
		matched = []int{len(list) - 1}
	}
	for _, i := range matched {
		e := list[i].(document)
		if p.sub != "" {
			if err := applyAttr(e, kind, keyOf(e, p.sub), value); err != nil {
				return err
			}
			continue
		}
		vobj, ok := value.(document)
		if !ok {
			return BadRequest(TypeInvalidValue, "A value for %s must be an object.", quote(p.raw))
		}
		for k, v := range vobj {
			e[keyOf(e, k)] = v
		}
	}
	return nil
}
