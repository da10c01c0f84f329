-- +goose Up
-- Single sign-on. identity_links ties an identity provider's immutable
-- subject (issuer + sub for OIDC) to one employee: the first sign-in links
-- it through the employee_id claim, later sign-ins use the subject alone,
-- so a changed e-mail address or employee_id claim never moves an account.
-- An employee has at most one subject per issuer.
CREATE TABLE identity_links (
    id           TEXT PRIMARY KEY,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    employee_id  TEXT NOT NULL REFERENCES employees(id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    UNIQUE (issuer, subject),
    UNIQUE (issuer, employee_id)
);
CREATE INDEX identity_links_employee_idx ON identity_links (employee_id);

-- sso_logins are sign-ins under way: the state sent to the provider (its
-- SHA-256 is the id), the nonce and PKCE verifier the callback checks, the
-- SHA-256 of a cookie that binds the sign-in to the browser that began it,
-- and where to go afterwards. A row is used once and lives minutes.
CREATE TABLE sso_logins (
    id           TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    next_path    TEXT NOT NULL DEFAULT '/',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sso_logins_expires_idx ON sso_logins (expires_at);

-- +goose Down
DROP TABLE sso_logins;
DROP TABLE identity_links;
