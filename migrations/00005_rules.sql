-- +goose Up
-- Assignment rules: who must take which course, by when, and how often.
-- departments, job_titles and locations are JSON lists; a rule matches a
-- person when every non-empty list contains their value (or everyone is set).
CREATE TABLE assignment_rules (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    course_id       TEXT NOT NULL REFERENCES courses(id),
    everyone        BOOLEAN NOT NULL DEFAULT FALSE,
    departments     TEXT NOT NULL DEFAULT '[]',
    job_titles      TEXT NOT NULL DEFAULT '[]',
    locations       TEXT NOT NULL DEFAULT '[]',
    due_days        INTEGER NOT NULL DEFAULT 30,
    due_from        TEXT NOT NULL DEFAULT 'hire' CHECK (due_from IN ('hire', 'matched')),
    every_months    INTEGER NOT NULL DEFAULT 0,
    window_days     INTEGER NOT NULL DEFAULT 0,
    base            TEXT NOT NULL DEFAULT 'expiry' CHECK (base IN ('completion', 'expiry', 'fixed')),
    fixed_month     INTEGER NOT NULL DEFAULT 0,
    fixed_day       INTEGER NOT NULL DEFAULT 0,
    reminder_policy TEXT NOT NULL DEFAULT '{}',
    source          TEXT NOT NULL DEFAULT 'hr' CHECK (source IN ('course', 'hr')),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX assignment_rules_course_idx ON assignment_rules (course_id);

-- The day each rule first matched each person: due dates "after the rule
-- first matched" count from here, and it never moves once set.
CREATE TABLE rule_matches (
    rule_id          TEXT NOT NULL REFERENCES assignment_rules(id),
    employee_id      TEXT NOT NULL REFERENCES employees(id),
    first_matched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (rule_id, employee_id)
);

ALTER TABLE assignments ADD COLUMN rule_id TEXT REFERENCES assignment_rules(id);

-- Extensions and exemptions, kept as history with their reasons.
CREATE TABLE cycle_changes (
    id          TEXT PRIMARY KEY,
    cycle_id    TEXT NOT NULL REFERENCES cycles(id),
    kind        TEXT NOT NULL CHECK (kind IN ('extension', 'exemption')),
    old_due_at  TIMESTAMP,
    new_due_at  TIMESTAMP,
    ends_at     TIMESTAMP,
    reason      TEXT NOT NULL,
    changed_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX cycle_changes_cycle_idx ON cycle_changes (cycle_id);

-- Which overdue cycles have been escalated to which manager (the digest that
-- carried it is the outbox row).
CREATE TABLE escalations (
    cycle_id     TEXT PRIMARY KEY REFERENCES cycles(id),
    manager_id   TEXT NOT NULL REFERENCES employees(id),
    dedupe_key   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

ALTER TABLE cycles ADD COLUMN exempt_until TIMESTAMP;
-- The last reminder stage enqueued for the cycle (due_14, due_3, due_today,
-- overdue_1 …), so a pass only enqueues when the stage moves on.
ALTER TABLE cycles ADD COLUMN reminder_stage TEXT NOT NULL DEFAULT '';
CREATE INDEX cycles_assignment_idx ON cycles (assignment_id, number);

-- +goose Down
DROP INDEX cycles_assignment_idx;
ALTER TABLE cycles DROP COLUMN reminder_stage;
ALTER TABLE cycles DROP COLUMN exempt_until;
DROP TABLE escalations;
DROP TABLE cycle_changes;
ALTER TABLE assignments DROP COLUMN rule_id;
DROP TABLE rule_matches;
DROP TABLE assignment_rules;
