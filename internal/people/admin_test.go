package people_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// hooks records what an Admin's change set off, and what the transaction
// held when it did.
type hooks struct {
	evaluated []string
	ended     []string
	statusIn  people.Status
	fail      error
}

func (h *hooks) admin(d *db.DB) *people.Admin {
	return &people.Admin{
		DB: d,
		Reevaluate: func(tx *gorm.DB, _ time.Time, ids []string) error {
			h.evaluated = append(h.evaluated, ids...)
			var e people.Employee
			if err := tx.Where("id = ?", ids[0]).Take(&e).Error; err != nil {
				return err
			}
			h.statusIn = e.Status
			return h.fail
		},
		EndSessions: func(_ *gorm.DB, id string) error {
			h.ended = append(h.ended, id)
			return nil
		},
	}
}

func auditCount(t *testing.T, d *db.DB, action string) int64 {
	t.Helper()
	var n int64
	if err := d.Model(&audit.Entry{}).Where("action = ? AND entity_type = ?", action, "employee").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var hr = people.Actor{ID: "", Name: "Hana Resources"}

func TestAdminAddAppliesTheRulesOrNothing(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx := context.Background()
	h := &hooks{fail: errors.New("the rules are broken")}
	_, err := h.admin(d).Add(ctx, hr, people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org", Role: people.RoleLearner}, importDay)
	if err == nil || !strings.Contains(err.Error(), "the rules are broken") {
		t.Fatalf("Add with failing rules: %v", err)
	}
	if employeeCount(t, d) != 0 || auditCount(t, d, audit.ActionCreate) != 0 {
		t.Fatal("a failed add left an employee or an audit entry behind")
	}

	h.fail, h.evaluated = nil, nil
	e, err := h.admin(d).Add(ctx, hr, people.Details{FirstName: "Ada", LastName: "Lovelace", Email: "ADA@example.org ", Role: people.RoleLearner, HireDate: "2026-03-01"}, importDay)
	if err != nil {
		t.Fatal(err)
	}
	if e.Email != "ada@example.org" || e.Status != people.StatusActive || !slices.Equal(h.evaluated, []string{e.ID}) || h.statusIn != people.StatusActive {
		t.Errorf("added %+v; evaluated %v", e, h.evaluated)
	}
	if auditCount(t, d, audit.ActionCreate) != 1 {
		t.Error("no audit entry for the add")
	}
}

func TestAdminDeactivateInOneTransaction(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx := context.Background()
	boss := addByHand(t, d, "hr@example.org", people.RoleHRAdmin)
	ada := addByHand(t, d, "ada@example.org", people.RoleLearner)
	h := &hooks{}
	by := people.Actor{ID: boss.ID, Name: "Boss"}

	if _, err := h.admin(d).Deactivate(ctx, by, ada.ID, importDay); err != nil {
		t.Fatal(err)
	}
	// The rules saw the person already inactive, so they close the cycles.
	if h.statusIn != people.StatusInactive || !slices.Equal(h.ended, []string{ada.ID}) {
		t.Errorf("rules saw %s; sessions ended for %v", h.statusIn, h.ended)
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusInactive || got.DeactivatedAt == nil {
		t.Errorf("after: %+v", got)
	}
	if _, err := h.admin(d).Deactivate(ctx, by, ada.ID, importDay); !errors.Is(err, people.ErrAlreadyInactive) {
		t.Errorf("twice: %v", err)
	}
	if _, err := h.admin(d).Deactivate(ctx, by, boss.ID, importDay); !errors.Is(err, people.ErrDeactivateSelf) {
		t.Errorf("self: %v", err)
	}
	// From the command line (nobody in particular), the last HR admin
	// still cannot go.
	if _, err := h.admin(d).Deactivate(ctx, people.Actor{}, boss.ID, importDay); !errors.Is(err, people.ErrLastHRAdmin) {
		t.Errorf("last HR admin: %v", err)
	}
	if _, err := h.admin(d).Reactivate(ctx, by, ada.ID, importDay); err != nil {
		t.Fatal(err)
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusActive || got.DeactivatedAt != nil {
		t.Errorf("reactivated: %+v", got)
	}
	if auditCount(t, d, audit.ActionDeactivate) != 1 || auditCount(t, d, audit.ActionUpdate) != 1 {
		t.Error("the audit trail does not hold one deactivation and one reactivation")
	}

	// A failure anywhere undoes the deactivation.
	h.fail = errors.New("no")
	if _, err := h.admin(d).Deactivate(ctx, by, ada.ID, importDay); err == nil {
		t.Fatal("deactivated although the rules failed")
	}
	if got := employees(t, d)["ada@example.org"]; got.Status != people.StatusActive {
		t.Error("a failed deactivation was kept")
	}
}

func TestAdminUpdateChecksTheDatabase(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx := context.Background()
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	all := employees(t, d)
	h := &hooks{}
	details := func(email string) people.Details {
		var dt people.Details
		err := d.Transaction(func(tx *gorm.DB) error {
			e := all[email]
			var err error
			dt, err = people.DetailsOf(tx, &e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return dt
	}

	dana := details("dana@example.org")
	dana.ManagerEmail = "nia@example.org" // Nia → Mo → Dana
	_, _, err := h.admin(d).Update(ctx, hr, all["dana@example.org"].ID, dana, importDay)
	de, ok := errors.AsType[*people.DetailsError](err)
	if !ok || !strings.Contains(de.Fields[people.ColumnManagerEmail], "Nia Nurse → Mo Manager → Dana Director") {
		t.Fatalf("a management loop: %v", err)
	}

	nia := details("nia@example.org")
	nia.Email = "mo@example.org"
	nia.EmployeeNumber = "E2"
	nia.ManagerEmail = "quinn@example.org" // inactive
	nia.TimeZone = "Local"
	_, _, err = h.admin(d).Update(ctx, hr, all["nia@example.org"].ID, nia, importDay)
	de, ok = errors.AsType[*people.DetailsError](err)
	if !ok {
		t.Fatalf("want a DetailsError, got %v", err)
	}
	for field, want := range map[string]string{
		people.ColumnEmail:        "Mo Manager (employee ID E2)",
		people.ColumnEmployeeID:   "Mo Manager",
		people.ColumnManagerEmail: "inactive",
		people.ColumnTimeZone:     "not a time zone",
	} {
		if !strings.Contains(de.Fields[field], want) {
			t.Errorf("%s: %q lacks %q", field, de.Fields[field], want)
		}
	}
	if len(h.evaluated) != 0 {
		t.Error("the rules ran for a refused change")
	}

	nia = details("nia@example.org")
	nia.Department, nia.ManagerEmail = "ICU", "dana@example.org"
	saved, changes, err := h.admin(d).Update(ctx, hr, all["nia@example.org"].ID, nia, importDay)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Department != "ICU" || len(changes) != 2 || changes[0] != (people.FieldChange{Field: "department", Old: "Nursing", New: "ICU"}) ||
		changes[1] != (people.FieldChange{Field: "manager_email", Old: "mo@example.org", New: "dana@example.org"}) {
		t.Errorf("saved %+v with changes %+v", saved, changes)
	}
}

func TestPlanDigestIsThePreview(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	importCSV(t, d, firstImport, people.PlanOptions{}, importDay)
	a := planCSV(t, d, secondImport, people.PlanOptions{})
	b := planCSV(t, d, secondImport, people.PlanOptions{})
	if a.Added[0].ID == b.Added[0].ID {
		t.Fatal("two plans chose the same new ID; the test needs them to differ")
	}
	if people.PlanDigest(a) != people.PlanDigest(b) {
		t.Error("the same file planned twice has two digests")
	}
	if people.PlanDigest(a) == people.PlanDigest(planCSV(t, d, secondImport, people.PlanOptions{DeactivateMissing: true})) {
		t.Error("another option gives the same digest")
	}
	// A change nobody previewed changes the digest.
	if err := d.Exec("UPDATE employees SET location = 'West' WHERE email = 'dana@example.org'").Error; err != nil {
		t.Fatal(err)
	}
	if people.PlanDigest(a) == people.PlanDigest(planCSV(t, d, secondImport, people.PlanOptions{})) {
		t.Error("the digest did not notice a change to the plan")
	}
}

func TestStaffUploads(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx := context.Background()
	by := addByHand(t, d, "hr@example.org", people.RoleHRAdmin)
	up, err := people.SaveStaffUpload(ctx, d, `C:\Users\hr\Desktop\staff export.csv`, []byte(firstImport), true, by.ID, importDay)
	if err != nil {
		t.Fatal(err)
	}
	if up.FileName != "staff export.csv" || up.SizeBytes != len(firstImport) {
		t.Errorf("kept as %q, %d bytes", up.FileName, up.SizeBytes)
	}
	got, err := people.LoadStaffUpload(ctx, d, up.ID, importDay.Add(23*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	file, err := got.Parse()
	if err != nil || len(file.Rows) != 6 || !got.DeactivateMissing || got.UploadedBy != by.ID {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	want, _ := people.ParseStaffCSV(bytes.NewReader([]byte(firstImport)))
	if len(want.Rows) != len(file.Rows) || want.Rows[5] != file.Rows[5] {
		t.Error("the kept file reads differently from the upload")
	}
	if _, err := people.LoadStaffUpload(ctx, d, up.ID, importDay.Add(25*time.Hour)); !errors.Is(err, people.ErrUploadGone) {
		t.Errorf("after a day: %v", err)
	}
	// The next upload forgets it.
	if _, err := people.SaveStaffUpload(ctx, d, "next.csv", []byte(firstImport), false, by.ID, importDay.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	err = d.Transaction(func(tx *gorm.DB) error { return people.DeleteStaffUpload(tx, up.ID) })
	if !errors.Is(err, people.ErrUploadGone) {
		t.Errorf("an old upload was still there: %v", err)
	}
}

func TestFollowStaffImport(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	ctx := context.Background()
	plan := planCSV(t, d, firstImport, people.PlanOptions{})
	var evaluated []string
	people.FollowStaffImport(plan, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine},
		func(_ *gorm.DB, _ time.Time, ids []string) error { evaluated = ids; return nil },
		func(*gorm.DB, time.Time, []string) error { return errors.New("also failed") })
	if _, err := people.Apply(ctx, d, plan, importDay); err == nil || !strings.Contains(err.Error(), "also failed") {
		t.Fatalf("apply: %v", err)
	}
	if employeeCount(t, d) != 0 || auditCount(t, d, audit.ActionImport) != 0 {
		t.Fatal("a failed follow-up left the import behind")
	}

	plan = planCSV(t, d, firstImport, people.PlanOptions{})
	people.FollowStaffImport(plan, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine},
		func(_ *gorm.DB, _ time.Time, ids []string) error { evaluated = ids; return nil }, nil)
	res, err := people.Apply(ctx, d, plan, importDay)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(evaluated, res.EmployeeIDs) || len(evaluated) != 6 {
		t.Errorf("rules applied to %v, want %v", evaluated, res.EmployeeIDs)
	}
	var entry audit.Entry
	if err := d.Where("action = ?", audit.ActionImport).Take(&entry).Error; err != nil {
		t.Fatal(err)
	}
	if entry.Summary != "Staff import of staff.csv on the command line: 6 added, 0 changed, 0 deactivated, 0 reactivated, 0 unchanged." {
		t.Errorf("summary: %q", entry.Summary)
	}
}
