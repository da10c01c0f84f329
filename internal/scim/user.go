package scim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// User is one person as SCIM shows them: Onramp's employee with the
// identity provider's names for them.
type User struct {
	// ID is Onramp's ID of the employee: the SCIM id, never reassigned.
	ID         string
	ExternalID string
	// UserName is what the identity provider sent as userName, or the
	// person's e-mail address when none was ever sent (people HR added).
	UserName   string
	GivenName  string
	FamilyName string
	Email      string
	Active     bool
	// Title is Onramp's job title.
	Title string
	// TimeZone is an IANA zone, or empty for the organisation's.
	TimeZone string
	// EmployeeNumber is Onramp's employee_id, the HR system's ID.
	EmployeeNumber string
	Department     string
	// ManagerID is the manager's SCIM id (Onramp ID); ManagerName their name.
	ManagerID    string
	ManagerName  string
	Created      time.Time
	LastModified time.Time
}

// document is a resource as a JSON object, keys as RFC 7643 names them.
type document = map[string]any

// attributes returns u's attributes without meta: what PATCH operates on
// and what the version is computed from.
func (u *User) attributes() document {
	d := document{
		"schemas":  []any{SchemaUser, SchemaEnterpriseUser},
		"id":       u.ID,
		"userName": u.UserName,
		"name": document{
			"givenName": u.GivenName, "familyName": u.FamilyName,
			"formatted": strings.TrimSpace(u.GivenName + " " + u.FamilyName),
		},
		"displayName": strings.TrimSpace(u.GivenName + " " + u.FamilyName),
		"active":      u.Active,
	}
	if u.ExternalID != "" {
		d["externalId"] = u.ExternalID
	}
	if u.Email != "" {
		d["emails"] = []any{document{"value": u.Email, "type": "work", "primary": true}}
	}
	if u.Title != "" {
		d["title"] = u.Title
	}
	if u.TimeZone != "" {
		d["timezone"] = u.TimeZone
	}
	ext := document{}
	if u.EmployeeNumber != "" {
		ext["employeeNumber"] = u.EmployeeNumber
	}
	if u.Department != "" {
		ext["department"] = u.Department
	}
	if u.ManagerID != "" {
		m := document{"value": u.ManagerID}
		if u.ManagerName != "" {
			m["displayName"] = u.ManagerName
		}
		ext["manager"] = m
	}
	d[SchemaEnterpriseUser] = ext
	return d
}

// Version is the resource's ETag (RFC 7644 §3.14): a weak tag over every
// attribute it shows, so it changes whenever any of them does.
func (u *User) Version() string {
	b, _ := json.Marshal(u.attributes())
	sum := sha256.Sum256(b)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// Location is the resource's URL under base (the SCIM base URL).
func (u *User) Location(base string) string { return strings.TrimSuffix(base, "/") + "/Users/" + u.ID }

// Resource is u as a response body: its attributes, the manager's $ref,
// and meta.
func (u *User) Resource(base string) document {
	d := u.attributes()
	if m, ok := d[SchemaEnterpriseUser].(document)["manager"].(document); ok {
		m["$ref"] = strings.TrimSuffix(base, "/") + "/Users/" + u.ManagerID
	}
	d["meta"] = document{
		"resourceType": "User",
		"created":      u.Created.UTC().Format(time.RFC3339),
		"lastModified": u.LastModified.UTC().Format(time.RFC3339),
		"location":     u.Location(base),
		"version":      u.Version(),
	}
	return d
}
