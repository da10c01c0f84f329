-- +goose Up
-- How many people stand where, per course, department and standing, kept as
-- compliance_status changes (internal/report/counts.go, issue 10), so the
-- dashboard, the daily snapshot and the per-course summary read a few
-- thousand rows instead of counting two million.
--
-- With the counts kept here, the two indexes that counted them no longer
-- carry the third column: (course_id, status, department) and (department,
-- status, course_id) put the rows of a write batch at one place per course
-- and department (800 places for 20 courses and 40 departments), so every
-- batch of an import or a pass wrote hundreds of index pages however few
-- rows it had. (course_id, status) and (department, status) still serve the
-- report filters and the "By department" report.
CREATE TABLE compliance_counts (
    course_id  TEXT NOT NULL,
    department TEXT NOT NULL,
    status     TEXT NOT NULL,
    people     BIGINT NOT NULL,
    PRIMARY KEY (course_id, department, status)
);
-- Changes not yet added to compliance_counts. On PostgreSQL a transaction
-- that changes compliance_status appends its changes here (no row of
-- compliance_counts is locked, so concurrent transactions never wait for or
-- deadlock on one another) and one transaction at a time folds them in. On
-- SQLite, which has one writer at a time, changes go straight to
-- compliance_counts and this table stays empty.
CREATE TABLE compliance_count_changes (
    course_id  TEXT NOT NULL,
    department TEXT NOT NULL,
    status     TEXT NOT NULL,
    people     BIGINT NOT NULL
);
INSERT INTO compliance_counts (course_id, department, status, people)
    SELECT course_id, department, status, COUNT(*) FROM compliance_status GROUP BY course_id, department, status;

DROP INDEX compliance_status_course_idx;
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id, status);
DROP INDEX compliance_status_department_idx;
CREATE INDEX compliance_status_department_idx ON compliance_status (department, status);

-- +goose Down
DROP INDEX compliance_status_department_idx;
CREATE INDEX compliance_status_department_idx ON compliance_status (department, status, course_id);
DROP INDEX compliance_status_course_idx;
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id, status, department);
DROP TABLE compliance_count_changes;
DROP TABLE compliance_counts;
