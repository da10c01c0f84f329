package sso

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/config"
)

// TestSAMLKeyPairGeneratedOnceWithSafePermissions: with ONRAMP_SAML_KEY and
// ONRAMP_SAML_CERT unset, the key pair is generated into <data>/saml (the
// directory 0700, the key 0600), and the next start reads the same pair.
func TestSAMLKeyPairGeneratedOnceWithSafePermissions(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	base, _ := url.Parse("https://training.hospital.example")
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	key, cert, err := loadOrCreateKeyPair(config.SAML{}, data, base, now)
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() < 3072 {
		t.Fatalf("generated key has %d bits, want 3072", key.N.BitLen())
	}
	if !cert.NotAfter.After(now.Add(9*365*24*time.Hour)) || !strings.Contains(cert.Subject.CommonName, "training.hospital.example") {
		t.Fatalf("certificate %q valid until %s", cert.Subject.CommonName, cert.NotAfter)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(data, "saml"):      0o700,
		filepath.Join(data, SAMLKeyFile): 0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Fatalf("%s has mode %s, want %s", path, st.Mode().Perm(), want)
		}
	}
	key2, cert2, err := loadOrCreateKeyPair(config.SAML{}, data, base, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !key2.Equal(key) || !cert2.Equal(cert) {
		t.Fatal("the second start generated a new key pair instead of reading the first")
	}
	if err := os.Remove(filepath.Join(data, SAMLCertFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateKeyPair(config.SAML{}, data, base, now); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Fatalf("with the certificate lost: %v, want an error saying only the key exists", err)
	}
}

// TestAddressKey: IPv6 addresses are grouped by /64, which one attacker
// easily holds whole.
func TestAddressKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.9":           "203.0.113.9",
		"2001:db8:1:2:aaaa::1":  "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::ff": "2001:db8:1:2::/64",
		"":                      "unknown",
		"::ffff:198.51.100.7":   "198.51.100.7",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
