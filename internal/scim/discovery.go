package scim

import "strings"

// The discovery documents of RFC 7644 §4. base is the SCIM base URL
// (…/scim/v2), for meta.location.

// ServiceProviderConfig says what Onramp's SCIM service supports.
func ServiceProviderConfig(base, documentation string) map[string]any {
	return document{
		"schemas":          []any{SchemaServiceProviderConfig},
		"documentationUri": documentation,
		"patch":            document{"supported": true},
		"bulk":             document{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           document{"supported": true, "maxResults": MaxResults},
		"changePassword":   document{"supported": false},
		"sort":             document{"supported": false},
		"etag":             document{"supported": true},
		"authenticationSchemes": []any{document{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "An Onramp API token with the scim scope (onramp tokens create --scope scim, or HR's API tokens page), sent as Authorization: Bearer <token>.",
			"specUri":     "https://www.rfc-editor.org/rfc/rfc6750",
		}},
		"meta": document{"resourceType": "ServiceProviderConfig", "location": trim(base) + "/ServiceProviderConfig"},
	}
}

// ResourceTypeUser describes the one resource type Onramp serves.
func ResourceTypeUser(base string) map[string]any {
	return document{
		"schemas":     []any{SchemaResourceType},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "A person in Onramp: an employee who takes training.",
		"schema":      SchemaUser,
		"schemaExtensions": []any{
			document{"schema": SchemaEnterpriseUser, "required": false},
		},
		"meta": document{"resourceType": "ResourceType", "location": trim(base) + "/ResourceTypes/User"},
	}
}

// attribute describes one attribute in a Schema document (RFC 7643 §7).
func attribute(name, typ string, required bool, mutability, description string, sub ...map[string]any) map[string]any {
	a := document{
		"name": name, "type": typ, "multiValued": false, "description": description, "required": required,
		"caseExact": false, "mutability": mutability, "returned": "default", "uniqueness": "none",
	}
	if len(sub) > 0 {
		list := make([]any, len(sub))
		for i, s := range sub {
			list[i] = s
		}
		a["subAttributes"] = list
	}
	return a
}

// Schemas returns the User schema and the enterprise extension's, with the
// attributes Onramp keeps. Others a provider sends are accepted and not
// stored.
func Schemas(base string) []map[string]any {
	userName := attribute("userName", "string", true, "readWrite", "The identity provider's unique name for the person; their e-mail address for people who were added in Onramp.")
	userName["uniqueness"] = "server"
	externalID := attribute("externalId", "string", false, "readWrite", "The identity provider's ID for the person.")
	externalID["caseExact"] = true
	id := attribute("id", "string", false, "readOnly", "Onramp's ID for the person; never reassigned.")
	id["caseExact"], id["returned"], id["uniqueness"] = true, "always", "server"
	emails := attribute("emails", "complex", true, "readWrite", "E-mail addresses; Onramp keeps one (the primary, else the work one, else the first).",
		attribute("value", "string", true, "readWrite", "The address."),
		attribute("type", "string", false, "readWrite", "work"),
		attribute("primary", "boolean", false, "readWrite", "Whether this is the address to use."),
	)
	emails["multiValued"] = true
	manager := attribute("manager", "complex", false, "readWrite", "The person's manager.",
		attribute("value", "string", false, "readWrite", "The manager's id (Onramp also accepts their employeeNumber)."),
		attribute("$ref", "reference", false, "readOnly", "The manager's URL."),
		attribute("displayName", "string", false, "readOnly", "The manager's name."),
	)
	return []map[string]any{
		{
			"schemas": []any{SchemaSchema}, "id": SchemaUser, "name": "User", "description": "A person in Onramp.",
			"attributes": []any{
				id, userName, externalID,
				attribute("name", "complex", true, "readWrite", "The person's name.",
					attribute("givenName", "string", true, "readWrite", "First name."),
					attribute("familyName", "string", true, "readWrite", "Last name."),
					attribute("formatted", "string", false, "readOnly", "The full name."),
				),
				attribute("displayName", "string", false, "readWrite", "The full name; used for the name when name is not sent."),
				emails,
				attribute("title", "string", false, "readWrite", "Job title; assignment rules may use it."),
				attribute("timezone", "string", false, "readWrite", "IANA time zone (e.g. Europe/London); Onramp sends no e-mail at night there."),
				attribute("active", "boolean", false, "readWrite", "false deactivates the person: signed out at once, open training closed, records kept."),
			},
			"meta": document{"resourceType": "Schema", "location": trim(base) + "/Schemas/" + SchemaUser},
		},
		{
			"schemas": []any{SchemaSchema}, "id": SchemaEnterpriseUser, "name": "EnterpriseUser", "description": "Enterprise User",
			"attributes": []any{
				attribute("employeeNumber", "string", false, "readWrite", "Onramp's employee_id: the HR system's ID, which the staff import matches on."),
				attribute("department", "string", false, "readWrite", "Department; assignment rules may use it."),
				manager,
			},
			"meta": document{"resourceType": "Schema", "location": trim(base) + "/Schemas/" + SchemaEnterpriseUser},
		},
	}
}

// List wraps discovery resources in a ListResponse.
func List(resources []map[string]any) map[string]any {
	list := make([]any, len(resources))
	for i, r := range resources {
		list[i] = r
	}
	return document{
		"schemas": []any{MessageListResponse}, "totalResults": len(resources), "startIndex": 1,
		"itemsPerPage": len(resources), "Resources": list,
	}
}

func trim(base string) string { return strings.TrimSuffix(base, "/") }
