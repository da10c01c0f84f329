package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/auth"
)

func TestInvitationSetsPasswordOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	oldSession, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	token := f.invite(emp)
	if n := f.count("invitations", "id = ?", token); n != 0 {
		t.Error("the raw invitation token is stored")
	}

	got, err := f.svc.Invitation(f.ctx, token)
	if err != nil || got.ID != emp.ID {
		t.Fatalf("Invitation = %v, %v", got, err)
	}
	if _, err := f.svc.AcceptInvitation(f.ctx, token, "short"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Fatalf("short password: %v, want ErrWeakPassword", err)
	}
	if _, err := f.svc.AcceptInvitation(f.ctx, token, "amara@example.org"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Fatalf("e-mail as password: %v, want ErrWeakPassword", err)
	}
	// A refused password leaves the link usable.
	if _, err := f.svc.AcceptInvitation(f.ctx, token, goodPassword); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	if _, _, err := f.svc.SessionEmployee(f.ctx, oldSession); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("a session from before the password was set survived: %v", err)
	}
	if _, err := f.svc.Invitation(f.ctx, token); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("used link still valid: %v", err)
	}
	if _, err := f.svc.AcceptInvitation(f.ctx, token, "another long passphrase"); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("used link accepted again: %v", err)
	}
	if n := f.count("invitations", "used_at IS NOT NULL"); n != 1 {
		t.Errorf("used invitations: %d, want 1", n)
	}
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	token := f.invite(emp)
	f.clock.Advance(7*24*time.Hour - time.Second)
	if _, err := f.svc.Invitation(f.ctx, token); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	f.clock.Advance(time.Second)
	if _, err := f.svc.Invitation(f.ctx, token); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Fatalf("at expiry: %v, want ErrInvitationInvalid", err)
	}
	if _, err := f.svc.AcceptInvitation(f.ctx, token, goodPassword); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Fatalf("accept at expiry: %v, want ErrInvitationInvalid", err)
	}
}

func TestInvitationRefusedForLeaversJunkAndReplacedLinks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	first := f.invite(emp)
	second := f.invite(emp)
	if _, err := f.svc.Invitation(f.ctx, first); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("a replaced link still works: %v", err)
	}
	if _, err := f.svc.Invitation(f.ctx, second); err != nil {
		t.Errorf("the newest link: %v", err)
	}
	for _, junk := range []string{"", "abc", "../../etc/passwd"} {
		if _, err := f.svc.Invitation(f.ctx, junk); !errors.Is(err, auth.ErrInvitationInvalid) {
			t.Errorf("Invitation(%q) = %v", junk, err)
		}
	}
	f.deactivate(emp)
	if _, err := f.svc.Invitation(f.ctx, second); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("a leaver's link still works: %v", err)
	}
}
