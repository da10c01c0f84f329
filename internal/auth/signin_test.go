package auth_test

import (
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

func TestAuthenticateThrottlesPerAddress(t *testing.T) {
	f := newFixture(t)
	f.employee("amara@example.org", goodPassword)
	for i := 1; i <= auth.MaxFailuresPerEmail; i++ {
		if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", "guess", "192.0.2.1"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
		f.clock.Advance(time.Minute)
	}
	// Locked out now, even with the right password and from another IP.
	if _, err := f.svc.Authenticate(f.ctx, "AMARA@example.org", goodPassword, "198.51.100.7"); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("right password while throttled: %v, want ErrThrottled", err)
	}
	// Other addresses are not affected.
	f.employee("ben@example.org", goodPassword)
	if _, err := f.svc.Authenticate(f.ctx, "ben@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("another address from the same IP: %v", err)
	}
	// Trying while locked out does not extend the lock-out: the first failure
	// leaves the window 15 minutes after it was made.
	f.clock.Advance(10*time.Minute + time.Second) // first failure is now 15m01s old
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("once a failure left the window: %v", err)
	}
	// A success does not wipe the history: the 4 failures still in the
	// window plus one more lock the address again.
	f.svc.Authenticate(f.ctx, "amara@example.org", "guess", "192.0.2.1")
	if _, err := f.svc.Authenticate(f.ctx, "amara@example.org", goodPassword, "192.0.2.1"); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("after a success and one more failure: %v, want ErrThrottled", err)
	}
	if n := f.count("login_attempts", "throttled = ?", true); n != 2 {
		t.Errorf("throttled attempts recorded: %d, want 2", n)
	}
}

func TestAuthenticateThrottlesPerIP(t *testing.T) {
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
