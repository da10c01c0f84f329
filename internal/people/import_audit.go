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
	ViaAPI         = "through the API"
)

// ImportSource says where a staff import came from, for its audit entry.
type ImportSource struct {
	// File is the file's name without its directory.
	File string
	// Via is ViaCommandLine or ViaHRPage.
	Via string
	// By is who ran it; zero for the command line.
	By Actor
	// Upload, when set, is the kept upload (SaveStaffUpload) the import
	// applies: Service.ApplyImport claims it before writing anything.
	Upload string
	// Token is the API token's ID, for an import through the API.
	Token string
	// Single says the import is a call about one employee (the API's
	// PUT): its audit entry is then about that employee.
	Single bool
	// Job, when set, is the job the import runs as (Service.StartImport):
	// each write transaction adds its progress to it.
	Job string
}

// FollowStaffImport sets plan's hooks so that the import is the same change
// whichever way it comes in: before anything is written, also runs (when not
// nil; HR's page claims its upload there, and an error stops the import with
// nothing written); in each write transaction, the assignment rules are
// applied again to the people it wrote (reevaluate); and once every batch
// is written, the audit trail records the import in one entry
// (StaffImportEvent). Service.ApplyImport uses it with the rule engine and
// the report refresh.
func FollowStaffImport(plan *StaffPlan, src ImportSource, reevaluate, also func(tx *gorm.DB, now time.Time, ids []string) error) {
	plan.Options.BeforeWrite = also
	plan.Options.AfterBatch = func(tx *gorm.DB, now time.Time, ids []string) error {
		if err := reevaluate(tx, now, ids); err != nil {
			return fmt.Errorf("apply the assignment rules: %w", err)
		}
		return nil
	}
	plan.Options.AfterApply = func(tx *gorm.DB, now time.Time, _ []string) error {
		return audit.Record(tx, StaffImportEvent(plan, src, now))
	}
}

// StaffImportEvent describes an applied import for the audit trail: the
// counts, and who was added, changed (field by field), deactivated and
// reactivated, by employee_id and Onramp's ID. A file names itself; a call
// through the API names its token; a call about one employee
// (src.Single) is recorded as that employee's change.
func StaffImportEvent(plan *StaffPlan, src ImportSource, now time.Time) audit.Event {
	type entry struct {
		EmployeeID string        `json:"employee_id"`
		OnrampID   string        `json:"onramp_id,omitempty"`
		Email      string        `json:"email"`
		Reason     string        `json:"reason,omitempty"`
		Fields     []FieldChange `json:"fields,omitempty"`
	}
	list := func(changes []StaffChange) []entry {
		out := make([]entry, len(changes))
		for i, c := range changes {
			out[i] = entry{EmployeeID: c.EmployeeNumber, OnrampID: c.ID, Email: c.Email, Reason: c.Reason, Fields: c.Fields}
		}
		return out
	}
	details := map[string]any{
		"via":         src.Via,
		"unchanged":   plan.Unchanged,
		"added":       list(plan.Added),
		"changed":     list(plan.Changed),
		"deactivated": list(plan.Deactivated),
		"reactivated": list(plan.Reactivated),
	}
	ev := audit.Event{
		At: now, ActorID: src.By.ID, ActorName: src.By.Name, Action: audit.ActionImport, EntityType: "employee",
		Summary: fmt.Sprintf("Staff import of %s %s: %d added, %d changed, %d deactivated, %d reactivated, %d unchanged.",
			src.File, src.Via, len(plan.Added), len(plan.Changed), len(plan.Deactivated), len(plan.Reactivated), plan.Unchanged),
		Details: details,
	}
	if src.File != "" {
		details["file"] = src.File
		details["deactivate_missing"] = plan.Options.DeactivateMissing
	} else {
		ev.Summary = fmt.Sprintf("Staff update %s (%d %s): %s.", src.Via, plan.Rows, plural(plan.Rows, "employee", "employees"), plan.Summary())
	}
	if src.Token != "" {
		details["token_id"] = src.Token
	}
	if !src.Single {
		return ev
	}
	ev.Action = audit.ActionUpdate
	for _, k := range []struct {
		verb, action string
		list         []StaffChange
	}{
		{"added", audit.ActionCreate, plan.Added}, {"updated", audit.ActionUpdate, plan.Changed},
		{"deactivated", audit.ActionDeactivate, plan.Deactivated}, {"reactivated", audit.ActionUpdate, plan.Reactivated},
	} {
		for _, ch := range k.list {
			if ch.Row > 0 {
				ev.Action, ev.EntityID = k.action, ch.ID
				ev.Summary = fmt.Sprintf("Employee %s (%s) %s %s.", ch.EmployeeNumber, ch.Name, k.verb, src.Via)
			}
		}
	}
	return ev
}
