-- +goose Up
-- compliance_status copied seven fields of the employee record into each of
-- a person's rows (00008). Only two are read as this table's own: the name as
-- sorted (sort_name, inside every report's keyset order) and the department
-- (the overdue-by-department order, and the kept counts, which must know the
-- department a row was counted under). The others are shown, or filter, and
-- the reports now read them from employees by primary key (internal/report,
-- doc.go). At 100,000 people × 20 courses they were about a third of the
-- table's bytes and two of its nine indexes, written by every import batch and
-- every pass (issue 10).
--
-- SQLite rewrites the table once per dropped column; PostgreSQL only marks the
-- columns dropped. A job title or site filter of a report now looks up
-- employees by those fields: job title has had an index since 00009, the site
-- gets one here.
DROP INDEX compliance_status_job_title_idx;
DROP INDEX compliance_status_location_idx;
ALTER TABLE compliance_status DROP COLUMN job_title;
ALTER TABLE compliance_status DROP COLUMN location;
ALTER TABLE compliance_status DROP COLUMN manager_id;
ALTER TABLE compliance_status DROP COLUMN employee_name;
ALTER TABLE compliance_status DROP COLUMN employee_number;
CREATE INDEX employees_location_idx ON employees (location);

-- +goose Down
DROP INDEX employees_location_idx;
ALTER TABLE compliance_status ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE compliance_status ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE compliance_status ADD COLUMN manager_id TEXT;
ALTER TABLE compliance_status ADD COLUMN employee_name TEXT NOT NULL DEFAULT '';
ALTER TABLE compliance_status ADD COLUMN employee_number TEXT;
UPDATE compliance_status SET job_title = e.job_title, location = e.location, manager_id = e.manager_id,
    employee_name = TRIM(e.first_name || ' ' || e.last_name), employee_number = e.employee_number
FROM employees e WHERE e.id = compliance_status.employee_id;
CREATE INDEX compliance_status_job_title_idx ON compliance_status (job_title);
CREATE INDEX compliance_status_location_idx ON compliance_status (location);
