package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
)

// An extension or exemption from the command line is in the audit trail,
// made by the system ("cli"), with the reason; a refused one is not.
func TestCyclesChangesAreAudited(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	now := time.Now().UTC()
	r.assignAll(now)
	newDue := compliance.Day(now).AddDate(0, 0, 60).Format(time.DateOnly)
	if res := r.run("cycles", "extend", "--employee", "E1", "--course", "basic", "--due", newDue, "--reason", "night shifts"); res.code != 0 {
		t.Fatalf("extend: exit %d: %s", res.code, res.stderr)
	}
	if res := r.run("cycles", "exempt", "--employee", "E2", "--course", "basic", "--reason", "parental leave"); res.code != 0 {
		t.Fatalf("exempt: exit %d: %s", res.code, res.stderr)
	}
	if res := r.run("cycles", "exempt", "--employee", "E2", "--course", "basic", "--reason", "again"); res.code == 0 {
		t.Fatal("exempting an exempt cycle succeeded")
	}
	var entries []audit.Entry
	if err := r.db.Where("entity_type = ?", "cycle").Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d audit entries, want 2: %+v", len(entries), entries)
	}
	ext, ex := entries[0], entries[1]
	if ext.Action != audit.ActionExtend || ext.ActorID != "" || ext.ActorName != "cli" || ext.EntityType != "cycle" ||
		!strings.Contains(ext.Summary, "Ada Lovelace's Basic Training (cycle #1)") || !strings.Contains(ext.Summary, ": night shifts") ||
		!strings.Contains(ext.Details, `"new_due":"`+newDue+`"`) {
		t.Errorf("extension entry %+v", ext)
	}
	if ex.Action != audit.ActionExempt || !strings.Contains(ex.Summary, "Exempted Bob Builder from Basic Training (cycle #1) for good: parental leave") {
		t.Errorf("exemption entry %+v", ex)
	}
	if res, err := audit.Verify(context.Background(), r.db); err != nil || !res.OK() {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
}
