package compliance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// Change tracking: which people need their rules evaluated again, and which
// cycles need looking at, without reading everyone.
//
// People: triggers on employees put a person in eval_queue whenever they are
// inserted or a field a rule or an escalation looks at changes, whatever
// wrote it (an import, an HR page, the API, a hand-written SQL statement).
// SQLite and PostgreSQL write triggers differently, so the engine creates
// them (EnsureChangeTracking, at start-up and before every pass) instead of
// a migration; the first time it does, it queues everyone, which covers
// anything written before.
//
// Rules: a pass compares a fingerprint of every rule with the one the people
// were last evaluated against and evaluates everyone (in batches) when it
// moved.
//
// Cycles: next_event_at (see advance.go). A cycle written through GORM with
// a new status, due date, expiry or exemption end gets next_event_at =
// epoch (BeforeUpdate below), so the next pass looks at it.

// epoch is next_event_at's "look at this cycle on the next pass".
var epoch = time.Unix(0, 0).UTC()

// trackedColumns are the employee fields that change what the engine decides:
// the rules' inputs, the status, and the manager (escalations).
var trackedColumns = []string{"department", "job_title", "location", "status", "hire_date", "manager_id"}

const triggerInsert = "onramp_eval_employee_insert"
const triggerUpdate = "onramp_eval_employee_update"

// EnsureChangeTracking creates the triggers that fill eval_queue, if they are
// missing, and then queues everyone once. It is cheap when they exist.
// Triggers of an older release are replaced without queueing anyone: they
// were tracking all along.
func EnsureChangeTracking(ctx context.Context, d *db.DB) error {
	found, current, err := trackingState(d.WithContext(ctx), d.Dialect)
	if err != nil || current {
		return err
	}
	return d.Tx(ctx, func(tx *gorm.DB) error {
		found, current, err = trackingState(tx, d.Dialect)
		if err != nil || current {
			return err
		}
		for _, stmt := range triggerDDL(d.Dialect) {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("create change tracking: %w", err)
			}
		}
		if found == 2 {
			return nil
		}
		if err := tx.Exec(`INSERT INTO eval_queue (employee_id) SELECT id FROM employees WHERE true ON CONFLICT DO NOTHING`).Error; err != nil {
			return fmt.Errorf("queue everyone for evaluation: %w", err)
		}
		return nil
	})
}

// trackingState says how many of the two triggers exist, and whether they
// are this release's. On SQLite the first release's triggers queued with
// INSERT OR IGNORE, which the statement that fires a trigger overrides: an
// upsert of employees (every staff import) that changed someone already
// queued failed with "UNIQUE constraint failed: eval_queue.employee_id".
func trackingState(tx *gorm.DB, d db.Dialect) (found int, current bool, err error) {
	var st struct{ Found, Old int }
	if d == db.Postgres {
		err = tx.Raw(`SELECT COUNT(*) AS found, 0 AS old FROM pg_trigger WHERE tgname IN (?, ?)`, triggerInsert, triggerUpdate).Scan(&st).Error
	} else {
		err = tx.Raw(`SELECT COUNT(*) AS found, COALESCE(SUM(sql LIKE '%OR IGNORE%'), 0) AS old FROM sqlite_master
			WHERE type = 'trigger' AND name IN (?, ?)`, triggerInsert, triggerUpdate).Scan(&st).Error
	}
	if err != nil {
		return 0, false, fmt.Errorf("look for change tracking: %w", err)
	}
	return st.Found, st.Found == 2 && st.Old == 0, nil
}

func triggerDDL(d db.Dialect) []string {
	changed := make([]string, len(trackedColumns))
	for i, c := range trackedColumns {
		if d == db.Postgres {
			changed[i] = fmt.Sprintf("OLD.%s IS DISTINCT FROM NEW.%s", c, c)
		} else {
			changed[i] = fmt.Sprintf("OLD.%s IS NOT NEW.%s", c, c)
		}
	}
	when := strings.Join(changed, " OR ")
	cols := strings.Join(trackedColumns, ", ")
	if d == db.Postgres {
		return []string{
			`CREATE OR REPLACE FUNCTION onramp_eval_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO eval_queue (employee_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$`,
			`DROP TRIGGER IF EXISTS ` + triggerInsert + ` ON employees`,
			`DROP TRIGGER IF EXISTS ` + triggerUpdate + ` ON employees`,
			`CREATE TRIGGER ` + triggerInsert + ` AFTER INSERT ON employees FOR EACH ROW EXECUTE FUNCTION onramp_eval_enqueue()`,
			`CREATE TRIGGER ` + triggerUpdate + ` AFTER UPDATE OF ` + cols + ` ON employees FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION onramp_eval_enqueue()`,
		}
	}
	// ON CONFLICT DO NOTHING, not INSERT OR IGNORE: see trackingState.
	return []string{
		`DROP TRIGGER IF EXISTS ` + triggerInsert,
		`DROP TRIGGER IF EXISTS ` + triggerUpdate,
		`CREATE TRIGGER ` + triggerInsert + ` AFTER INSERT ON employees BEGIN
  INSERT INTO eval_queue (employee_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
END`,
		`CREATE TRIGGER ` + triggerUpdate + ` AFTER UPDATE OF ` + cols + ` ON employees WHEN ` + when + ` BEGIN
  INSERT INTO eval_queue (employee_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
END`,
	}
}

