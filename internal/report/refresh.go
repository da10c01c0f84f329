package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// standingSelect yields the row compliance_status should hold for every
// active assignment of an active employee: its latest cycle (unless closed)
// with the previous cycle beside it, which says whether a refresher is
// covered by a completion that is still valid, and whether a refresher past
// its due date means an expired completion. Its parameters are today four
// times and then the refresh time; extra conditions may follow.
//
// Dates are days (compliance.Day): a completion is valid through its expiry
// day and a cycle is on time through its due day.
const standingSelect = `
SELECT a.employee_id AS employee_id, a.course_id AS course_id, a.id AS assignment_id, c.id AS cycle_id, c.number AS cycle_number,
  CASE
    WHEN c.status = 'exempt' THEN 'exempt'
    WHEN c.status = 'completed' AND (c.expires_at IS NULL OR c.expires_at >= ?) THEN 'completed'
    WHEN c.status IN ('completed', 'expired') THEN 'expired'
    WHEN p.status = 'completed' AND p.expires_at >= ? THEN 'completed'
    WHEN c.due_at < ? AND p.completed_at IS NOT NULL THEN 'expired'
    WHEN c.due_at < ? THEN 'overdue'
    WHEN c.started_at IS NOT NULL OR c.status = 'in_progress' THEN 'in_progress'
    ELSE 'not_started'
  END AS status,
  c.due_at AS due_at,
  CASE WHEN c.completed_at IS NOT NULL THEN c.completed_at ELSE p.completed_at END AS completed_at,
  CASE WHEN c.completed_at IS NOT NULL THEN c.expires_at ELSE p.expires_at END AS expires_at,
  e.department AS department, LOWER(e.last_name || ' ' || e.first_name) AS sort_name, %s AS refreshed_at
FROM assignments a
JOIN cycles c ON c.assignment_id = a.id
JOIN employees e ON e.id = a.employee_id
LEFT JOIN cycles p ON p.assignment_id = a.id AND p.number = c.number - 1
WHERE a.status = 'active' AND e.status = 'active' AND c.status <> 'closed'
  AND NOT EXISTS (SELECT 1 FROM cycles x WHERE x.assignment_id = c.assignment_id AND x.number > c.number)`

// statusColumns are compliance_status's columns in standingSelect's order.
const statusColumns = `employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at, completed_at, expires_at,
  department, sort_name, refreshed_at`

// keptRow joins each computed row (alias d) to the row kept (alias s) on
// the primary key.
const keptRow = `
LEFT JOIN compliance_status s ON s.employee_id = d.employee_id AND s.course_id = d.course_id`

// changedOnly keeps the computed rows (alias d) that differ from the row
// kept (alias s, joined on the primary key only, so the planner probes the
// key and nothing else), or have none: a refresh of an unchanged
// organisation then reads every row but writes none. (Leaving the
// comparison to ON CONFLICT … WHERE would not do on PostgreSQL, which locks,
// and so writes, every conflicting row even when the WHERE is false.)
const changedOnly = keptRow + `
WHERE s.employee_id IS NULL
  OR s.assignment_id <> d.assignment_id OR s.cycle_id <> d.cycle_id OR s.cycle_number <> d.cycle_number
  OR s.status <> d.status OR s.due_at <> d.due_at
  OR s.completed_at IS DISTINCT FROM d.completed_at OR s.expires_at IS DISTINCT FROM d.expires_at
  OR s.department <> d.department OR s.sort_name <> d.sort_name`

// upsert writes a changed row over the one kept.
const upsert = `
ON CONFLICT (employee_id, course_id) DO UPDATE SET
  assignment_id = excluded.assignment_id, cycle_id = excluded.cycle_id, cycle_number = excluded.cycle_number,
  status = excluded.status, due_at = excluded.due_at, completed_at = excluded.completed_at,
  expires_at = excluded.expires_at, department = excluded.department, sort_name = excluded.sort_name,
  refreshed_at = excluded.refreshed_at`

