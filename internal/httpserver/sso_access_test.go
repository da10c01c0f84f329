package httpserver_test

import "net/http"

// Single sign-on is open to everyone, like the password form; without
// ONRAMP_OIDC_ISSUER or ONRAMP_SAML_IDP_METADATA (as here) its routes do not exist for anyone. The
// flow itself is tested in sso_test.go against a real provider.
func init() {
	notConfigured := access{Anonymous: http.StatusNotFound, Learner: http.StatusNotFound, Manager: http.StatusNotFound, HRAdmin: http.StatusNotFound}
	expectAccess("GET /auth/oidc/start", notConfigured)
	expectAccess("GET /auth/oidc/callback", notConfigured)
	// SAML (ONRAMP_SAML_IDP_METADATA unset here), tested in saml_test.go.
	expectAccess("GET /saml/metadata", notConfigured)
	expectAccess("GET /saml/start", notConfigured)
	expectAccess("POST /saml/acs", notConfigured)
}
