-- +goose Up
-- A set-password link is either an invitation (a new hire's first password,
-- sent by HR or carried by the first e-mail a person without a password
-- receives) or a password reset asked for on "Forgot your password?". Both
-- are single-use and stored as the SHA-256 of their token.
ALTER TABLE invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invite';

-- login_attempts also records "forgot your password" requests, which are
-- throttled like sign-ins but never count as failed sign-ins.
ALTER TABLE login_attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'sign_in';

-- HR's People list filtered by "has not set a password", in name order: the
-- few people without one, read from this index, not the whole table.
CREATE INDEX employees_no_password_idx ON employees (last_name, first_name, id) WHERE password_hash = '';

-- +goose Down
DROP INDEX employees_no_password_idx;
ALTER TABLE login_attempts DROP COLUMN kind;
ALTER TABLE invitations DROP COLUMN purpose;
