-- +goose Up
-- A saved rule change being applied, so HR can follow it from any page and
-- any instance (internal/compliance/rules_background.go). A change for
-- everyone at a hospital system's size evaluates 100,000 people, which
-- takes most of a minute: the request that saves it answers after a few
-- seconds and the change goes on in the background, each batch adding to
-- batches, done, assigned and closed in its own transaction (the first
-- batch saves the rule). finished_at is set
-- with the last batch, or with error when it failed; a row left unfinished
-- and not updated for a while is one whose process stopped (the rule stands
-- as saved, and the next scheduler pass applies it to the others).
CREATE TABLE rule_applications (
    id          TEXT PRIMARY KEY,
    rule_id     TEXT NOT NULL,
    rule_name   TEXT NOT NULL,
    new_rule    BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    batches     INTEGER NOT NULL DEFAULT 0,
    people      INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    assigned    INTEGER NOT NULL DEFAULT 0,
    closed      INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
-- The rules page lists the changes not finished.
CREATE INDEX rule_applications_running_idx ON rule_applications (updated_at) WHERE finished_at IS NULL;

-- +goose Down
DROP TABLE rule_applications;
