package report

import (
	"fmt"

	"gorm.io/gorm"
)

// compliance_counts holds how many people stand where, per course,
// department and standing: compliance_status summed up, kept as it changes
// (migration 00037) so the dashboard, the daily snapshot and the per-course
// summary read a few thousand rows, whatever the size of the organisation.
//
// Every statement that changes compliance_status adds what it changed with
// addCounts, in the same transaction; Refresh rebuilds the counts from
// scratch (rebuildCounts), which also mends them should they ever drift.
// countsSource is what readers read.

// countsSource yields the kept counts (course_id, department, status,
// people), with the changes not yet folded in (PostgreSQL) added.
const countsSource = `(SELECT course_id, department, status, CAST(SUM(people) AS BIGINT) AS people FROM (
	SELECT course_id, department, status, people FROM compliance_counts
	UNION ALL SELECT course_id, department, status, people FROM compliance_count_changes) k
	GROUP BY course_id, department, status HAVING SUM(people) <> 0)`

// countsFoldLock is the PostgreSQL advisory lock a transaction takes (if
// no other holds it) to fold compliance_count_changes into
// compliance_counts: one folder at a time, and everybody else only appends.
const countsFoldLock = 6100037

// addCounts adds changes to the kept counts: changes is a SELECT of
// (course_id, department, status, n) rows, n +1 for a row of
// compliance_status that is about to stand (or now stands) in that group
// and -1 for one that is about to leave it. Rows of one group are summed,
// and groups whose changes cancel out are left alone.
//
// On SQLite (one writer at a time) the sums go straight to
// compliance_counts. On PostgreSQL they are appended to
// compliance_count_changes, which locks nothing another transaction needs,
// and then folded in if no other transaction is folding.
func addCounts(tx *gorm.DB, changes string, args ...any) error {
	sum := `SELECT course_id, department, status, SUM(n) FROM (` + changes + `) c
		GROUP BY course_id, department, status HAVING SUM(n) <> 0`
	if tx.Dialector.Name() != "postgres" {
		q := `INSERT INTO compliance_counts (course_id, department, status, people) ` + sum + `
			ON CONFLICT (course_id, department, status) DO UPDATE SET people = compliance_counts.people + excluded.people`
		if err := tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("count standings: %w", err)
		}
		return nil
	}
	if err := tx.Exec(`INSERT INTO compliance_count_changes (course_id, department, status, people) `+sum, args...).Error; err != nil {
		return fmt.Errorf("count standings: %w", err)
	}
	return foldCounts(tx)
}

// foldCounts (PostgreSQL) moves compliance_count_changes into
// compliance_counts, unless another transaction is doing so: exactly the
// rows it deletes are added (one statement), in key order.
func foldCounts(tx *gorm.DB) error {
	var got bool
	if err := tx.Raw(`SELECT pg_try_advisory_xact_lock(?)`, countsFoldLock).Row().Scan(&got); err != nil {
		return fmt.Errorf("count standings: %w", err)
	}
	if !got {
		return nil
	}
	err := tx.Exec(`WITH moved AS (DELETE FROM compliance_count_changes RETURNING course_id, department, status, people)
		INSERT INTO compliance_counts (course_id, department, status, people)
		SELECT course_id, department, status, SUM(people) FROM moved GROUP BY course_id, department, status
		ORDER BY course_id, department, status
		ON CONFLICT (course_id, department, status) DO UPDATE SET people = compliance_counts.people + excluded.people`).Error
	if err != nil {
		return fmt.Errorf("count standings: fold: %w", err)
	}
	return nil
}

// rebuildCounts counts compliance_status again from scratch.
func rebuildCounts(tx *gorm.DB) error {
	count := `INSERT INTO compliance_counts (course_id, department, status, people)
		SELECT course_id, department, status, COUNT(*) FROM compliance_status GROUP BY course_id, department, status`
	qs := []string{`DELETE FROM compliance_count_changes`, `DELETE FROM compliance_counts`, count}
	if tx.Dialector.Name() == "postgres" {
		// Wait for a folder to finish and keep others out; then drop the
		// changes and count in one statement, so both see the same
		// committed transactions (a change committed in between would be
		// counted twice, or not at all).
		qs = []string{`SELECT pg_advisory_xact_lock(` + fmt.Sprint(countsFoldLock) + `)`, `DELETE FROM compliance_counts`,
			`WITH gone AS (DELETE FROM compliance_count_changes RETURNING 1) ` + count}
	}
	for _, q := range qs {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("count standings: %w", err)
		}
	}
	return nil
}
