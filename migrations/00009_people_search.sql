-- +goose Up
-- HR's people list (internal/people, directory.go) at 100,000 employees.
--
-- Search matches the start of a first name, last name, e-mail or employee_id,
-- ignoring case: a range over lower(column), read from these indexes.
-- SQLite compares text byte by byte, so the range is exactly the prefix. On
-- PostgreSQL it is too when the database sorts by code point (created with
-- the C or C.UTF-8 locale); under another collation the search compares with
-- COLLATE "C" to stay exact, and reads the table instead (tens of
-- milliseconds at 100,000 people).
CREATE INDEX employees_first_name_lower_idx ON employees (lower(first_name));
CREATE INDEX employees_last_name_lower_idx ON employees (lower(last_name));
CREATE INDEX employees_email_lower_idx ON employees (lower(email));
CREATE INDEX employees_number_lower_idx ON employees (lower(employee_number));
-- The list in name order, a page at a time, without sorting everyone; and the
-- job title filter and its choices (department already has an index).
CREATE INDEX employees_name_idx ON employees (last_name, first_name, id);
CREATE INDEX employees_job_title_idx ON employees (job_title);

-- Staff files uploaded on HR's import page, kept from the preview until they
-- are applied or discarded, and for a day at most, so that Apply reads the
-- very file that was previewed, whichever instance serves it. content is the
-- file as uploaded, gzip-compressed (BYTEA is a blob on SQLite too).
CREATE TABLE staff_uploads (
    id                 TEXT PRIMARY KEY,
    file_name          TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL,
    content            BYTEA NOT NULL,
    deactivate_missing BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_by        TEXT NOT NULL REFERENCES employees(id),
    uploaded_at        TIMESTAMP NOT NULL
);
CREATE INDEX staff_uploads_uploaded_at_idx ON staff_uploads (uploaded_at);

-- +goose Down
DROP TABLE staff_uploads;
DROP INDEX employees_job_title_idx;
DROP INDEX employees_name_idx;
DROP INDEX employees_number_lower_idx;
DROP INDEX employees_email_lower_idx;
DROP INDEX employees_last_name_lower_idx;
DROP INDEX employees_first_name_lower_idx;
