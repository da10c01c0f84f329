// Package scim is Onramp's SCIM 2.0 service provider (RFC 7643, RFC 7644)
// for the User resource with the enterprise extension: what an identity
// provider (Microsoft Entra ID, Okta, Keycloak with a SCIM plugin) calls to
// create, update and deactivate the people it manages.
//
// It holds the protocol: the resource's JSON, filters, PATCH operations, the
// error format and the discovery documents (ServiceProviderConfig,
// ResourceTypes, Schemas). It holds the identity provider's names for a
// person (userName, externalId) and which people were deleted through SCIM.
// It changes people only through People, the same use case HR's pages, the
// staff import and the JSON API go through, so a provisioned change is
// validated, re-runs the assignment rules, refreshes the reports, ends a
// leaver's sessions and is audited like any other. Its own writes
// (scim_users) join the person's change through people.Also, and a request
// that enables and edits someone is one people.Service call
// (people.SetActive), so every SCIM request is exactly one transaction.
//
// A SCIM DELETE never deletes: the person is deactivated (training records
// are evidence and stay), and the resource answers 404 from then on, as
// RFC 7644 §3.6 asks. A later POST for the same person (same employeeNumber
// or userName) brings them back, with their records.
//
// It knows nothing of HTTP frameworks: package httpserver wires it to Echo.
package scim
