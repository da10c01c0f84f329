package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00048 keys cycles_open_due_idx's partial condition on the two
// columns that say a cycle is settled (completed_at, closed_at) instead of
// on status. SQLite rewrites a partial index's entry whenever an UPDATE sets
// a column its condition names, even when the row stays in the index with
// the same key: every cycle a scheduler pass moves within the open statuses
// (upcoming → open, open → overdue; 600,000 in the first pass at 100,000
// people) rewrote its entry at a random place in the index, one page each,
// written to the log at the commit and to the database at the checkpoint.
// Now the entry changes only when a cycle is completed, closed or reopened,
// or its due date moves.
//
// The index holds every cycle with neither date: the open ones and the
// exempt ones (an exemption without an end date has no column of its own),
// and compliance.ListOpenCycles keeps its status literals beside the new
// condition, so it reads the exempt cycles along the index and skips them.
// An exempt cycle stays exempt (an exemption that ends starts a new cycle),
// so they gather over the years: a page reads past those due before it,
// one table row each; exemptions are few beside the cycles owed, but an
// organisation with tens of thousands would see it in the list's first
// pages (milliseconds per ten thousand). Completed and expired cycles have completed_at, closed ones
// closed_at (every writer of those statuses sets them; a withdrawn
// completion clears completed_at and is open again).
//
// On SQLite the index's planner statistics are kept (the same columns; the
// row count differs by the exempt cycles).
func openDueSettled(dialect string) *goose.Migration {
	run := func(where string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			stat, err := indexStat(ctx, tx, dialect, "cycles_open_due_idx")
			if err != nil {
				return err
			}
			if err := execAll(ctx, tx, []string{
				`DROP INDEX cycles_open_due_idx`,
				`CREATE INDEX cycles_open_due_idx ON cycles (due_at, id) WHERE ` + where,
			}); err != nil {
				return err
			}
			return putIndexStat(ctx, tx, "cycles", "cycles_open_due_idx", stat)
		}}
	}
	m := goose.NewGoMigration(48, run(openDueCondition), run(`status IN ('upcoming', 'open', 'in_progress', 'overdue')`))
	m.Source = "00048_open_due_settled.go"
	return m
}

// openDueCondition is cycles_open_due_idx's partial condition since
// migration 00048. A query that is to be read along the index must say it
// (SQLite uses a partial index only for a query whose WHERE contains the
// index's condition): compliance.ListOpenCycles does.
const openDueCondition = `completed_at IS NULL AND closed_at IS NULL`
