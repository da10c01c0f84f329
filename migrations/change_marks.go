package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// marked00042 are the tables migration 00042 marks: every insert, update
// and delete of one bumps its row of change_marks, on SQLite. They are the
// tables that a paced job reads ahead of its write transactions
// (internal/db's Bulk: the scheduler pass's advance batches read the first
// six, the completions import's plan the cycles, assignments and the
// learner's recorded progress). A transaction uses what was read ahead
// when none of the marks of the tables read moved meanwhile, so writes to
// other tables (the outbox, sessions, the audit log, a job's progress) do
// not make it read again. A table read ahead without a mark only costs
// that: the job falls back to "nothing at all was written" (PRAGMA
// data_version). The list is this migration's, as released: a table that
// a job starts reading ahead later gets its mark from a new migration
// (markTables with its own list, without the CREATE TABLE).
var marked00042 = []string{
	"cycles", "assignments", "employees", "escalations", "nudge_log", "assignment_rules",
	"step_progress", "video_progress", "quiz_attempts", "attestations",
}

// Go is the migrations written in Go because they differ between the
// databases, for a goose provider of dialect ("sqlite3" or "postgres").
func Go(dialect string) []*goose.Migration {
	marks := goose.NewGoMigration(42,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if dialect != string(goose.DialectSQLite3) {
				// PostgreSQL jobs read inside their transactions: no marks.
				return nil
			}
			return execAll(ctx, tx, append([]string{createChangeMarks}, markTables(marked00042)...))
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if dialect != string(goose.DialectSQLite3) {
				return nil
			}
			return execAll(ctx, tx, append(unmarkTables(marked00042), `DROP TABLE IF EXISTS change_marks`))
		}},
	)
	marks.Source = "00042_change_marks.go"
	return []*goose.Migration{marks, outboxCounts(dialect), sqliteTimes(dialect), nextEventPeople(dialect), openDueSettled(dialect), overdueByDepartment(dialect)}
}

// createChangeMarks is the table of marks, one row per marked table.
const createChangeMarks = `CREATE TABLE change_marks (name TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID`

// markTables gives each table its row of change_marks and the triggers that
// bump it. Row triggers cost a small update per row changed (see
// docs/performance.md, session 16, for what it costs the bulk jobs).
func markTables(tables []string) []string {
	var stmts []string
	for _, t := range tables {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO change_marks (name, n) VALUES ('%s', 0)`, t))
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER %s_mark_%s AFTER %s ON %s
BEGIN UPDATE change_marks SET n = n + 1 WHERE name = '%s'; END`, t, strings.ToLower(op), op, t, t))
		}
	}
	return stmts
}

// unmarkTables drops the triggers and rows of markTables.
func unmarkTables(tables []string) []string {
	var stmts []string
	for _, t := range tables {
		for _, op := range []string{"insert", "update", "delete"} {
			stmts = append(stmts, fmt.Sprintf(`DROP TRIGGER IF EXISTS %s_mark_%s`, t, op))
		}
		stmts = append(stmts, fmt.Sprintf(`DELETE FROM change_marks WHERE name = '%s'`, t))
	}
	return stmts
}

func execAll(ctx context.Context, tx *sql.Tx, stmts []string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
