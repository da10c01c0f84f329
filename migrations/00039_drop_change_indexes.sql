-- +goose Up
-- Indexes that every write paid for and nothing reads (issue 10).
--
-- cycles_updated_idx, assignments_closed_idx and employees_updated_idx
-- served the report's old incremental refresh, which looked for the people
-- whose records changed since the last pass. Every change now refreshes
-- its people's rows in its own transaction, and nothing reads these tables
-- by when a row last changed. Every cycle a pass moves on rewrote its entry
-- in cycles_updated_idx, and every assignment and employee an import wrote
-- added one to the other two.
DROP INDEX cycles_updated_idx;
DROP INDEX assignments_closed_idx;
DROP INDEX employees_updated_idx;
-- The completions report and the evidence export read completed cycles in
-- completion order, and both ask for completed_at IS NOT NULL: the cycles
-- not completed (most of them, and every cycle an import or a pass adds)
-- need no entry.
DROP INDEX cycles_completed_id_idx;
CREATE INDEX cycles_completed_id_idx ON cycles (completed_at, id) WHERE completed_at IS NOT NULL;

-- +goose Down
DROP INDEX cycles_completed_id_idx;
CREATE INDEX cycles_completed_id_idx ON cycles (completed_at, id);
CREATE INDEX employees_updated_idx ON employees (updated_at);
CREATE INDEX assignments_closed_idx ON assignments (closed_at);
CREATE INDEX cycles_updated_idx ON cycles (updated_at);
