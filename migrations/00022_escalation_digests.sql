-- +goose Up
-- Escalations are recorded pending (an empty dedupe_key) by the scheduler's
-- batches and sent after the last batch, one digest per manager per pass;
-- this finds the pending ones without reading every escalation ever made.
CREATE INDEX escalations_pending_idx ON escalations (manager_id) WHERE dedupe_key = '';

-- +goose Down
DROP INDEX escalations_pending_idx;