// deleteStale removes the rows that should no longer exist: the
// assignment closed, the employee left, or the latest cycle is closed. Each
// IN list is computed once and is small (closed assignments, leavers,
// closed cycles), so this is one pass over compliance_status with a hash
// probe per row, not a correlated lookup per row.
const deleteStale = `
DELETE FROM compliance_status WHERE
  assignment_id IN (SELECT id FROM assignments WHERE status <> 'active')
  OR employee_id IN (SELECT id FROM employees WHERE status <> 'active')
  OR assignment_id IN (SELECT c.assignment_id FROM cycles c WHERE c.status = 'closed'
    AND c.number = (SELECT MAX(x.number) FROM cycles x WHERE x.assignment_id = c.assignment_id))`

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// timeParam is a time placeholder in a SELECT list: PostgreSQL cannot infer
// its type there; SQLite's driver binds it as the integer its time columns
// hold (internal/db/sqlitetime.go), so it needs no cast.
func timeParam(tx *gorm.DB) string {
	if tx.Dialector.Name() == "postgres" {
		return "CAST(? AS TIMESTAMP)"
	}
	return "?"
}

func standingArgs(now time.Time) []any {
	today := compliance.Day(now)
	return []any{today, today, today, today, now.UTC()}
}

// Refresh recomputes the whole of compliance_status as of now, set-wise in
// two statements (no loop over people): an upsert of only the rows that
// changed, and a delete of the rows that should no longer exist. Run it in the transaction
// that changed the cycles, or on its own; running it twice changes nothing.
func Refresh(tx *gorm.DB, now time.Time) error {
	var kept []string
	if err := tx.Raw(`SELECT employee_id FROM compliance_status LIMIT 1`).Scan(&kept).Error; err != nil {
		return fmt.Errorf("refresh compliance status: %w", err)
	}
	// The first build has nothing to compare with. (The upsert is for a
	// command-line refresh racing the scheduler's first one.)
	q := `INSERT INTO compliance_status (` + statusColumns + `)` + fmt.Sprintf(standingSelect, timeParam(tx)) + upsert
	if len(kept) > 0 {
		q = `INSERT INTO compliance_status (` + statusColumns + `) SELECT ` + prefixed("d.", statusColumns) +
			` FROM (` + fmt.Sprintf(standingSelect, timeParam(tx)) + `) d` + changedOnly + upsert
		// PostgreSQL plans the comparison with the kept rows from its
		// statistics; stale ones (the table grew tenfold since autovacuum
		// last looked) can make it scan the whole table once per row.
		// Sampling it first costs a fraction of a second.
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec(`ANALYZE compliance_status`).Error; err != nil {
				return fmt.Errorf("refresh compliance status: analyze: %w", err)
			}
		}
	}
	if err := tx.Exec(q, standingArgs(now)...).Error; err != nil {
		return fmt.Errorf("refresh compliance status: %w", err)
	}
	if err := tx.Exec(deleteStale).Error; err != nil {
		return fmt.Errorf("refresh compliance status: remove stale rows: %w", err)
	}
	if err := rebuildCounts(tx); err != nil {
		return fmt.Errorf("refresh compliance status: %w", err)
	}
	if err := tx.Exec(`UPDATE compliance_refresh SET full_at = ?, pass_at = ? WHERE id = 1`, now.UTC(), now.UTC()).Error; err != nil {
		return fmt.Errorf("refresh compliance status: record it: %w", err)
	}
	return Changed(tx)
}

// refreshChunk bounds the IN lists of RefreshEmployees.
const refreshChunk = 500

// standingStatusColumns are the columns of compliance_status that follow a
// person's cycles; the other columns (but the key and refreshed_at) copy
// the employee record.
var standingStatusColumns = []string{"assignment_id", "cycle_id", "cycle_number", "status", "due_at", "completed_at", "expires_at"}

// personStatusColumns copy the employee record into each of their rows:
// only what a report sorts or pages on (sort_name) and what the kept counts
// group by (department, as it was counted). Everything else a report shows
// of a person (name, number, job title, site, manager) it reads from
// employees by primary key, for the page's rows only (see doc.go).
var personStatusColumns = []string{"department", "sort_name"}

