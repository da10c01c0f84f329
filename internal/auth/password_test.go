package auth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/onramp-lms/onramp/internal/auth"
)

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not argon2id PHC with OWASP parameters, a 16-byte salt and a 32-byte key", h)
	}
	ok, err := auth.VerifyPassword(h, "correct horse battery staple")
	if err != nil || !ok {
		t.Fatalf("verify right password: ok=%v err=%v", ok, err)
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "} {
		if ok, err := auth.VerifyPassword(h, wrong); err != nil || ok {
			t.Errorf("verify %q: ok=%v err=%v, want false", wrong, ok, err)
		}
	}
	again, _ := auth.HashPassword("correct horse battery staple")
	if again == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if auth.NeedsRehash(h) {
		t.Error("a fresh hash needs rehashing")
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	good, _ := auth.HashPassword("correct horse battery staple")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"version 16":   strings.Replace(good, "v=19", "v=16", 1),
		"no params":    strings.Join([]string{"", parts[1], parts[2], "", parts[4], parts[5]}, "$"),
		"huge memory":  strings.Replace(good, "m=19456", "m=99999999", 1),
		"bad salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"missing hash": strings.Join(parts[:5], "$"),
	} {
		if ok, err := auth.VerifyPassword(h, "correct horse battery staple"); err == nil || ok {
			t.Errorf("%s: ok=%v err=%v, want an error", name, ok, err)
		}
	}
}

func TestNeedsRehashWhenParametersDiffer(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("correct horse battery staple"), salt, 1, 8192, 1, 32)
	b64 := base64.RawStdEncoding
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := auth.VerifyPassword(old, "correct horse battery staple"); err != nil || !ok {
		t.Fatalf("a hash with other parameters must still verify: ok=%v err=%v", ok, err)
	}
	if !auth.NeedsRehash(old) {
		t.Error("NeedsRehash = false for m=8192,t=1")
	}
	if !auth.NeedsRehash("not a hash") {
		t.Error("NeedsRehash = false for garbage")
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("plum kettle ", 10) + "violin s" // 128 characters
	for _, tc := range []struct {
		password, email string
		ok              bool
	}{
		{"short", "a@example.org", false},
		{"elevenchars", "a@example.org", false},
		{"twelve quirk", "a@example.org", true},
		{"żółć gęślą jaźń", "a@example.org", true}, // 15 characters, more bytes
		{long, "a@example.org", true},
		{long + "x", "a@example.org", false},
		{"nurse.amara@example.org", "Nurse.Amara@example.org", false},
	} {
		err := auth.CheckPassword(tc.password, tc.email)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tc.password, err, tc.ok)
		}
		if err != nil && !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("CheckPassword(%q) = %v, not ErrWeakPassword", tc.password, err)
		}
	}
}

// TestCheckPasswordRefusesGuessable: long enough is not enough; common and
// breached passwords, repeats, sequences and the person's own name are
// refused with a reason in plain words; a passphrase is accepted.
func TestCheckPasswordRefusesGuessable(t *testing.T) {
	t.Parallel()
	const email, first, last = "grace.hopper@example.org", "Grace", "Hopper"
	for _, tc := range []struct {
		password string
		why      string // "" for accepted
	}{
		{"password1234", "very common password"},
		{"123456789012", "commonly used password"},
		{"aaaaaaaaaaaa", `Repeated characters like "aaa"`},
		{"Password123!", "commonly used password"},
		{"P@ssw0rd12345", `substitutions like "@" for "a"`},
		{"qwertyuiopasdfgh", "commonly used password"},
		{"gracehopper1234", "your own name or e-mail address"},
		{"correct horse battery staple", ""},
		{"plum kettle violin", ""},
	} {
		err := auth.CheckPassword(tc.password, email, first, last)
		if tc.why == "" {
			if err != nil {
				t.Errorf("CheckPassword(%q) = %v, want accepted", tc.password, err)
			}
			continue
		}
		var pe *auth.PasswordError
		if !errors.As(err, &pe) || !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("CheckPassword(%q) = %v, want a *PasswordError", tc.password, err)
			continue
		}
		if !strings.HasPrefix(pe.Message, "Choose a password that is harder to guess.") || !strings.Contains(pe.Message, tc.why) || !strings.Contains(pe.Message, "Add another word or two") {
			t.Errorf("CheckPassword(%q) says %q, want the reason %q and what to do", tc.password, pe.Message, tc.why)
		}
	}
}
