// Package people holds employees: who they are, their department, job title,
// location and manager, their role in Onramp (learner, manager, hr_admin),
// and whether they are still active. Leavers become inactive, never deleted,
// so their training records stay.
//
// # Changing people: Service
//
// Every change to people goes through a *Service, whatever its source (HR's
// pages, the command line, the JSON API, single sign-on, SCIM). internal/app
// builds the one Service (App.Staff) with the rule engine and the session
// ender wired in, and hands it to the HTTP server (Deps.Staff). Each method
// owns its transaction(s) and the change's follow-ups, so an entry point
// knows nothing of them: the assignment rules applied again to the people
// changed (which queues their e-mails in the outbox), their compliance
// standings refreshed (report.RefreshEmployees), one audit entry, and for a
// leaver the end of their sessions.
//
// One person, in one transaction:
//
//	emp, err := svc.Create(ctx, by, d, now)               // *DetailsError: what to fix, per field
//	emp, changes, err := svc.Update(ctx, by, id, d, now)  // also a manager change (d.ManagerEmail)
//	emp, err := svc.Deactivate(ctx, by, id, now)          // ErrAlreadyInactive, ErrDeactivateSelf, ErrLastHRAdmin
//	emp, err := svc.Reactivate(ctx, by, id, now)          // ErrAlreadyActive
//	emp, d, err := svc.Details(ctx, id)                   // the Details Update takes, to edit
//
// Each takes Options: Also(fn) runs a caller's own writes in the change's
// transaction (SCIM's names for the person), so they and the change are
// kept together or not at all; SetActive(active) makes Create or Update
// change the person's status in the same transaction and audit entry (a
// reactivation with new details); PromoteManager makes the person's new
// manager a manager, as the staff import does.
//
// by is an Actor: the person or system making the change, as the audit trail
// names it (Actor{Name: "Single sign-on"} for a system). ErrNotFound when id
// is nobody.
//
// Many people at once (a staff list), all or nothing, in three steps:
//
//	file, err := ParseStaffCSV(r)                  // or CheckStaff(records, numbering) for typed records
//	plan, err := svc.PlanImport(ctx, file, opts)   // compare with the database; a dry run stops here
//	res, err := svc.ApplyImport(ctx, plan, src, now)
//
// Problems with the rows come back as *ImportError (row, column, value,
// message). ApplyImport writes in batches of short transactions, each with
// the follow-ups of its people, then one audit entry described by src
// (ImportSource: file, Via, By, the API token, the kept upload to claim).
// ErrStalePlan means someone changed employees since the plan: plan again.
// HR's page keeps an upload between its preview and Apply with KeepUpload,
// Upload (ErrUploadGone, not found, once it is gone) and DiscardUpload;
// Apply claims it (ErrUploadGone, a conflict, when another window did).
// StartImport runs ApplyImport as a background job (internal/jobs) whose
// write transactions add their progress to it: HR's page waits a few
// seconds, then follows a large file on the import's page.
//
// ParseStaffCSV is the CSV front end; sources that are not files (the JSON
// API, SCIM) build StaffRecords and check them with CheckStaff, numbering
// them with csvimport.List so that problems name their items. The JSON API
// does all three steps in one call, svc.Upsert(ctx, records, src, now),
// whose errors are the call's answer: Invalid naming each record by its
// Index and employee_id, Forbidden for a change PrivilegedChanges refuses
// (a manager's or HR admin's e-mail address, role or status), Conflict for
// a stale plan.
//
// It knows nothing of HTTP; passwords are hashed by package auth.
package people
