-- +goose Up
-- SAML 2.0 sign-in.
--
-- saml_requests are SP-initiated sign-ins under way: the AuthnRequest ID the
-- identity provider must answer (InResponseTo), the SHA-256 of the
-- RelayState sent with it (the id), the SHA-256 of a cookie that binds the
-- sign-in to the browser that began it, and where to go afterwards. A row is
-- used once and lives minutes. The identity provider's answer arrives as a
-- cross-site POST, so these rows, not the CSRF token, tie it to this browser.
CREATE TABLE saml_requests (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    next_path    TEXT NOT NULL DEFAULT '/',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX saml_requests_expires_idx ON saml_requests (expires_at);

-- saml_assertions are the IDs of assertions already accepted, kept until
-- the assertion could no longer be accepted anyway, so that a captured
-- assertion is never accepted twice, on any instance.
CREATE TABLE saml_assertions (
    id         TEXT PRIMARY KEY,
    issuer     TEXT NOT NULL,
    used_at    TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX saml_assertions_expires_idx ON saml_assertions (expires_at);

-- +goose Down
DROP TABLE saml_assertions;
DROP TABLE saml_requests;
