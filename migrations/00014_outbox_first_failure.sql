-- +goose Up
-- When a message's first try failed: it goes dead 24 hours after that
-- (internal/notify, DeadAfter), however many tries fitted in. NULL until a
-- try fails; HR's retry clears it.
ALTER TABLE outbox ADD COLUMN first_failed_at TIMESTAMP;

-- +goose Down
ALTER TABLE outbox DROP COLUMN first_failed_at;
