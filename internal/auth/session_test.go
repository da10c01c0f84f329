package auth_test

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/auth"
)

func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "correct horse battery staple")
	token, err := f.svc.CreateSession(f.ctx, emp.ID, "192.0.2.1", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 {
		t.Errorf("token %q is not 32 bytes of base64url", token)
	}
	if n := f.count("sessions", "id = ?", token); n != 0 {
		t.Error("the raw token is stored; only its hash may be")
	}
	if n := f.count("sessions", "id = ?", auth.SessionID(token)); n != 1 {
		t.Errorf("sessions with the token's hash: %d, want 1", n)
	}
	got, sid, err := f.svc.SessionEmployee(f.ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != emp.ID || sid != auth.SessionID(token) {
		t.Errorf("SessionEmployee = %s, %s; want %s, %s", got.ID, sid, emp.ID, auth.SessionID(token))
	}
	if err := f.svc.EndSession(f.ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SessionEmployee(f.ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("after EndSession: %v, want ErrNoSession", err)
	}
}

func TestSessionRefusesJunkTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, token := range []string{"", "x", "' OR 1=1 --", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, _, err := f.svc.SessionEmployee(f.ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("SessionEmployee(%q) = %v, want ErrNoSession", token, err)
		}
		if err := f.svc.EndSession(f.ctx, token); err != nil {
			t.Errorf("EndSession(%q) = %v", token, err)
		}
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	token, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	// Active every 29 minutes: the session lives on.
	for i := 0; i < 4; i++ {
		f.clock.Advance(29 * time.Minute)
		if _, _, err := f.svc.SessionEmployee(f.ctx, token); err != nil {
			t.Fatalf("after %d×29 minutes of activity: %v", i+1, err)
		}
	}
	f.clock.Advance(30 * time.Minute)
	if _, _, err := f.svc.SessionEmployee(f.ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("after 30 idle minutes: %v, want ErrNoSession", err)
	}
	if n := f.count("sessions", ""); n != 0 {
		t.Errorf("the expired session was kept (%d rows)", n)
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	token, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
		f.clock.Advance(20 * time.Minute)
		if _, _, err := f.svc.SessionEmployee(f.ctx, token); err != nil {
			t.Fatalf("after %v of activity: %v", elapsed, err)
		}
	}
	f.clock.Advance(20 * time.Minute) // 12h since sign-in
	if _, _, err := f.svc.SessionEmployee(f.ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("12 hours after sign-in: %v, want ErrNoSession", err)
	}
}

func TestSessionTouchesAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	token, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	start := f.clock.Now()
	lastSeen := func() time.Time {
		var row struct{ LastSeenAt time.Time }
		f.db.Table("sessions").Select("last_seen_at").Take(&row)
		return row.LastSeenAt.UTC()
	}
	f.clock.Advance(30 * time.Second)
	f.svc.SessionEmployee(f.ctx, token)
	if got := lastSeen(); !got.Equal(start) {
		t.Errorf("last_seen_at written after 30 s: %v", got)
	}
	f.clock.Advance(45 * time.Second)
	f.svc.SessionEmployee(f.ctx, token)
	if got := lastSeen(); !got.Equal(f.clock.Now()) {
		t.Errorf("last_seen_at = %v after 75 s, want %v", got, f.clock.Now())
	}
}

func TestSessionEndsWhenEmployeeLeaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	token, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	f.deactivate(emp)
	if _, _, err := f.svc.SessionEmployee(f.ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("inactive employee's session: %v, want ErrNoSession", err)
	}
}

func TestEndEmployeeSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	amara := f.employee("amara@example.org", "")
	other := f.employee("other@example.org", "")
	t1, _ := f.svc.CreateSession(f.ctx, amara.ID, "", "phone")
	t2, _ := f.svc.CreateSession(f.ctx, amara.ID, "", "laptop")
	t3, _ := f.svc.CreateSession(f.ctx, other.ID, "", "")
	err := f.db.Tx(f.ctx, func(tx *gorm.DB) error { return f.svc.EndEmployeeSessions(tx, amara.ID) })
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{t1, t2} {
		if _, _, err := f.svc.SessionEmployee(f.ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("amara's session survived: %v", err)
		}
	}
	if _, _, err := f.svc.SessionEmployee(f.ctx, t3); err != nil {
		t.Errorf("someone else's session ended: %v", err)
	}
}

func TestPruneExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "correct horse battery staple")
	old, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	f.svc.Authenticate(f.ctx, "amara@example.org", "wrong password", "192.0.2.1")
	f.clock.Advance(25 * time.Hour)
	fresh, _ := f.svc.CreateSession(f.ctx, emp.ID, "", "")
	f.svc.Authenticate(f.ctx, "amara@example.org", "wrong password", "192.0.2.1")
	if err := f.svc.PruneExpired(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count("sessions", "id = ?", auth.SessionID(old)); n != 0 {
		t.Error("an expired session was not pruned")
	}
	if n := f.count("sessions", "id = ?", auth.SessionID(fresh)); n != 1 {
		t.Error("a live session was pruned")
	}
	if n := f.count("login_attempts", ""); n != 1 {
		t.Errorf("login_attempts after pruning: %d, want only today's 1", n)
	}
}
