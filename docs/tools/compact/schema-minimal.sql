-- Run on a copy of the migrated, empty database: the six big tables in compact form, the minimal variant (only
-- assignments, cycles and imported completions get integer keys; people, courses, rules and messages keep their text
-- IDs; stage with `stage.py … minimal`): an experiment (see
-- README.md here), not a migration.
DROP TABLE compliance_status; DROP TABLE outbox_keys; DROP TABLE rule_matches; DROP TABLE cycles; DROP TABLE assignments;
CREATE TABLE assignments (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, employee_id TEXT NOT NULL, course_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active', created_at INTEGER NOT NULL, closed_at INTEGER, closed_reason TEXT NOT NULL DEFAULT '', rule_id TEXT,
  UNIQUE (employee_id, course_id));
CREATE TABLE cycles (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, assignment_id INTEGER NOT NULL, employee_id TEXT NOT NULL, course_id TEXT NOT NULL,
  number INTEGER NOT NULL, path TEXT NOT NULL DEFAULT 'full', status TEXT NOT NULL, window_opens_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
  started_at INTEGER, completed_at INTEGER, expires_at INTEGER, closed_at INTEGER, closed_reason TEXT NOT NULL DEFAULT '', derivation TEXT NOT NULL DEFAULT '',
  course_version_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, exempt_until INTEGER, reminder_stage TEXT NOT NULL DEFAULT '', next_event_at INTEGER,
  UNIQUE (assignment_id, number));
CREATE INDEX cycles_employee_idx ON cycles (employee_id);
CREATE INDEX cycles_next_event_idx ON cycles (next_event_at);
CREATE INDEX cycles_open_due_idx ON cycles (due_at) WHERE status IN ('upcoming', 'open', 'in_progress', 'overdue');
CREATE INDEX cycles_completed_id_idx ON cycles (completed_at) WHERE completed_at IS NOT NULL;
CREATE TABLE rule_matches (rule_id TEXT NOT NULL, employee_id TEXT NOT NULL, first_matched_at INTEGER NOT NULL, PRIMARY KEY (rule_id, employee_id));
CREATE INDEX rule_matches_employee_idx ON rule_matches (employee_id);
CREATE TABLE outbox_keys (dedupe_key TEXT PRIMARY KEY, outbox_id TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE compliance_status (employee_id TEXT NOT NULL, course_id TEXT NOT NULL, assignment_id INTEGER NOT NULL, cycle_id INTEGER NOT NULL,
  cycle_number INTEGER NOT NULL, status TEXT NOT NULL, due_at INTEGER NOT NULL, completed_at INTEGER, expires_at INTEGER,
  department TEXT NOT NULL DEFAULT '', job_title TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '', manager_id TEXT,
  employee_name TEXT NOT NULL, sort_name TEXT NOT NULL, employee_number TEXT, refreshed_at INTEGER NOT NULL, PRIMARY KEY (employee_id, course_id));
CREATE INDEX compliance_status_name_idx ON compliance_status (sort_name, employee_id, course_id);
CREATE INDEX compliance_status_job_title_idx ON compliance_status (job_title);
CREATE INDEX compliance_status_location_idx ON compliance_status (location);
CREATE INDEX compliance_status_overdue_idx ON compliance_status (due_at, sort_name, employee_id, course_id) WHERE status IN ('overdue', 'expired');
CREATE INDEX compliance_status_overdue_dept_idx ON compliance_status (department, due_at, sort_name, employee_id, course_id) WHERE status IN ('overdue', 'expired');
CREATE INDEX compliance_status_attention_idx ON compliance_status (employee_id) WHERE status IN ('overdue', 'expired');
CREATE INDEX compliance_status_expiring_idx ON compliance_status (expires_at, sort_name, employee_id, course_id) WHERE status = 'completed';
CREATE INDEX compliance_status_course_idx ON compliance_status (course_id);
CREATE INDEX compliance_status_department_idx ON compliance_status (department);
CREATE TRIGGER cycles_mark_insert AFTER INSERT ON cycles BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'cycles'; END;
CREATE TRIGGER cycles_mark_update AFTER UPDATE ON cycles BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'cycles'; END;
CREATE TRIGGER cycles_mark_delete AFTER DELETE ON cycles BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'cycles'; END;
CREATE TRIGGER assignments_mark_insert AFTER INSERT ON assignments BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'assignments'; END;
CREATE TRIGGER assignments_mark_update AFTER UPDATE ON assignments BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'assignments'; END;
CREATE TRIGGER assignments_mark_delete AFTER DELETE ON assignments BEGIN UPDATE change_marks SET n = n + 1 WHERE name = 'assignments'; END;
DROP TABLE imported_completions;
CREATE TABLE imported_completions (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, cycle_id INTEGER NOT NULL UNIQUE, employee_id TEXT NOT NULL,
  course_id TEXT NOT NULL, completed_at INTEGER NOT NULL, score INTEGER, evidence TEXT NOT NULL DEFAULT '', source_file TEXT NOT NULL DEFAULT '',
  source_row INTEGER NOT NULL, imported_at INTEGER NOT NULL, import_id TEXT);
CREATE INDEX imported_completions_employee_idx ON imported_completions (employee_id, course_id);
CREATE INDEX imported_completions_import_idx ON imported_completions (import_id, employee_id);
