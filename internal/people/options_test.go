package people_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

func auditTotal(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.Model(&audit.Entry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAlsoJoinsTheChangesTransaction: a caller's own writes (Also) are in
// the change's transaction: when they fail, nothing of the change is kept
// (the person, their status, the audit entry), and the change returns
// their error.
func TestAlsoJoinsTheChangesTransaction(t *testing.T) {
	d := openStaffDB(t)
	ctx := context.Background()
	h := &hooks{}
	boom := errors.New("the caller's write failed")
	fail := people.Also(func(*gorm.DB, *people.Employee) error { return boom })
	ada := people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Role: people.RoleLearner}

	if _, err := h.admin(d).Add(ctx, hr, ada, importDay, fail); !errors.Is(err, boom) {
		t.Fatalf("Add with a failing Also: %v", err)
	}
	if employeeCount(t, d) != 0 || auditTotal(t, d) != 0 {
		t.Fatal("a failed Also left the added person or their audit entry behind")
	}

	// The writes see the person as saved, inside the transaction.
	var seen string
	e, err := h.admin(d).Add(ctx, hr, ada, importDay, people.Also(func(tx *gorm.DB, e *people.Employee) error {
		return tx.Model(&people.Employee{}).Select("email").Where("id = ?", e.ID).Scan(&seen).Error
	}))
	if err != nil || seen != "ada@example.org" {
		t.Fatalf("Add with Also: %v; the write saw %q", err, seen)
	}

	n := auditTotal(t, d)
	ada.JobTitle = "Analyst"
	if _, _, err := h.admin(d).Update(ctx, hr, e.ID, ada, importDay, people.SetActive(false), fail); !errors.Is(err, boom) {
		t.Fatalf("Update with a failing Also: %v", err)
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusActive || got.JobTitle != "" || auditTotal(t, d) != n {
		t.Errorf("a failed Also kept part of the update: %+v, %d audit entries (was %d)", got, auditTotal(t, d), n)
	}
	if _, err := h.admin(d).Deactivate(ctx, hr, e.ID, importDay, fail); !errors.Is(err, boom) {
		t.Fatalf("Deactivate with a failing Also: %v", err)
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusActive || auditTotal(t, d) != n {
		t.Error("a failed Also kept the deactivation")
	}
	// Also runs when there is nothing else to write.
	ran := false
	if _, _, err := h.admin(d).Update(ctx, hr, e.ID, people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Role: people.RoleLearner},
		importDay, people.Also(func(*gorm.DB, *people.Employee) error { ran = true; return nil })); err != nil || !ran {
		t.Errorf("Update with nothing to change: %v; Also ran: %v", err, ran)
	}
}

// TestUpdateWithSetActive: one Update reactivates (or deactivates) and
// edits a person, in one transaction with one audit entry; a failure
// leaves them as they were. Deactivate and Reactivate refuse SetActive.
func TestUpdateWithSetActive(t *testing.T) {
	d := openStaffDB(t)
	ctx := context.Background()
	boss := addByHand(t, d, "hr@example.org", people.RoleHRAdmin)
	h := &hooks{}
	by := people.Actor{ID: boss.ID, Name: "Boss"}
	e, err := h.admin(d).Add(ctx, by, people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Role: people.RoleLearner},
		importDay, people.SetActive(false))
	if err != nil || e.Status != people.StatusInactive || e.DeactivatedAt == nil {
		t.Fatalf("added inactive: %+v, %v", e, err)
	}
	edit := people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", JobTitle: "Analyst", Role: people.RoleLearner}

	// Bad details: nothing happens, the person stays inactive.
	bad := edit
	bad.TimeZone = "Mars/Olympus"
	n := auditTotal(t, d)
	if _, _, err := h.admin(d).Update(ctx, by, e.ID, bad, importDay, people.SetActive(true)); err == nil {
		t.Fatal("an edit with a bad time zone was saved")
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusInactive || auditTotal(t, d) != n {
		t.Errorf("a refused edit reactivated the person: %+v", got)
	}

	h.evaluated = nil
	saved, changes, err := h.admin(d).Update(ctx, by, e.ID, edit, importDay, people.SetActive(true))
	if err != nil {
		t.Fatal(err)
	}
	if saved.Status != people.StatusActive || saved.DeactivatedAt != nil || saved.JobTitle != "Analyst" || len(changes) != 1 ||
		!slices.Equal(h.evaluated, []string{e.ID}) || h.statusIn != people.StatusActive {
		t.Errorf("reactivated and edited: %+v, changes %v, rules ran for %v seeing %s", saved, changes, h.evaluated, h.statusIn)
	}
	var entries []audit.Entry
	if err := d.Where("seq > ?", n).Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != audit.ActionUpdate || entries[0].Summary != "Reactivated Ada Lovelace (ada@example.org) and changed their details: job_title." {
		t.Errorf("audit entries for reactivate and edit: %+v", entries)
	}

	// Deactivate and edit: sessions ended, one deactivate entry.
	edit.JobTitle = "Leaver"
	if _, _, err := h.admin(d).Update(ctx, by, e.ID, edit, importDay, people.SetActive(false)); err != nil {
		t.Fatal(err)
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusInactive || got.JobTitle != "Leaver" || !slices.Equal(h.ended, []string{e.ID}) {
		t.Errorf("deactivated and edited: %+v, sessions ended for %v", got, h.ended)
	}
	if auditCount(t, d, audit.ActionDeactivate) != 1 {
		t.Error("no deactivate entry")
	}
	// Already in the state asked: no error, nothing written.
	n = auditTotal(t, d)
	if _, _, err := h.admin(d).Update(ctx, by, e.ID, edit, importDay, people.SetActive(false)); err != nil || auditTotal(t, d) != n {
		t.Errorf("SetActive(false) on an inactive person with nothing to change: %v, %d new entries", err, auditTotal(t, d)-n)
	}
	// Nobody deactivates themselves this way either.
	bossDetails := people.Details{FirstName: "Hand", LastName: "Made", Email: "hr@example.org", Role: people.RoleHRAdmin}
	if _, _, err := h.admin(d).Update(ctx, by, boss.ID, bossDetails, importDay, people.SetActive(false)); !errors.Is(err, people.ErrDeactivateSelf) {
		t.Errorf("deactivating oneself through Update: %v", err)
	}
	if _, err := h.admin(d).Reactivate(ctx, by, e.ID, importDay, people.SetActive(true)); err == nil {
		t.Error("Reactivate took SetActive")
	}
}
