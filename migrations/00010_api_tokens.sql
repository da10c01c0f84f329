-- +goose Up
-- Bearer tokens for the JSON API (/api/v1) that HR systems call. The secret
-- is shown once when the token is created; only its SHA-256 is kept, so a
-- copy of the database cannot be replayed against the API. prefix is the
-- start of the secret, to tell tokens apart in the list. scopes is a JSON
-- list (employees:write, assignments:read, completions:read, reports:read).
-- created_by is NULL for a token created on the command line.
CREATE TABLE api_tokens (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    prefix          TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT REFERENCES employees(id),
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    last_used_at    TIMESTAMP,
    revoked_at      TIMESTAMP,
    revoked_by_name TEXT NOT NULL DEFAULT '',
    expires_at      TIMESTAMP
);
CREATE INDEX api_tokens_created_idx ON api_tokens (created_at);

-- +goose Down
DROP TABLE api_tokens;
