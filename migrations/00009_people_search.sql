-- +goose Up
-- HR's people list (internal/people, directory.go) at 100,000 employees.
--
-- Search matches the start of a first name, last name, e-mail or employee_id,
-- ignoring case. Each is indexed on its first two characters, lower-cased:
-- the list narrows by equality on that key, which means the same on SQLite
-- and on PostgreSQL whatever the database's collation (a range scan over a
-- collation-ordered index is not a prefix match under a non-C locale), then
-- checks the whole prefix with LIKE on the few rows left.
CREATE INDEX employees_first_name_prefix_idx ON employees (substr(lower(first_name), 1, 2));
CREATE INDEX employees_last_name_prefix_idx ON employees (substr(lower(last_name), 1, 2));
CREATE INDEX employees_email_prefix_idx ON employees (substr(lower(email), 1, 2));
CREATE INDEX employees_number_prefix_idx ON employees (substr(lower(employee_number), 1, 2));
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
DROP INDEX employees_number_prefix_idx;
DROP INDEX employees_email_prefix_idx;
DROP INDEX employees_last_name_prefix_idx;
DROP INDEX employees_first_name_prefix_idx;
