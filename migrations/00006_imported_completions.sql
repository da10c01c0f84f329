-- +goose Up
-- Completions brought over from the system an organisation used before
-- Onramp. Each is recorded as a completed cycle; this table keeps what the
-- previous system said about it (score, evidence) and which file and row it
-- came from, because such a cycle has no Onramp content version, quiz
-- attempts or attestation to prove it.
CREATE TABLE imported_completions (
    id           TEXT PRIMARY KEY,
    cycle_id     TEXT NOT NULL UNIQUE REFERENCES cycles(id),
    employee_id  TEXT NOT NULL REFERENCES employees(id),
    course_id    TEXT NOT NULL REFERENCES courses(id),
    completed_at TIMESTAMP NOT NULL,
    score        INTEGER CHECK (score IS NULL OR (score >= 0 AND score <= 100)),
    evidence     TEXT NOT NULL DEFAULT '',
    source_file  TEXT NOT NULL DEFAULT '',
    source_row   INTEGER NOT NULL,
    imported_at  TIMESTAMP NOT NULL
);
CREATE INDEX imported_completions_employee_idx ON imported_completions (employee_id, course_id);

-- +goose Down
DROP TABLE imported_completions;
