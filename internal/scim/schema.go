package scim

// The schema and message URNs of RFC 7643 and RFC 7644.
const (
	SchemaUser                  = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaEnterpriseUser        = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaServiceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	SchemaResourceType          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	MessageListResponse         = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	MessagePatchOp              = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	MessageError                = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// ContentType is the media type of every SCIM request and response body.
const ContentType = "application/scim+json"

// MaxResults is the most resources one list response holds; a larger count
// is lowered to it (RFC 7644 §3.4.2.4), and ServiceProviderConfig says so.
const MaxResults = 200

// MaxBodyBytes is the largest request body SCIM accepts.
const MaxBodyBytes = 1 << 20
