-- +goose Up
-- Skills check-offs (internal/orientation). An observer is an employee HR
-- has named for a course ('' = every course) and a department ('' = every
-- department). Marks are kept as a history: the latest per skill counts.
-- A sign-off is the observer's e-signature (printed name, meaning, time,
-- IP and browser: 21 CFR 11.50), made once every skill is met.
CREATE TABLE checkoff_observers (
    id          TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees(id),
    course_id   TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (employee_id, course_id, department)
);

CREATE TABLE checkoff_marks (
    id            TEXT PRIMARY KEY,
    cycle_id      TEXT NOT NULL REFERENCES cycles(id),
    employee_id   TEXT NOT NULL REFERENCES employees(id),
    module_id     TEXT NOT NULL,
    step_id       TEXT NOT NULL,
    skill_id      TEXT NOT NULL,
    met           BOOLEAN NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    observer_id   TEXT NOT NULL REFERENCES employees(id),
    observer_name TEXT NOT NULL,
    marked_at     TIMESTAMP NOT NULL
);
CREATE INDEX checkoff_marks_cycle_idx ON checkoff_marks (cycle_id, module_id, step_id, marked_at);

CREATE TABLE checkoff_signoffs (
    id                TEXT PRIMARY KEY,
    cycle_id          TEXT NOT NULL REFERENCES cycles(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    module_id         TEXT NOT NULL,
    step_id           TEXT NOT NULL,
    module_version_id TEXT NOT NULL DEFAULT '',
    observer_id       TEXT NOT NULL REFERENCES employees(id),
    printed_name      TEXT NOT NULL,
    meaning           TEXT NOT NULL,
    signed_at         TIMESTAMP NOT NULL,
    ip                TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT '',
    UNIQUE (cycle_id, module_id, step_id)
);

-- +goose Down
DROP TABLE checkoff_signoffs;
DROP TABLE checkoff_marks;
DROP TABLE checkoff_observers;
