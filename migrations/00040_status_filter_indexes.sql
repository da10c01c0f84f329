-- +goose Up
-- The report filters by course and by department read compliance_status
-- through these indexes (and count a filter's rows through them to choose
-- a plan); none of them asks for a status through the index. Keyed on the
-- status too, every change of a person's standing (a completion, a course
-- going overdue) moved the row's entry in both, at a random place: at
-- 30,000 people that was about an eighth of the CPU of a history import
-- (issue 10). Keyed on the course or the department alone, an entry moves
-- only when those change.
DROP INDEX compliance_status_course_idx;
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id);
DROP INDEX compliance_status_department_idx;
CREATE INDEX compliance_status_department_idx ON compliance_status (department);

-- +goose Down
DROP INDEX compliance_status_department_idx;
CREATE INDEX compliance_status_department_idx ON compliance_status (department, status);
DROP INDEX compliance_status_course_idx;
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id, status);
