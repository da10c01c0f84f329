-- +goose Up
-- Reminders a manager sent a person about one course from the team page
-- ("Send a reminder"): at most one per person and course in 24 hours, so
-- the team page can say when the last one went and refuse another.
CREATE TABLE manager_reminders (
    id          TEXT PRIMARY KEY,
    cycle_id    TEXT NOT NULL REFERENCES cycles(id),
    employee_id TEXT NOT NULL REFERENCES employees(id),
    course_id   TEXT NOT NULL,
    sent_by     TEXT NOT NULL REFERENCES employees(id),
    sent_at     TIMESTAMP NOT NULL
);
CREATE INDEX manager_reminders_employee_idx ON manager_reminders (employee_id, course_id, sent_at);

-- +goose Down
DROP TABLE manager_reminders;
