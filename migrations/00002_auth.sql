-- +goose Up
-- A sign-in refused because of throttling is recorded but is not a failure:
-- someone who keeps trying while locked out must not extend the lock-out.
ALTER TABLE login_attempts ADD COLUMN throttled BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE login_attempts DROP COLUMN throttled;
