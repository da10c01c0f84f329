package auth_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/auth"
)

// InviteIfNone makes a link only for active people without a password and
// without a link that still works, and leaves working links alone.
func TestInviteIfNone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fresh := f.employee("fresh@example.org", "")
	linked := f.employee("linked@example.org", "")
	withPassword := f.employee("set@example.org", goodPassword)
	gone := f.employee("gone@example.org", "")
	f.deactivate(gone)
	old := f.invite(linked)

	run := func() map[string]auth.Link {
		var out map[string]auth.Link
		err := f.db.Tx(f.ctx, func(tx *gorm.DB) error {
			var err error
			out, err = f.svc.InviteIfNone(tx, []string{fresh.ID, linked.ID, withPassword.ID, gone.ID, fresh.ID})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := run()
	if len(got) != 1 || got[fresh.ID].Token == "" {
		t.Fatalf("links: %v, want one for %s only", got, fresh.Email)
	}
	if emp, err := f.svc.Invitation(f.ctx, got[fresh.ID].Token); err != nil || emp.ID != fresh.ID {
		t.Errorf("the new link does not work: %v", err)
	}
	if _, err := f.svc.Invitation(f.ctx, old); err != nil {
		t.Errorf("the working link was spoiled: %v", err)
	}
	if again := run(); len(again) != 0 {
		t.Errorf("a second call made links again: %v", again)
	}
	// Once the links expire, the next message carries a new one.
	f.clock.Advance(f.svc.InviteTTL + time.Second)
	if later := run(); len(later) != 2 {
		t.Errorf("after expiry: %d links, want 2", len(later))
	}
}
