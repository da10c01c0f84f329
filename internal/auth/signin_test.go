package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/people"
)

const goodPassword = "correct horse battery staple"

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", goodPassword)
	f.employee("nopassword@example.org", "")
	gone := f.employee("gone@example.org", goodPassword)
	f.deactivate(gone)

	got, err := f.svc.Authenticate(f.ctx, "  Amara@Example.ORG ", goodPassword, "192.0.2.1")
	if err != nil || got.ID != emp.ID {
		t.Fatalf("right password: %v, %v", got, err)
	}
	for name, tc := range map[string][2]string{
		"wrong password":  {"amara@example.org", "correct horse battery stapler"},
		"empty password":  {"amara@example.org", ""},
		"unknown address": {"nobody@example.org", goodPassword},
		"no password yet": {"nopassword@example.org", ""},
		"inactive":        {"gone@example.org", goodPassword},
	} {
		if _, err := f.svc.Authenticate(f.ctx, tc[0], tc[1], "192.0.2.1"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("%s: %v, want ErrInvalidCredentials", name, err)
		}
	}
	if n := f.count("login_attempts", ""); n != 6 {
		t.Errorf("recorded attempts: %d, want 6", n)
	}
	if n := f.count("login_attempts", "succeeded = ?", true); n != 1 {
		t.Errorf("recorded successes: %d, want 1", n)
	}
}

// An unknown address must cost as much as a known one, or timing tells
// which addresses have accounts.
func TestAuthenticateUnknownAddressCostsAHash(t *testing.T) {
	f := newFixture(t)
	f.employee("amara@example.org", goodPassword)
	f.svc.Authenticate(f.ctx, "warm@example.org", "x", "192.0.2.9") // computes the dummy hash once
	measure := func(email string) time.Duration {
		best := time.Hour
		for i := 0; i < 5; i++ {
			start := time.Now()
			f.svc.Authenticate(f.ctx, email, "wrong password!", "192.0.2.1")
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("amara@example.org"), measure("nobody@example.org")
	// Without a hash the unknown address would answer ~30× faster; allow
	// plenty of noise from a busy machine.
	if unknown < known/4 {
		t.Errorf("unknown address took %v, known %v: no hash was computed for the unknown one", unknown, known)
	}
}

// An attacker failing on an address from one client is refused on that
// address from that client; the owner, from another client, still signs in
// with the right password (item 9: the lock-out cannot be used against
// someone).
func TestAuthenticateThrottlesPerAddressAndClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.employee("amara@example.org", goodPassword)
	const attacker, owner = "203.0.113.66", "192.0.2.1"
	for i := 1; i <= auth.MaxFailuresPerClient; i++ {
		if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", "guess", attacker); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v, want ErrInvalidCredentials", i, err)
		}
		f.clock.Advance(time.Minute)
	}
	// The attacker's client is refused for this address, even with the
	// right password, and keeps being refused while it keeps trying.
	for i := 0; i < 30; i++ {
		if _, err := f.svc.Authenticate(f.ctx, "AMARA@example.org", goodPassword, attacker); !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("attacker's client, try %d: %v, want ErrThrottled", i, err)
		}
	}
	// The owner, from their own client, signs in with the right password.
	if got, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, owner); err != nil || got == nil {
		t.Fatalf("owner from another client: %v, want signed in", err)
	}
	// Other addresses from the attacker's client are not affected.
	f.employee("ben@example.org", goodPassword)
	if _, err := f.svc.Authenticate(f.ctx, "ben@example.org", goodPassword, attacker); err != nil {
		t.Fatalf("another address from the attacker's client: %v", err)
	}
	// Trying while refused does not extend the refusal: the first failure
	// leaves the window 15 minutes after it was made.
	f.clock.Advance(10*time.Minute + time.Second) // first failure is now 15m01s old
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, attacker); err != nil {
		t.Fatalf("once a failure left the window: %v", err)
	}
	// A success does not wipe the history: the 4 failures still in the
	// window plus one more refuse the client again.
	f.svc.Authenticate(f.ctx, "amara@example.org", "guess", attacker)
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, attacker); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("after a success and one more failure: %v, want ErrThrottled", err)
	}
	if n := f.count("login_attempts", "throttled = ?", true); n != 31 {
		t.Errorf("throttled attempts recorded: %d, want 31", n)
	}
}

// Many clients failing on one address slow it down (for everyone, the owner
// included) instead of locking it: the wait grows with the failures, is
// capped, and the right password still works.
func TestAuthenticateSlowsDownAnAddressUnderAttack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.employee("amara@example.org", goodPassword)
	var waits []time.Duration
	f.svc.Sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	// 12 clients, 4 failures each (under the per-client limit): 48 failures.
	for c := 0; c < 12; c++ {
		ip := fmt.Sprintf("198.51.100.%d", c+1)
		for i := 0; i < 4; i++ {
			if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", "guess", ip); !errors.Is(err, auth.ErrInvalidCredentials) {
				t.Fatalf("client %d failure %d: %v", c, i, err)
			}
		}
	}
	if len(waits) != 48-auth.SlowDownAfter {
		t.Fatalf("%d attempts waited, want %d (every one after the first %d failures)", len(waits), 48-auth.SlowDownAfter, auth.SlowDownAfter)
	}
	if waits[0] != auth.SlowDownBase || waits[1] != 2*auth.SlowDownBase || waits[len(waits)-1] != auth.MaxSlowDown {
		t.Errorf("waits %v: want %v doubling up to %v", waits, auth.SlowDownBase, auth.MaxSlowDown)
	}
	for _, w := range waits {
		if w > auth.MaxSlowDown {
			t.Errorf("waited %v, more than %v", w, auth.MaxSlowDown)
		}
	}
	waits = nil
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("owner with the right password: %v, want signed in", err)
	}
	if len(waits) != 1 || waits[0] != auth.MaxSlowDown {
		t.Errorf("owner waited %v, want one wait of %v", waits, auth.MaxSlowDown)
	}
	// Once the failures leave the window, nobody waits.
	f.clock.Advance(auth.ThrottleWindow)
	waits = nil
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil || len(waits) != 0 {
		t.Fatalf("15 minutes later: %v, waits %v", err, waits)
	}
}

func TestAuthenticateThrottlesPerIP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.employee("amara@example.org", goodPassword)
	for i := 0; i < auth.MaxFailuresPerIP; i++ {
		email := strings.Repeat("x", i+1) + "@example.org"
		if _, err := f.svc.Authenticate(f.ctx, email, "guess", "203.0.113.5"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "203.0.113.5"); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("from a noisy IP: %v, want ErrThrottled", err)
	}
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("from another IP: %v", err)
	}
	f.clock.Advance(auth.ThrottleWindow)
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "203.0.113.5"); err != nil {
		t.Fatalf("15 minutes later: %v", err)
	}
}

func TestAuthenticateUpgradesOldHashes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	emp := f.employee("amara@example.org", "")
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(goodPassword), salt, 1, 8192, 1, 32)
	b64 := base64.RawStdEncoding
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if err := f.db.Model(&people.Employee{}).Where("id = ?", emp.ID).Update("password_hash", old).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("sign in with an old hash: %v", err)
	}
	stored, err := f.svc.People.ByID(f.ctx, emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.PasswordHash == old || auth.NeedsRehash(stored.PasswordHash) {
		t.Errorf("hash not upgraded: %s", stored.PasswordHash)
	}
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("sign in with the upgraded hash: %v", err)
	}
}
