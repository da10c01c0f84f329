package migrations

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pressly/goose/v3"
)

// Migration 00047 puts the person into cycles_next_event_idx. A pass finds
// the people with a due cycle by walking that index in next_event_at order
// (compliance.duePeople) and wants each due cycle's person, which the index
// did not hold: every due cycle cost a look-up in the table (at 100,000
// people the first pass walks 2.1 million; docs/performance.md, session 23).
// With employee_id in it the walk reads the index only. The index is
// rewritten for every cycle whose next event moves, as it was; its rows grow
// by the person's ID.
//
// On SQLite the index's planner statistics are kept: (next_event_at, id) is
// already unique, so the new column's figure is 1.
func nextEventPeople(dialect string) *goose.Migration {
	run := func(columns string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			stat, err := indexStat(ctx, tx, dialect, "cycles_next_event_idx")
			if err != nil {
				return err
			}
			if err := execAll(ctx, tx, []string{
				`DROP INDEX cycles_next_event_idx`,
				`CREATE INDEX cycles_next_event_idx ON cycles (` + columns + `)`,
			}); err != nil {
				return err
			}
			// Up adds the figure of the third column; down takes it off.
			if stat.Valid {
				stat.String = statColumns(stat.String, columns == "next_event_at, id, employee_id")
			}
			return putIndexStat(ctx, tx, "cycles", "cycles_next_event_idx", stat)
		}}
	}
	m := goose.NewGoMigration(47, run("next_event_at, id, employee_id"), run("next_event_at, id"))
	m.Source = "00047_next_event_people.go"
	return m
}

// statColumns adds a last column's figure (1) to a sqlite_stat1 stat, or
// takes the last one off: "2700831 42871 1" ↔ "2700831 42871 1 1". The
// figures come first, then any keywords ("unordered", "sz=…"), which stay.
func statColumns(stat string, add bool) string {
	fields := strings.Fields(stat)
	n := 0
	for n < len(fields) && strings.Trim(fields[n], "0123456789") == "" {
		n++
	}
	var out []string
	if add {
		out = append(append(append(out, fields[:n]...), "1"), fields[n:]...)
	} else {
		out = append(append(out, fields[:max(n-1, 0)]...), fields[n:]...)
	}
	return strings.Join(out, " ")
}

// indexStat is the planner statistics SQLite's ANALYZE kept for index (not
// valid on PostgreSQL, or when there are none), read before a migration
// drops and makes it again: DROP INDEX deletes them, and a large table's
// next ANALYZE may be a long way off.
func indexStat(ctx context.Context, tx *sql.Tx, dialect, index string) (sql.NullString, error) {
	var stat sql.NullString
	if dialect != string(goose.DialectSQLite3) {
		return stat, nil
	}
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'`).
		Scan(&tables); err != nil || tables == 0 {
		return stat, err
	}
	err := tx.QueryRowContext(ctx, `SELECT stat FROM sqlite_stat1 WHERE idx = ?`, index).Scan(&stat)
	if err == sql.ErrNoRows {
		err = nil
	}
	return stat, err
}

// putIndexStat gives index of table the statistics stat (from indexStat,
// perhaps changed), when there were any.
func putIndexStat(ctx context.Context, tx *sql.Tx, table, index string, stat sql.NullString) error {
	if !stat.Valid {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`, table, index, stat.String)
	return err
}
