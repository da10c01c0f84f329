-- +goose Up
-- HR's delivery log (/admin/outbox) pages newest first by (created_at, id)
-- from a position (keyset pagination, notify.Outbox.List), all messages or
-- those in one state. A scheduler pass queues all its messages at one
-- moment, so the old index on created_at alone left 100,000 of them to be
-- sorted by id for every page at 100,000 people (130 ms), and the filter
-- by state sorted every message in that state (1.0 s).
DROP INDEX outbox_created_idx;
CREATE INDEX outbox_created_idx ON outbox (created_at, id);
CREATE INDEX outbox_state_created_idx ON outbox (state, created_at, id);

-- +goose Down
DROP INDEX outbox_state_created_idx;
DROP INDEX outbox_created_idx;
CREATE INDEX outbox_created_idx ON outbox (created_at);
