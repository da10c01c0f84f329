-- +goose Up
-- The outbox: every e-mail Onramp sends is a row here, written in the same
-- transaction as the change that causes it, and delivered later by the
-- delivery pass (internal/notify). dedupe_key (assignment, cycle, kind, step)
-- is what makes each reminder exist, and so be sent, once.
--
-- state: pending (never tried), sending (claimed by a sender until
-- claimed_until; a crashed sender's claim expires), sent, failed (will be
-- retried at next_attempt_at), dead (gave up; HR can retry it).
-- attachments is JSON: [{"name", "content_type", "data" (base64)}].
CREATE TABLE outbox (
    id                    TEXT PRIMARY KEY,
    dedupe_key            TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL,
    recipient_employee_id TEXT REFERENCES employees(id),
    to_address            TEXT NOT NULL,
    to_name               TEXT NOT NULL DEFAULT '',
    subject               TEXT NOT NULL,
    text_body             TEXT NOT NULL,
    html_body             TEXT NOT NULL DEFAULT '',
    attachments           TEXT NOT NULL DEFAULT '[]',
    state                 TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead')),
    attempts              INTEGER NOT NULL DEFAULT 0,
    next_attempt_at       TIMESTAMP NOT NULL,
    claimed_until         TIMESTAMP,
    last_error            TEXT NOT NULL DEFAULT '',
    message_id            TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    sent_at               TIMESTAMP
);
-- The delivery query: due rows by state, oldest first.
CREATE INDEX outbox_due_idx ON outbox (state, next_attempt_at);
-- HR's delivery log, newest first, and a person's messages.
CREATE INDEX outbox_created_idx ON outbox (created_at);
CREATE INDEX outbox_recipient_idx ON outbox (recipient_employee_id);

-- +goose Down
DROP TABLE outbox;
