-- +goose Up
-- Extra quiz attempts HR or a manager granted a person for one quiz step in
-- one cycle, with the reason. A quiz allows its own attempts plus the sum of
-- the grants for that cycle, module and step.
CREATE TABLE quiz_attempt_grants (
    id          TEXT PRIMARY KEY,
    cycle_id    TEXT NOT NULL REFERENCES cycles(id),
    employee_id TEXT NOT NULL REFERENCES employees(id),
    module_id   TEXT NOT NULL,
    step_id     TEXT NOT NULL,
    extra       INTEGER NOT NULL CHECK (extra > 0),
    reason      TEXT NOT NULL,
    granted_by  TEXT NOT NULL DEFAULT '',
    granted_by_name TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX quiz_attempt_grants_cycle_idx ON quiz_attempt_grants (cycle_id, module_id, step_id);

-- +goose Down
DROP TABLE quiz_attempt_grants;
