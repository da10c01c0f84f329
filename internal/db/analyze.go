package db

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// staleCheckEvery is how often Analyzer looks at PostgreSQL's counters.
const staleCheckEvery = 10 * time.Second

// Analyzer keeps PostgreSQL's planner statistics of a few tables fresh
// during a long write job (an import into empty tables, the first pass
// after one): PostgreSQL plans every statement from statistics that
// autovacuum refreshes only now and then, and a table it still believes
// empty is read with a full scan per probe, which at hospital scale turns a
// batch of milliseconds into minutes. It also vacuums the queue tables
// (QueueTables) when they hold many dead rows. On SQLite it does nothing.
type Analyzer struct {
	d      *DB
	tables []string
	mu     sync.Mutex
	last   time.Time
}

// NewAnalyzer watches tables (names from code, never from input).
func (d *DB) NewAnalyzer(tables ...string) *Analyzer {
	return &Analyzer{d: d, tables: tables}
}

// Check analyzes each watched table that changed by more than a tenth (and
// more than 1,000 rows) since PostgreSQL last analyzed it; it looks at most
// every staleCheckEvery, so it is cheap to call before every batch.
func (a *Analyzer) Check(ctx context.Context) error {
	if a == nil || a.d.Dialect != Postgres {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.last.IsZero() && time.Since(a.last) < staleCheckEvery {
		return nil
	}
	a.last = time.Now()
	if err := a.each(ctx, "ANALYZE", `n_mod_since_analyze > 1000 AND n_mod_since_analyze > n_live_tup / 10`, a.tables); err != nil {
		return err
	}
	// VACUUM runs outside any transaction (it cannot run in one) and takes
	// no lock that inserts or deletes wait for.
	return a.each(ctx, "VACUUM", fmt.Sprintf(`n_dead_tup > %d AND n_dead_tup > n_live_tup`, queueDeadRows), QueueTables)
}

// Tidy vacuums, at the end of a long write job, each watched table that
// holds more dead rows than a fifth of its live ones (and more than
// queueDeadRows), and refreshes its statistics. On PostgreSQL an updated or
// deleted row stays in the table and in every index, dead, until a VACUUM:
// a scheduler pass that rewrites the report rows of most people leaves
// compliance_status with about as many dead rows as live ones, and a report
// page walking an index right after it visits them all (the status page
// filtered by course: 742 ms at 100,000 people seconds after the first
// pass, 3 ms once autovacuum had been through). Autovacuum comes at most
// once a minute and not at all where it is turned off, so the job that
// made the dead rows clears them before it returns. A job that changed
// little finds nothing to do here (one read of PostgreSQL's counters). On
// SQLite it does nothing: a deleted row's space is reused at once.
func (a *Analyzer) Tidy(ctx context.Context) error {
	if a == nil || a.d.Dialect != Postgres {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.each(ctx, "VACUUM (ANALYZE)", fmt.Sprintf(`n_dead_tup > %d AND n_dead_tup > n_live_tup / 5`, queueDeadRows), a.tables)
}

// each runs command (ANALYZE, VACUUM or VACUUM (ANALYZE)) on every table of tables whose
// statistics meet cond.
func (a *Analyzer) each(ctx context.Context, command, cond string, tables []string) error {
	var due []string
	if err := a.d.WithContext(ctx).Raw(`SELECT relname FROM pg_stat_user_tables WHERE relname IN ? AND `+cond, tables).
		Scan(&due).Error; err != nil {
		return fmt.Errorf("read table statistics: %w", err)
	}
	for _, t := range due {
		if err := a.d.WithContext(ctx).Exec(command + ` ` + quoteIdent(t)).Error; err != nil {
			return fmt.Errorf("%s %s: %w", strings.ToLower(command), t, err)
		}
	}
	return nil
}

// QueueTables are tables whose rows are all deleted again soon after they
// are written, a batch at a time: compliance_count_changes (each change to
// compliance_status, folded into compliance_counts by the next batch),
// eval_queue (the people whose rules are to be evaluated) and
// outbox_count_changes (each change to the outbox's states, folded into
// outbox_counts). On PostgreSQL a
// deleted row stays in the table, dead, until a VACUUM, and every fold
// (DELETE … RETURNING) and every dashboard read scans the dead rows too: in
// the first pass at 100,000 people, with autovacuum off, 4.2 million of
// them made each batch's fold take 200–270 ms. Autovacuum looks at most
// once a minute (and not at all where it is turned off), so the jobs that
// fill these tables vacuum them themselves.
var QueueTables = []string{"compliance_count_changes", "eval_queue", "outbox_count_changes"}

// queueDeadRows is how many dead rows a queue table may hold before
// Analyzer.Check vacuums it.
const queueDeadRows = 10000

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// WriteTables are the tables a scheduler pass and the imports write and then
// read back by key in their next batches (invitations: the staff import
// invites each new person and looks for their open invitation first; with
// stale statistics PostgreSQL read the whole table for every batch).
var WriteTables = []string{"employees", "assignments", "cycles", "rule_matches", "compliance_status", "outbox",
	"outbox_keys", "escalations", "eval_queue", "nudge_log", "imported_completions", "invitations"}
