package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/learning"
)

// TestAttemptsGrant: the command grants attempts on the person's current
// cycle, audited and e-mailed; bad input changes nothing and says what to do.
func TestAttemptsGrant(t *testing.T) {
	t.Parallel()
	r := newRecordsDB(t)
	r.assignAll(time.Now().UTC())

	res := r.run("attempts", "grant", "--employee", "E1", "--course", "basic", "--quiz", "basics", "--extra", "2")
	if res.code != 2 || !strings.Contains(res.stderr, "--reason is required") {
		t.Fatalf("no reason: exit %d %s", res.code, res.stderr)
	}
	res = r.run("attempts", "grant", "--employee", "E1", "--course", "basic", "--quiz", "nope", "--reason", "x")
	if res.code != 65 || !strings.Contains(res.stderr, `has no module "nope"`) {
		t.Fatalf("unknown module: exit %d %s", res.code, res.stderr)
	}
	res = r.run("attempts", "grant", "--employee", "E1", "--course", "basic", "--quiz", "basics", "--extra", "2", "--reason", "went through it together")
	if res.code != 0 || !strings.Contains(res.stdout, "Granted Ada Lovelace (E1) 2 more attempts") {
		t.Fatalf("grant: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	var grants []learning.AttemptGrant
	if err := r.db.Find(&grants).Error; err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 || grants[0].Extra != 2 || grants[0].EmployeeID != r.ada.ID || grants[0].Reason != "went through it together" {
		t.Fatalf("grants %+v", grants)
	}
	var n int64
	r.db.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", "grant_attempts", r.ada.ID).Count(&n)
	if n != 1 {
		t.Errorf("audit rows %d", n)
	}
	r.db.Table("outbox").Where("kind = ? AND recipient_employee_id = ?", "attempts_granted", r.ada.ID).Count(&n)
	if n != 1 {
		t.Errorf("e-mails %d", n)
	}
}
