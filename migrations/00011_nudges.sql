-- +goose Up
-- One refresher nudge per person, course and calendar month: the row is
-- written in the same transaction as the nudge's outbox message.
CREATE TABLE nudge_log (
    employee_id TEXT NOT NULL REFERENCES employees(id),
    course_id   TEXT NOT NULL REFERENCES courses(id),
    month       TEXT NOT NULL,
    nudge_id    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (employee_id, course_id, month)
);

-- +goose Down
DROP TABLE nudge_log;