// QueueEvaluation puts people in the evaluation queue by hand (the triggers
// do it for every write to employees).
func QueueEvaluation(tx *gorm.DB, ids []string) error {
	for start := 0; start < len(ids); start += chunk {
		rows := make([][]any, 0, chunk)
		for _, id := range ids[start:min(start+chunk, len(ids))] {
			rows = append(rows, []any{id})
		}
		if err := insertRows(tx, "eval_queue", []string{"employee_id"}, rows, "ON CONFLICT DO NOTHING"); err != nil {
			return fmt.Errorf("queue evaluation: %w", err)
		}
	}
	return nil
}

// state reads one engine_state value ("" when unset).
func state(tx *gorm.DB, name string) (string, error) {
	var vs []string
	if err := tx.Raw(`SELECT value FROM engine_state WHERE name = ?`, name).Scan(&vs).Error; err != nil {
		return "", fmt.Errorf("read engine state %s: %w", name, err)
	}
	if len(vs) == 0 {
		return "", nil
	}
	return vs[0], nil
}

// noteRulesIfNobody records the rules as they now are as evaluated for
// everyone when there is nobody yet: the next pass then evaluates only the
// people who change (eval_queue), not everyone. Otherwise a new database
// (the course rules are created at start-up, before anyone is imported)
// made the first pass after a staff import evaluate every person again,
// every rule the import had just applied: 100,000 people's assignments and
// rule matches read for nothing. Everyone added later is evaluated as they
// are added.
func noteRulesIfNobody(tx *gorm.DB) error {
	var someone []int
	if err := tx.Raw(`SELECT 1 FROM employees LIMIT 1`).Scan(&someone).Error; err != nil {
		return fmt.Errorf("look for employees: %w", err)
	}
	if len(someone) > 0 {
		return nil
	}
	fp, _, err := rulesFingerprint(tx)
	if err != nil {
		return err
	}
	return setState(tx, "rules", fp)
}

func setState(tx *gorm.DB, name, value string) error {
	err := tx.Exec(`INSERT INTO engine_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value).Error
	if err != nil {
		return fmt.Errorf("record engine state %s: %w", name, err)
	}
	return nil
}

// nextEventVersion changes when the way next_event_at is computed changes,
// so that an upgrade recomputes every value.
const nextEventVersion = "1"

// policyFingerprint identifies the settings next_event_at depends on.
func (e *Engine) policyFingerprint() string {
	p := e.policy()
	return fmt.Sprintf("v%s soon=%v every=%d max=%d escalate=%d nudges=%t", nextEventVersion,
		p.DueSoonDays, p.OverdueEveryDays, p.OverdueMax, p.EscalateAfterDays, e.Nudges)
}

// rulesFingerprint hashes every rule, active or not; it also counts the
// active ones.
func rulesFingerprint(tx *gorm.DB) (string, int, error) {
	return rulesFingerprintSkipping(tx, "")
}

// rulesFingerprintSkipping is rulesFingerprint without the rule of ID skip.
func rulesFingerprintSkipping(tx *gorm.DB, skip string) (string, int, error) {
	var rules []*Rule
	if err := tx.Order("id").Find(&rules).Error; err != nil {
		return "", 0, fmt.Errorf("load rules: %w", err)
	}
	active := 0
	h := sha256.New()
	for _, r := range rules {
		if r.ID == skip {
			continue
		}
		if r.Active {
			active++
		}
		fmt.Fprintf(h, "%s|%s|%s|%t|%v|%v|%v|%d|%s|%d|%d|%s|%d|%d|%s|%t|%s\n", r.ID, r.Name, r.CourseID, r.Everyone,
			[]string(r.Departments), []string(r.JobTitles), []string(r.Locations), r.DueDays, r.DueFrom, r.EveryMonths,
			r.WindowDays, r.Base, r.FixedMonth, r.FixedDay, r.ReminderPolicy, r.Active, r.UpdatedAt.UTC().Format(time.RFC3339Nano))
	}
	return hex.EncodeToString(h.Sum(nil)), active, nil
}

// resetNextEvents sets next_event_at to epoch on every cycle that may still
// have an event, in batches, each its own transaction: after the policy
// changed.
func resetNextEvents(ctx context.Context, d *db.DB, batch int) error {
	after := ""
	for {
		var ids []string
		if err := d.WithContext(ctx).Raw(`SELECT id FROM cycles WHERE id > ? ORDER BY id LIMIT ?`, after, batch).Scan(&ids).Error; err != nil {
			return fmt.Errorf("reset next events: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		err := d.BulkTx(ctx, func(tx *gorm.DB) error {
			return tx.Exec(`UPDATE cycles SET next_event_at = ? WHERE id IN ? AND next_event_at IS NOT NULL AND status NOT IN ?`,
				epoch, ids, []CycleStatus{StatusClosed}).Error
		})
		if err != nil {
			return fmt.Errorf("reset next events: %w", err)
		}
	}
}

// BeforeUpdate marks a cycle for the next pass when an update through GORM
// changes what its next event depends on, unless the update sets
// next_event_at itself.
func (c *Cycle) BeforeUpdate(tx *gorm.DB) error {
	m, ok := tx.Statement.Dest.(map[string]any)
	if !ok {
		return nil
	}
	if _, set := m["next_event_at"]; set {
		return nil
	}
	for _, k := range []string{"status", "due_at", "expires_at", "exempt_until", "reminder_stage", "completed_at",
		"Status", "DueAt", "ExpiresAt", "ExemptUntil", "ReminderStage", "CompletedAt"} {
		if _, hit := m[k]; hit {
			m["next_event_at"] = epoch
			return nil
		}
	}
	return nil
}
