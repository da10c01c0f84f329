-- +goose Up
-- Questions learners ask a course's contact (course.yaml `contact:`), sent
-- through the outbox and kept in the person's record with when they were
-- answered. answer_token_hash is the SHA-256 of the secret in the e-mail's
-- "mark as answered" link (the contact may be a mailbox without an account).
CREATE TABLE course_questions (
    id                TEXT PRIMARY KEY,
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    course_id         TEXT NOT NULL,
    question          TEXT NOT NULL,
    contact_name      TEXT NOT NULL,
    contact_email     TEXT NOT NULL,
    asked_at          TIMESTAMP NOT NULL,
    answered_at       TIMESTAMP,
    answer_token_hash TEXT NOT NULL
);
CREATE INDEX course_questions_employee_idx ON course_questions (employee_id, course_id, asked_at);

-- +goose Down
DROP TABLE course_questions;
