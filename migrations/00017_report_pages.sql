-- +goose Up
-- HR's pages at 100,000 people × 20 courses (internal/report, issue 10).
--
-- Report previews and the team page are read a page at a time with keyset
-- pagination: "the rows after this one, in the report's order", which is a
-- range scan of an index in that order, stopping after a page. Each index
-- below ends with the columns that make the order unique.

-- The overdue report: overdue and expired rows by due date, then name. The
-- query names the two standings as literals, so both databases use these
-- partial indexes (a fraction of compliance_status); the second serves the
-- department filter, the one HR uses most.
CREATE INDEX compliance_status_overdue_idx ON compliance_status (due_at, sort_name, employee_id, course_id)
    WHERE status IN ('overdue', 'expired');
CREATE INDEX compliance_status_overdue_dept_idx ON compliance_status (department, due_at, sort_name, employee_id, course_id)
    WHERE status IN ('overdue', 'expired');
-- (status, due_at) gave the order one standing at a time, so the two had to
-- be sorted together; SQLite still preferred it for the first page.
DROP INDEX IF EXISTS compliance_status_due_idx;
-- The team page: whether someone is overdue or expired anywhere, one probe.
CREATE INDEX compliance_status_attention_idx ON compliance_status (employee_id)
    WHERE status IN ('overdue', 'expired');
-- The expiring report (and the dashboard's expiring counts): completed rows
-- by expiry date, then name, partial like the two above. It replaces
-- (status, expires_at), which SQLite also preferred for the overdue report's
-- first page (status IN (…), then sorted).
CREATE INDEX compliance_status_expiring_idx ON compliance_status (expires_at, sort_name, employee_id, course_id)
    WHERE status = 'completed';
DROP INDEX IF EXISTS compliance_status_expires_idx;
-- The completions report: completed cycles in completion order, the cycle
-- ID breaking ties. It replaces (completed_at).
CREATE INDEX cycles_completed_id_idx ON cycles (completed_at, id);
DROP INDEX IF EXISTS cycles_completed_idx;

-- compliance_generation: a number bumped in every transaction that changes
-- compliance_status (report.Refresh, report.RefreshEmployees). The
-- dashboard's counts are computed once per generation and day and kept in
-- memory; each instance compares the number it computed them at with this
-- row (one primary-key read) and recomputes when it moved, so every
-- instance sees every change.
CREATE TABLE compliance_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO compliance_generation (id, generation) VALUES (1, 1);

-- +goose Down
DROP TABLE compliance_generation;
CREATE INDEX IF NOT EXISTS cycles_completed_idx ON cycles (completed_at);
DROP INDEX cycles_completed_id_idx;
CREATE INDEX IF NOT EXISTS compliance_status_expires_idx ON compliance_status (status, expires_at);
DROP INDEX compliance_status_expiring_idx;
DROP INDEX compliance_status_attention_idx;
DROP INDEX compliance_status_overdue_dept_idx;
CREATE INDEX IF NOT EXISTS compliance_status_due_idx ON compliance_status (status, due_at);
DROP INDEX compliance_status_overdue_idx;
