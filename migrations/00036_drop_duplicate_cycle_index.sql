-- +goose Up
-- cycles_assignment_idx repeated the index SQLite and PostgreSQL already keep
-- for UNIQUE (assignment_id, number): every cycle written paid for both.
-- Lookups by assignment use the unique index.
DROP INDEX IF EXISTS cycles_assignment_idx;

-- +goose Down
CREATE INDEX cycles_assignment_idx ON cycles (assignment_id, number);
