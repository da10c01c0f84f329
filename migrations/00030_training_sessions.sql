-- +goose Up
-- Instructor-led sessions (internal/orientation): HR schedules a session of
-- a course, or of one of its modules, with its trainer and the trainer's
-- qualification as it stands that day. reminder_at is the session's next
-- event: when the day-before reminder is due (NULL once sent, or for a
-- cancelled session); the scheduler pass reads it through its index.
-- checkin_secret keys the QR check-in code that changes every minute.
CREATE TABLE training_sessions (
    id                    TEXT PRIMARY KEY,
    course_id             TEXT NOT NULL,
    module_id             TEXT NOT NULL DEFAULT '',
    course_version_id     TEXT NOT NULL DEFAULT '',
    starts_at             TIMESTAMP NOT NULL,
    ends_at               TIMESTAMP NOT NULL,
    time_zone             TEXT NOT NULL,
    place                 TEXT NOT NULL DEFAULT '',
    video_url             TEXT NOT NULL DEFAULT '',
    capacity              INTEGER NOT NULL CHECK (capacity > 0),
    trainer_employee_id   TEXT REFERENCES employees(id),
    trainer_name          TEXT NOT NULL,
    trainer_qualification TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence              INTEGER NOT NULL DEFAULT 0,
    reminder_at           TIMESTAMP,
    checkin_secret        TEXT NOT NULL,
    created_by            TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    cancelled_at          TIMESTAMP
);
CREATE INDEX training_sessions_course_idx ON training_sessions (course_id, starts_at);
CREATE INDEX training_sessions_starts_idx ON training_sessions (starts_at);
CREATE INDEX training_sessions_reminder_idx ON training_sessions (reminder_at);
CREATE INDEX training_sessions_trainer_idx ON training_sessions (trainer_employee_id, starts_at);

-- One row per person and session: booked, on the wait-list (in order of
-- waitlisted_at) or cancelled; a person who books again gets the row back.
-- employee_name, job_title and department are the snapshot taken when the
-- person was booked and again when attendance is taken (OSHA 1910.1030(h)(2):
-- the names and job titles of the people trained). attendance is '' until
-- taken, then 'attended' or 'no_show'; late and left_early qualify it.
CREATE TABLE session_bookings (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES training_sessions(id),
    employee_id     TEXT NOT NULL REFERENCES employees(id),
    status          TEXT NOT NULL CHECK (status IN ('booked', 'waitlisted', 'cancelled')),
    waitlisted_at   TIMESTAMP,
    booked_by       TEXT NOT NULL DEFAULT '',
    sequence        INTEGER NOT NULL DEFAULT 0,
    employee_name   TEXT NOT NULL,
    job_title       TEXT NOT NULL DEFAULT '',
    department      TEXT NOT NULL DEFAULT '',
    attendance      TEXT NOT NULL DEFAULT '' CHECK (attendance IN ('', 'attended', 'no_show')),
    late            BOOLEAN NOT NULL DEFAULT FALSE,
    left_early      BOOLEAN NOT NULL DEFAULT FALSE,
    checked_in_at   TIMESTAMP,
    check_in_method TEXT NOT NULL DEFAULT '',
    marked_by       TEXT NOT NULL DEFAULT '',
    marked_by_name  TEXT NOT NULL DEFAULT '',
    marked_at       TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (session_id, employee_id)
);
CREATE INDEX session_bookings_employee_idx ON session_bookings (employee_id, status);
CREATE INDEX session_bookings_session_idx ON session_bookings (session_id, status, waitlisted_at);

-- +goose Down
DROP TABLE session_bookings;
DROP TABLE training_sessions;
