package people

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
)

// How a staff import was run, as its audit entry says.
const (
	ViaCommandLine = "on the command line"
	ViaHRPage      = "on the HR import page"
)

// ImportSource says where a staff import came from, for its audit entry.
type ImportSource struct {
	// File is the file's name without its directory.
	File string
	// Via is ViaCommandLine or ViaHRPage.
	Via string
	// By is who ran it; zero for the command line.
	By Actor
}

// FollowStaffImport sets plan's AfterApply so that, in the import's one
// transaction, the assignment rules are applied again to everyone the
// import touched (reevaluate: compliance.Engine.EvaluateTx), then also runs
// (when not nil), and the audit trail records the import. The command line
// and HR's page both use it, so an import is the same change whichever way
// it comes in; if any part fails, nothing is imported.
func FollowStaffImport(plan *StaffPlan, src ImportSource, reevaluate, also func(tx *gorm.DB, now time.Time, ids []string) error) {
	plan.Options.AfterApply = func(tx *gorm.DB, now time.Time, ids []string) error {
		if err := reevaluate(tx, now, ids); err != nil {
			return fmt.Errorf("apply the assignment rules: %w", err)
		}
		if also != nil {
			if err := also(tx, now, ids); err != nil {
				return err
			}
		}
		return audit.Record(tx, StaffImportEvent(plan, src, now))
	}
}

// StaffImportEvent describes an applied import for the audit trail: the
// counts, and who was added, changed (field by field), deactivated and
// reactivated, by employee_id.
func StaffImportEvent(plan *StaffPlan, src ImportSource, now time.Time) audit.Event {
	type entry struct {
		EmployeeID string        `json:"employee_id"`
		Email      string        `json:"email"`
		Reason     string        `json:"reason,omitempty"`
		Fields     []FieldChange `json:"fields,omitempty"`
	}
	list := func(changes []StaffChange) []entry {
		out := make([]entry, len(changes))
		for i, c := range changes {
			out[i] = entry{EmployeeID: c.EmployeeNumber, Email: c.Email, Reason: c.Reason, Fields: c.Fields}
		}
		return out
	}
	return audit.Event{
		At: now, ActorID: src.By.ID, ActorName: src.By.Name, Action: audit.ActionImport, EntityType: "employee",
		Summary: fmt.Sprintf("Staff import of %s %s: %d added, %d changed, %d deactivated, %d reactivated, %d unchanged.",
			src.File, src.Via, len(plan.Added), len(plan.Changed), len(plan.Deactivated), len(plan.Reactivated), plan.Unchanged),
		Details: map[string]any{
			"file":               src.File,
			"via":                src.Via,
			"deactivate_missing": plan.Options.DeactivateMissing,
			"unchanged":          plan.Unchanged,
			"added":              list(plan.Added),
			"changed":            list(plan.Changed),
			"deactivated":        list(plan.Deactivated),
			"reactivated":        list(plan.Reactivated),
		},
	}
}
