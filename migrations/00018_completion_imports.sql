-- +goose Up
-- One row per completions import that writes: the completions import records
-- its rows in batches of short transactions, and a run that stops part-way
-- (finished_at still NULL) is finished by running the same file again,
-- recognised by its SHA-256.
CREATE TABLE completion_imports (
    id          TEXT PRIMARY KEY,
    source_file TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX completion_imports_file_idx ON completion_imports (file_sha256);

-- The import that recorded each completion (NULL before this migration).
ALTER TABLE imported_completions ADD COLUMN import_id TEXT;
CREATE INDEX imported_completions_import_idx ON imported_completions (import_id, employee_id);

-- +goose Down
DROP INDEX imported_completions_import_idx;
ALTER TABLE imported_completions DROP COLUMN import_id;
DROP TABLE completion_imports;
