-- +goose Up
-- A scheduler pass costs what changed, not what exists (internal/compliance,
-- advance.go and tracking.go).
--
-- cycles.next_event_at: the next moment something happens to the cycle
-- (window opens, a reminder stage, due, escalation, expiry, exemption end,
-- nudge). A pass reads only cycles with next_event_at <= now through
-- cycles_next_event_idx. NULL: nothing will ever happen to it. Every
-- existing cycle, and every cycle inserted without a value, starts at
-- 1970-01-01 ("look at me on the next pass"), so the first pass computes
-- the real value (in batches).
ALTER TABLE cycles ADD COLUMN next_event_at TIMESTAMP DEFAULT '1970-01-01 00:00:00';
CREATE INDEX cycles_next_event_idx ON cycles (next_event_at, id);

-- People whose rule evaluation is due: filled by triggers on employees
-- (created by the engine for the database at hand, see tracking.go) and
-- emptied by the evaluation. Everyone starts queued.
CREATE TABLE eval_queue (
    employee_id TEXT PRIMARY KEY
);
INSERT INTO eval_queue (employee_id) SELECT id FROM employees;

-- An evaluation reads the matches of a batch of people.
CREATE INDEX rule_matches_employee_idx ON rule_matches (employee_id);

-- The engine's remembered settings: the fingerprint of the reminder policy
-- the next_event_at values were computed with, and of the rules the people
-- were last evaluated against.
CREATE TABLE engine_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE engine_state;
DROP INDEX rule_matches_employee_idx;
DROP TABLE eval_queue;
DROP INDEX cycles_next_event_idx;
ALTER TABLE cycles DROP COLUMN next_event_at;
