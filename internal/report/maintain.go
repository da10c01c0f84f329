package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// MaintainResult says what MaintainBatches did.
type MaintainResult struct {
	// Full is true when the whole table was recomputed.
	Full bool
	// People is how many people were refreshed.
	People int
	// Snapshot is true when today's history snapshot was written.
	Snapshot bool
	// MaxTx is the longest write transaction (MaintainBatches).
	MaxTx time.Duration
}

type refreshState struct {
	FullAt      nullTime
	PassAt      nullTime
	SnapshotDay nullTime
}

// Snapshot records how many people stand where on day, per course and
// department, in compliance_history (replacing that day's snapshot if one
// was taken). The 12-month trend reads it.
func Snapshot(tx *gorm.DB, day time.Time) error {
	day = compliance.Day(day)
	if err := tx.Exec(`DELETE FROM compliance_history WHERE day = ?`, day).Error; err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	err := tx.Exec(`INSERT INTO compliance_history (day, course_id, department, status, people)
		SELECT `+timeParam(tx)+`, course_id, department, status, people FROM `+countsSource+` k`, day).Error
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// readRefreshState reads when the report table was last built in full,
// kept by a pass, and snapshotted.
func readRefreshState(ctx context.Context, d *db.DB) (refreshState, error) {
	var st refreshState
	row := d.WithContext(ctx).Raw(`SELECT full_at, pass_at, snapshot_day FROM compliance_refresh WHERE id = 1`).Row()
	if err := row.Scan(&st.FullAt, &st.PassAt, &st.SnapshotDay); err != nil && err != sql.ErrNoRows {
		return st, fmt.Errorf("read refresh state: %w", err)
	}
	return st, nil
}

// MaintainBatches keeps the report tables current around a scheduler pass
// whose batches refreshed the rows of the people they changed
// (RefreshEmployees in each batch). It never holds the database for long:
// the first build, or a rebuild after the clock went back, refreshes
// everyone a batch of people per transaction; the day's snapshot is counted
// with a read and written in one short transaction.
func MaintainBatches(ctx context.Context, d *db.DB, now time.Time, batch int) (MaintainResult, error) {
	var res MaintainResult
	st, err := readRefreshState(ctx, d)
	if err != nil {
		return res, err
	}
	today := compliance.Day(now)
	if !st.FullAt.Valid || (st.PassAt.Valid && now.Before(st.PassAt.Time)) {
		if err := refreshEveryone(ctx, d, now, batch, &res); err != nil {
			return res, err
		}
	}
	if !st.SnapshotDay.Valid || !compliance.Day(st.SnapshotDay.Time).Equal(today) {
		type count struct {
			CourseID, Department, Status string
			People                       int
		}
		var counts []count
		if err := d.WithContext(ctx).Raw(`SELECT course_id, department, status, people FROM ` + countsSource + ` k`).Scan(&counts).Error; err != nil {
			return res, fmt.Errorf("snapshot: %w", err)
		}
		began := time.Now()
		err := d.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec(`DELETE FROM compliance_history WHERE day = ?`, today).Error; err != nil {
				return err
			}
			for start := 0; start < len(counts); start += 1000 {
				part := counts[start:min(start+1000, len(counts))]
				q := `INSERT INTO compliance_history (day, course_id, department, status, people) VALUES `
				args := make([]any, 0, len(part)*5)
				for i, c := range part {
					if i > 0 {
						q += ", "
					}
					q += "(?, ?, ?, ?, ?)"
					args = append(args, today, c.CourseID, c.Department, c.Status, c.People)
				}
				if err := tx.Exec(q, args...).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("snapshot: %w", err)
		}
		res.MaxTx = max(res.MaxTx, time.Since(began))
		res.Snapshot = true
	}
	if err := d.WithContext(ctx).Exec(`UPDATE compliance_refresh SET pass_at = ?, snapshot_day = ? WHERE id = 1`, now.UTC(), today).Error; err != nil {
		return res, fmt.Errorf("record refresh: %w", err)
	}
	return res, nil
}

// refreshEveryone recomputes everyone's rows of compliance_status as of
// now, a batch of people per short transaction (paced: writers waiting for
// the lock get it between batches), and records the full refresh.
func refreshEveryone(ctx context.Context, d *db.DB, now time.Time, batch int, res *MaintainResult) error {
	after := ""
	pace := d.NewPacer(batch, 1, batch)
	for {
		var ids []string
		if err := d.WithContext(ctx).Raw(`SELECT id FROM employees WHERE id > ? ORDER BY id LIMIT ?`, after, pace.Size()).Scan(&ids).Error; err != nil {
			return fmt.Errorf("refresh compliance status: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		took, err := d.BulkTxHeld(ctx, func(tx *gorm.DB) error { return RefreshEmployees(tx, now, ids) })
		if err != nil {
			return err
		}
		res.MaxTx = max(res.MaxTx, took)
		res.People += len(ids)
		pace.Done(ctx, len(ids), took)
	}
	if err := d.WithContext(ctx).Exec(`UPDATE compliance_refresh SET full_at = ? WHERE id = 1`, now.UTC()).Error; err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	res.Full = true
	return nil
}

// Freshen brings compliance_status up to date as of now for a reader
// outside the scheduler (the report command), without holding the
// database: a standing changes with the day (a due date or an expiry
// passing) or with a write (which refreshes its people in its own
// transaction), so the table is current when the scheduler's maintenance
// (MaintainBatches, after each pass) or a full refresh ran earlier the
// same day. Otherwise, or when it was never built, everyone is refreshed a
// batch of people per short transaction (refreshEveryone). It does not
// take the day's snapshot (the scheduler does).
func Freshen(ctx context.Context, d *db.DB, now time.Time, batch int) (MaintainResult, error) {
	var res MaintainResult
	st, err := readRefreshState(ctx, d)
	if err != nil {
		return res, err
	}
	today := compliance.Day(now)
	sameDay := func(t nullTime) bool {
		return t.Valid && !now.Before(t.Time) && compliance.Day(t.Time).Equal(today)
	}
	if st.FullAt.Valid && (sameDay(st.PassAt) || sameDay(st.FullAt)) {
		return res, nil
	}
	return res, refreshEveryone(ctx, d, now, batch, &res)
}

// MarkBuiltBeforeFirstCycles records compliance_status as fully built, in
// tx, when it never was and no cycle exists yet: for a change about to give
// people their first cycles that refreshes those people's rows in tx (a
// staff import's batch, people.Service). The table is empty and complete
// now, and that change keeps it complete, so the first pass after it need
// not rebuild it (at 100,000 people that rebuild was about 20 s of the
// first pass). Whoever writes cycles without refreshing their people (the
// demo's seeding, an operator's SQL) leaves it unbuilt, and the next pass
// builds it.
func MarkBuiltBeforeFirstCycles(tx *gorm.DB, now time.Time) error {
	if err := tx.Exec(`UPDATE compliance_refresh SET full_at = ? WHERE id = 1 AND full_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM cycles)`, now.UTC()).Error; err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	return nil
}

// MarkBuilt records compliance_status as fully built, unless it was: for a
// pass that started with no cycle at all, whose batches refreshed every
// person they gave one.
func MarkBuilt(ctx context.Context, d *db.DB, now time.Time) error {
	if err := d.WithContext(ctx).Exec(`UPDATE compliance_refresh SET full_at = ? WHERE id = 1 AND full_at IS NULL`, now.UTC()).Error; err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	return nil
}
