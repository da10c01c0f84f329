-- +goose Up
-- Messages are rendered when they are delivered, not when they are queued:
-- a new outbox row keeps its kind, recipient, subject and payload (the
-- message's content as JSON: courses, dates, reasons), and leaves text_body,
-- html_body and attachments empty. Rows written before this migration have
-- an empty payload and keep their stored bodies, which are sent as they are.
ALTER TABLE outbox ADD COLUMN payload TEXT NOT NULL DEFAULT '';

-- One outbox row may now carry several events (a person's digest), so the
-- send-once guarantee moves from the row to the event: every event's dedupe
-- key (assignment, cycle, kind, step) is written here, in the transaction
-- that queues its message, and an event whose key is already here is not
-- queued again. outbox_id is the row that carried it.
CREATE TABLE outbox_keys (
    dedupe_key TEXT PRIMARY KEY,
    outbox_id  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO outbox_keys (dedupe_key, outbox_id, created_at)
SELECT dedupe_key, id, created_at FROM outbox;

-- +goose Down
DROP TABLE outbox_keys;
ALTER TABLE outbox DROP COLUMN payload;
