-- +goose Up
-- HR's list of open cycles (/admin/cycles, compliance.ListOpenCycles) is
-- read earliest due first, a page at a time: this index holds the open
-- cycles in that order, so a page reads its rows and stops. It replaces
-- (status, due_at), which gave the order one status at a time (the list
-- sorted all 1.3 million open cycles of a hospital system for every page)
-- and was rewritten at a random place whenever a cycle's status changed,
-- completions included; this one changes only when a cycle opens, closes
-- or moves its due date.
CREATE INDEX cycles_open_due_idx ON cycles (due_at, id)
    WHERE status IN ('upcoming', 'open', 'in_progress', 'overdue');
DROP INDEX cycles_status_due_idx;

-- +goose Down
CREATE INDEX cycles_status_due_idx ON cycles (status, due_at);
DROP INDEX cycles_open_due_idx;