// differs is the SQL condition that a column of the computed row d differs
// from the kept row s.
func differs(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "s." + c + " IS DISTINCT FROM d." + c
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// setFrom is an UPDATE's SET list copying cols (and refreshed_at) from d.
func setFrom(cols []string) string {
	parts := make([]string, 0, len(cols)+1)
	for _, c := range append(slices.Clone(cols), "refreshed_at") {
		parts = append(parts, c+" = d."+c)
	}
	return strings.Join(parts, ", ")
}

// refreshDelta is where RefreshEmployees puts, on SQLite, every row that
// stands now with what changed (kind: deltaNew, the bits deltaStanding and
// deltaPerson, or deltaSame), and the rows that no longer stand
// (deltaGone). It is a temporary table: private to the connection and
// outside the database file, so filling it costs no write to the WAL.
const refreshDelta = "temp.onramp_refresh_delta"

const (
	deltaNew      = 0
	deltaStanding = 1
	deltaPerson   = 2
	deltaGone     = 4 // a row to delete, as kept
	deltaSame     = 8 // a row that stands as kept
)

// RefreshEmployees recomputes the rows of a few people as of now: after a
// learner completes a course, or for the people a scheduler pass or an
// import batch touched. On PostgreSQL the rows are deleted and written
// again: its planner may compare with the kept rows through a full scan
// when its statistics are stale (see Refresh), and a batch cannot afford an
// ANALYZE.
//
// On SQLite it writes only what differs from the rows kept: the computed
// rows that changed are set aside first (refreshDelta), then new rows are
// inserted, and rows kept are updated in the columns that moved, the
// standing's columns apart from the person's. That matters at hospital
// scale: SQLite rewrites the entry of every index holding a column an
// UPDATE sets, changed or not, and compliance_status has seven indexes, one
// of them (the name order) a random page per row. A status moving (the
// common case, in a pass or a history import) so rewrites the indexes on
// status and dates only, not the name and department ones. Refreshing
// people whose standing did not move reads their rows and writes nothing.
func RefreshEmployees(tx *gorm.DB, now time.Time, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	for start := 0; start < len(ids); start += refreshChunk {
		part := ids[start:min(start+refreshChunk, len(ids))]
		sc := refreshScope{standing: ` AND a.employee_id IN ?`, kept: `employee_id IN ?`, standingArgs: []any{part}, keptArgs: []any{part}}
		if err := refreshPart(tx, now, sc); err != nil {
			return fmt.Errorf("refresh compliance status of %d people: %w", len(part), err)
		}
	}
	return Changed(tx)
}

// refreshAssignmentChunk bounds the IN lists of RefreshAssignments.
const refreshAssignmentChunk = 2000

// RefreshAssignments recomputes the rows of some assignments as of now, as
// RefreshEmployees does for all of a person's: a scheduler pass's batch
// changes a few of each person's cycles (a refresher window opened, a
// cycle gone overdue), and refreshing only those assignments' rows reads
// and compares a fraction of what refreshing all of their people's would
// (in a batch of the first pass at 100,000 people, about a third of the
// rows: 14.5–15.6 ms against 19.4 ms for the batch's people, and the pass
// 103.6 s against 107.7 s side by side; docs/performance.md, session 24).
// people are the assignments' people: the rows are found by
// compliance_status's key, which begins with the person.
//
// Only changes to the assignments' own cycles are followed: a change to
// the person (leaving, a new department or name) or to which courses they
// have goes through RefreshEmployees.
func RefreshAssignments(tx *gorm.DB, now time.Time, people, assignments []string) error {
	if len(assignments) == 0 {
		return nil
	}
	for start := 0; start < len(assignments); start += refreshAssignmentChunk {
		part := assignments[start:min(start+refreshAssignmentChunk, len(assignments))]
		sc := refreshScope{standing: ` AND a.id IN ?`, kept: `employee_id IN ? AND assignment_id IN ?`,
			standingArgs: []any{part}, keptArgs: []any{people, part}}
		if err := refreshPart(tx, now, sc); err != nil {
			return fmt.Errorf("refresh compliance status of %d assignments: %w", len(part), err)
		}
	}
	return Changed(tx)
}

// refreshScope is which rows one statement group of a refresh recomputes:
// standing narrows standingSelect (with standingArgs), kept finds the same
// rows in compliance_status (with keptArgs).
type refreshScope struct {
	standing, kept         string
	standingArgs, keptArgs []any
}

// refreshPart recomputes the rows of one scope.
func refreshPart(tx *gorm.DB, now time.Time, sc refreshScope) error {
	standing := fmt.Sprintf(standingSelect, timeParam(tx)) + sc.standing
	args := append(standingArgs(now), sc.standingArgs...)
	if tx.Dialector.Name() != "postgres" {
		return refreshSQLite(tx, standing, args, sc)
	}
	rows := `SELECT course_id, department, status, %d AS n FROM compliance_status WHERE ` + sc.kept
	if err := addCounts(tx, fmt.Sprintf(rows, -1), sc.keptArgs...); err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM compliance_status WHERE `+sc.kept, sc.keptArgs...).Error; err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO compliance_status (`+statusColumns+`)`+standing, args...).Error; err != nil {
		return err
	}
	return addCounts(tx, fmt.Sprintf(rows, 1), sc.keptArgs...)
}

