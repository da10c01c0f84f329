package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// Migration 00043 keeps how many outbox messages stand in each state, so
// HR's dashboard, the outbox page and the metrics read five rows instead of
// counting every message ever sent (281,672 at 100,000 people after a year's
// first pass and a few days: 142-200 ms per load on PostgreSQL; issue 10).
//
// The counts are kept by triggers on the outbox, so every writer keeps them
// right: the delivery pass, Retry, the enqueuers, and an operator's own SQL.
//
//   - SQLite (one writer at a time): row triggers add to outbox_counts
//     directly. It has one row per state, so each trigger is one update by
//     key.
//   - PostgreSQL: statement triggers append each statement's changes, summed
//     per state from its transition tables, to outbox_count_changes (which
//     locks nothing another transaction needs: parallel senders never wait
//     on a counter row), then fold the changes into outbox_counts if no other
//     transaction is folding (an advisory lock taken with try, held to the
//     end of the transaction). The fold deletes exactly the rows it adds.
//
// Readers add the two tables (notify.Outbox.CountByState); on SQLite
// outbox_count_changes stays empty.
func outboxCounts(dialect string) *goose.Migration {
	m := goose.NewGoMigration(43,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			stmts := []string{
				`CREATE TABLE outbox_counts (state TEXT PRIMARY KEY, messages BIGINT NOT NULL)`,
				`CREATE TABLE outbox_count_changes (state TEXT NOT NULL, messages BIGINT NOT NULL)`,
			}
			for _, s := range outboxStates {
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO outbox_counts (state, messages) VALUES ('%s', 0)`, s))
			}
			// One count per state through outbox_due_idx (state, ...).
			stmts = append(stmts, `UPDATE outbox_counts SET messages = (SELECT COUNT(*) FROM outbox o WHERE o.state = outbox_counts.state)`)
			if dialect == string(goose.DialectSQLite3) {
				stmts = append(stmts, sqliteOutboxCountTriggers...)
			} else {
				stmts = append(stmts, postgresOutboxCountTriggers...)
			}
			return execAll(ctx, tx, stmts)
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			stmts := []string{
				`DROP TRIGGER IF EXISTS outbox_count_insert ON outbox`,
				`DROP TRIGGER IF EXISTS outbox_count_update ON outbox`,
				`DROP TRIGGER IF EXISTS outbox_count_delete ON outbox`,
				`DROP FUNCTION IF EXISTS outbox_count_inserted()`,
				`DROP FUNCTION IF EXISTS outbox_count_updated()`,
				`DROP FUNCTION IF EXISTS outbox_count_deleted()`,
				`DROP FUNCTION IF EXISTS outbox_count_fold()`,
			}
			if dialect == string(goose.DialectSQLite3) {
				stmts = []string{
					`DROP TRIGGER IF EXISTS outbox_count_insert`,
					`DROP TRIGGER IF EXISTS outbox_count_update`,
					`DROP TRIGGER IF EXISTS outbox_count_delete`,
				}
			}
			stmts = append(stmts, `DROP TABLE outbox_count_changes`, `DROP TABLE outbox_counts`)
			return execAll(ctx, tx, stmts)
		}},
	)
	m.Source = "00043_outbox_counts.go"
	return m
}

// outboxStates are the states outbox.state may hold (its CHECK constraint,
// migration 00004), as released.
var outboxStates = []string{"pending", "sending", "sent", "failed", "dead"}

var sqliteOutboxCountTriggers = []string{
	`CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox
BEGIN UPDATE outbox_counts SET messages = messages + 1 WHERE state = new.state; END`,
	`CREATE TRIGGER outbox_count_update AFTER UPDATE OF state ON outbox WHEN old.state <> new.state
BEGIN
	UPDATE outbox_counts SET messages = messages - 1 WHERE state = old.state;
	UPDATE outbox_counts SET messages = messages + 1 WHERE state = new.state;
END`,
	`CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox
BEGIN UPDATE outbox_counts SET messages = messages - 1 WHERE state = old.state; END`,
}

// outboxCountsFoldLock is the advisory lock of the fold (report's
// compliance counts use 6100037).
const outboxCountsFoldLock = 6100043

var postgresOutboxCountTriggers = []string{
	fmt.Sprintf(`CREATE FUNCTION outbox_count_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF pg_try_advisory_xact_lock(%d) THEN
		WITH moved AS (DELETE FROM outbox_count_changes RETURNING state, messages)
		UPDATE outbox_counts c SET messages = c.messages + m.n
		FROM (SELECT state, SUM(messages) AS n FROM moved GROUP BY state) m
		WHERE c.state = m.state;
	END IF;
END $$`, outboxCountsFoldLock),
	`CREATE FUNCTION outbox_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox_count_changes (state, messages) SELECT state, COUNT(*) FROM new_rows GROUP BY state;
	IF FOUND THEN
		PERFORM outbox_count_fold();
	END IF;
	RETURN NULL;
END $$`,
	`CREATE FUNCTION outbox_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox_count_changes (state, messages)
		SELECT state, SUM(n) FROM (SELECT state, 1 AS n FROM new_rows UNION ALL SELECT state, -1 FROM old_rows) c
		GROUP BY state HAVING SUM(n) <> 0;
	IF FOUND THEN
		PERFORM outbox_count_fold();
	END IF;
	RETURN NULL;
END $$`,
	`CREATE FUNCTION outbox_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox_count_changes (state, messages) SELECT state, -COUNT(*) FROM old_rows GROUP BY state;
	IF FOUND THEN
		PERFORM outbox_count_fold();
	END IF;
	RETURN NULL;
END $$`,
	`CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_count_inserted()`,
	`CREATE TRIGGER outbox_count_update AFTER UPDATE ON outbox REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_count_updated()`,
	`CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_count_deleted()`,
}
