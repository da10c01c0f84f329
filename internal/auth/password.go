package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/people"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19456
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Limits on stored parameters, so a tampered hash cannot make one sign-in
// allocate gigabytes or spin for minutes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 16
	maxArgonThreads   = 16
)

// Password rules, shown on the set-password page.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// HashPassword hashes a password with argon2id at OWASP's parameters.
func HashPassword(password string) (string, error) { return CostProduction.Hash(password) }

// Hash hashes a password with argon2id at the cost's parameters.
func (c Cost) Hash(password string) (string, error) {
	p := c.params()
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, argonKeyLen)
	return encodePHC(p, salt, key), nil
}

// VerifyPassword reports whether password matches the PHC-format argon2id
// hash encoded. The comparison takes the same time wherever the bytes differ.
// An error means the hash itself is unreadable.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// HashPassword uses today, so the next successful sign-in should re-hash it.
func NeedsRehash(encoded string) bool { return CostProduction.NeedsRehash(encoded) }

// NeedsRehash reports whether encoded was made with other parameters than
// the cost's.
func (c Cost) NeedsRehash(encoded string) bool {
	want := c.params()
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return true
	}
	return p.memory != want.memory || p.time != want.time || p.threads != want.threads ||
		len(salt) != argonSaltLen || len(key) != argonKeyLen
}

type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

var errBadHash = errors.New("password hash is not in argon2id PHC format")

// encodePHC writes $argon2id$v=19$m=…,t=…,p=…$salt$hash with unpadded
// standard base64, as the PHC string format specifies.
func encodePHC(p argonParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decodePHC(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	var m, t, threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil || n != 3 {
		return p, nil, nil, errBadHash
	}
	if m < 8 || m > maxArgonMemoryKiB || t < 1 || t > maxArgonTime || threads < 1 || threads > maxArgonThreads {
		return p, nil, nil, errBadHash
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	p = argonParams{memory: m, time: t, threads: uint8(threads)}
	return p, salt, key, nil
}

// dummyHashes are verified against when there is no real hash to check (an
// unknown e-mail address, an account without a password), so such a sign-in
// takes as long as a real one and does not reveal which addresses exist;
// one per cost, made on first use.
var dummyHashes = [...]func() string{CostProduction: dummyHashAt(CostProduction), CostTest: dummyHashAt(CostTest)}

func dummyHashAt(c Cost) func() string {
	return sync.OnceValue(func() string {
		h, err := c.Hash(randomToken())
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		return h
	})
}

func (c Cost) dummyHash() string { return dummyHashes[c.valid()]() }

// PasswordError says which password rule a new password breaks. It matches
// ErrWeakPassword with errors.Is.
type PasswordError struct {
	// Message is a sentence for the person choosing the password.
	Message string
}

func (e *PasswordError) Error() string { return e.Message }

// AppError makes a PasswordError an Invalid apperr.Error about the
// password field.
func (e *PasswordError) AppError() *apperr.Error { return apperr.Field("password", e.Message) }

// Is makes errors.Is(err, ErrWeakPassword) true.
func (e *PasswordError) Is(target error) bool { return target == ErrWeakPassword }

// CheckPassword applies the password rules: 12 to 128 characters, not the
// person's own e-mail address, and hard to guess (a zxcvbn score of at
// least MinPasswordScore, with the person's e-mail address and names as
// words an attacker would try first). Length is counted in characters, not
// bytes, so a passphrase in any language counts fairly. userInputs are the
// person's other details (first and last name).
func CheckPassword(password, email string, userInputs ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return &PasswordError{fmt.Sprintf("Choose a password of at least %d characters.", MinPasswordLen)}
	case n > MaxPasswordLen:
		return &PasswordError{fmt.Sprintf("Choose a password of at most %d characters.", MaxPasswordLen)}
	case email != "" && people.NormalizeEmail(password) == people.NormalizeEmail(email):
		return &PasswordError{"Choose a password that is not your e-mail address."}
	}
	if _, why := passwordStrength(password, append([]string{email}, userInputs...)); why != "" {
		return &PasswordError{"Choose a password that is harder to guess. " + why}
	}
	return nil
}
