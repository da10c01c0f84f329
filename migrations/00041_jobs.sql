-- +goose Up
-- Work HR starts from a page that may take longer than a page should: a
-- rule change for everyone (100,000 people evaluated: most of a minute), a
-- staff list of 100,000 people (minutes). The request waits a few seconds,
-- then the work goes on in the background and HR follows it on its page,
-- from any instance (internal/jobs). Each batch of the work adds to
-- batches, done and figures (what it did so far, as JSON) in its own
-- transaction; the last sets finished_at, and a failure sets error (a
-- message for HR) with it. A row left unfinished and not updated for a
-- while is work whose process stopped.
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    batches     INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    figures     TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
-- The pages list the work of a kind not finished.
CREATE INDEX jobs_running_idx ON jobs (kind, updated_at) WHERE finished_at IS NULL;

-- +goose Down
DROP TABLE jobs;
