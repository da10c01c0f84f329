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
	// Event, when set, makes the import's audit entry instead of
	// StaffImportEvent (the API describes its calls its own way).
	Event func(plan *StaffPlan, now time.Time) audit.Event
}

// FollowStaffImport sets plan's hooks so that the import is the same change
// whichever way it comes in: before anything is written, also runs (when not
// nil; HR's page claims its upload there, and an error stops the import with
// nothing written); in each write transaction, the assignment rules are
// applied again to the people it wrote (reevaluate); and once every batch
// is written, the audit trail records the import in one entry (src.Event,
// or StaffImportEvent). ImportStaff uses it with the rule engine and the
// report refresh.
func FollowStaffImport(plan *StaffPlan, src ImportSource, reevaluate, also func(tx *gorm.DB, now time.Time, ids []string) error) {
	plan.Options.BeforeWrite = also
	plan.Options.AfterBatch = func(tx *gorm.DB, now time.Time, ids []string) error {
		if err := reevaluate(tx, now, ids); err != nil {
			return fmt.Errorf("apply the assignment rules: %w", err)
		}
		return nil
	}
	plan.Options.AfterApply = func(tx *gorm.DB, now time.Time, _ []string) error {
		ev := StaffImportEvent(plan, src, now)
		if src.Event != nil {
			ev = src.Event(plan, now)
		}
		return audit.Record(tx, ev)
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