// refreshSQLite is the SQLite way of refreshPart.
func refreshSQLite(tx *gorm.DB, standing string, args []any, sc refreshScope) error {
	if err := tx.Exec(`CREATE TEMP TABLE IF NOT EXISTS ` + strings.TrimPrefix(refreshDelta, "temp.") +
		` AS SELECT *, 0 AS kind FROM compliance_status WHERE 0`).Error; err != nil {
		return err
	}
	// The stale rows below are those of the scope not in the delta: found
	// by key, with NOT EXISTS. (A row-value NOT IN over the delta scanned
	// all of it for a NULL for every row it did not find: a refresh by
	// assignment, where the people's other rows are not in the delta, took
	// 55 ms a batch for it instead of 1 ms; docs/performance.md, session 24.)
	if err := tx.Exec(`CREATE INDEX IF NOT EXISTS ` + refreshDelta + `_key ON ` + strings.TrimPrefix(refreshDelta, "temp.") +
		` (employee_id, course_id)`).Error; err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM ` + refreshDelta).Error; err != nil {
		return err
	}
	// Every row that stands, with what changed: the standings are worked
	// out once (finding the stale rows below from them again was a quarter
	// of the refresh's time in a pass).
	kind := fmt.Sprintf(`CASE WHEN s.employee_id IS NULL THEN %d ELSE COALESCE(NULLIF((CASE WHEN %s THEN %d ELSE 0 END) | (CASE WHEN %s THEN %d ELSE 0 END), 0), %d) END`,
		deltaNew, differs(standingStatusColumns), deltaStanding, differs(personStatusColumns), deltaPerson, deltaSame)
	q := `INSERT INTO ` + refreshDelta + ` (` + statusColumns + `, kind) SELECT ` + prefixed("d.", statusColumns) + `, ` + kind +
		` FROM (` + standing + `) d` + keptRow
	if err := tx.Exec(q, args...).Error; err != nil {
		return err
	}
	// The rows that no longer stand, as they are.
	gone := `INSERT INTO ` + refreshDelta + ` (` + statusColumns + `, kind) SELECT ` + statusColumns + fmt.Sprintf(`, %d`, deltaGone) + `
		FROM compliance_status WHERE ` + sc.kept + ` AND NOT EXISTS (SELECT 1 FROM ` + refreshDelta + ` z
		WHERE z.employee_id = compliance_status.employee_id AND z.course_id = compliance_status.course_id)`
	if err := tx.Exec(gone, sc.keptArgs...).Error; err != nil {
		return fmt.Errorf("find stale rows: %w", err)
	}
	// Counted before the rows change: a kept row leaves its group.
	err := addCounts(tx, fmt.Sprintf(`
		SELECT course_id, department, status, CASE WHEN kind = %d THEN -1 ELSE 1 END AS n FROM %s WHERE kind <> %d
		UNION ALL SELECT s.course_id, s.department, s.status, -1 FROM %s d
		JOIN compliance_status s ON s.employee_id = d.employee_id AND s.course_id = d.course_id WHERE d.kind IN (%d, %d, %d)`,
		deltaGone, refreshDelta, deltaSame, refreshDelta, deltaStanding, deltaPerson, deltaStanding|deltaPerson))
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO compliance_status (`+statusColumns+`) SELECT `+statusColumns+` FROM `+refreshDelta+` WHERE kind = ?`, deltaNew).Error; err != nil {
		return err
	}
	for _, u := range []struct {
		bit  int
		cols []string
	}{{deltaStanding, standingStatusColumns}, {deltaPerson, personStatusColumns}} {
		q := `UPDATE compliance_status AS s SET ` + setFrom(u.cols) + ` FROM ` + refreshDelta + ` AS d
			WHERE d.kind <> ? AND d.kind & ? <> 0 AND s.employee_id = d.employee_id AND s.course_id = d.course_id`
		if err := tx.Exec(q, deltaGone, u.bit).Error; err != nil {
			return err
		}
	}
	del := `DELETE FROM compliance_status WHERE (employee_id, course_id) IN (SELECT employee_id, course_id FROM ` + refreshDelta + ` WHERE kind = ?)`
	if err := tx.Exec(del, deltaGone).Error; err != nil {
		return fmt.Errorf("remove stale rows: %w", err)
	}
	return nil
}
