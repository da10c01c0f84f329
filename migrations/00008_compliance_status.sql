-- +goose Up
-- Data kept ready for reports (internal/report). Everything here is derived
-- from cycles, assignments and employees and can be rebuilt at any time
-- (`report.Refresh`); nothing here is evidence, so there are no foreign keys
-- to slow the bulk refresh down.
--
-- compliance_status: one row per active assignment with its current standing
-- as people understand it, and the employee fields reports filter on copied
-- in, so a report reads one table through one index.
--   status: completed (valid now, including a refresher whose window is open
--   while the previous completion is still valid), in_progress, not_started,
--   overdue (past due, never completed in this assignment), expired (past due
--   on a refresher: the previous completion has lapsed), exempt.
--   completed_at / expires_at: the completion that counts (or last counted).
-- Only active employees have rows: the engine closes a leaver's assignments
-- in the same pass, so reports never need to filter leavers out.
CREATE TABLE compliance_status (
    employee_id     TEXT NOT NULL,
    course_id       TEXT NOT NULL,
    assignment_id   TEXT NOT NULL,
    cycle_id        TEXT NOT NULL,
    cycle_number    INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('completed', 'in_progress', 'not_started', 'overdue', 'expired', 'exempt')),
    due_at          TIMESTAMP NOT NULL,
    completed_at    TIMESTAMP,
    expires_at      TIMESTAMP,
    department      TEXT NOT NULL DEFAULT '',
    job_title       TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    manager_id      TEXT,
    employee_name   TEXT NOT NULL,
    sort_name       TEXT NOT NULL,
    employee_number TEXT,
    refreshed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (employee_id, course_id)
);
-- Dashboard counts and the by-department report (covering: no table reads).
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id, status, department);
CREATE INDEX compliance_status_department_idx ON compliance_status (department, status, course_id);
-- The overdue and expiring lists, in the order they are printed.
CREATE INDEX compliance_status_due_idx ON compliance_status (status, due_at);
CREATE INDEX compliance_status_expires_idx ON compliance_status (status, expires_at);
-- The status list and the matrix, people in name order, streamed from the index.
CREATE INDEX compliance_status_name_idx ON compliance_status (sort_name, employee_id, course_id);
CREATE INDEX compliance_status_job_title_idx ON compliance_status (job_title);
CREATE INDEX compliance_status_location_idx ON compliance_status (location);

-- compliance_history: one snapshot a day of how many active people stood
-- where, per course and department, for the 12-month trend.
CREATE TABLE compliance_history (
    day        TIMESTAMP NOT NULL,
    course_id  TEXT NOT NULL,
    department TEXT NOT NULL,
    status     TEXT NOT NULL,
    people     INTEGER NOT NULL,
    PRIMARY KEY (day, course_id, department, status)
);

-- compliance_refresh: when the table was last rebuilt in full and last
-- brought up to date (the scheduler's pass reads it to decide between a full
-- and an incremental refresh), and the day of the last snapshot.
CREATE TABLE compliance_refresh (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    full_at      TIMESTAMP,
    pass_at      TIMESTAMP,
    snapshot_day TIMESTAMP
);
INSERT INTO compliance_refresh (id) VALUES (1);

-- What the incremental refresh asks: whose cycles, assignments or employee
-- record changed since the last pass; and the completions report, streamed
-- in completion order.
CREATE INDEX cycles_updated_idx ON cycles (updated_at);
CREATE INDEX cycles_completed_idx ON cycles (completed_at);
CREATE INDEX assignments_closed_idx ON assignments (closed_at);
CREATE INDEX employees_updated_idx ON employees (updated_at);

-- +goose Down
DROP INDEX employees_updated_idx;
DROP INDEX assignments_closed_idx;
DROP INDEX cycles_completed_idx;
DROP INDEX cycles_updated_idx;
DROP TABLE compliance_refresh;
DROP TABLE compliance_history;
DROP TABLE compliance_status;
