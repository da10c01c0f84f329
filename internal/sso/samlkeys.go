package sso

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/onramp-lms/onramp/internal/config"
)

// Files the SP key pair is generated into when ONRAMP_SAML_KEY and
// ONRAMP_SAML_CERT are unset, under the data directory.
const (
	SAMLKeyFile  = "saml/sp.key"
	SAMLCertFile = "saml/sp.crt"
)

// samlCertLifetime is how long a generated certificate is valid. Identity
// providers use it only as a container for the public key.
const samlCertLifetime = 10 * 365 * 24 * time.Hour

// loadOrCreateKeyPair reads the configured key and certificate, or the
// ones in dataDir/saml, generating those (key 0600, directory 0700) when
// they do not exist yet.
func loadOrCreateKeyPair(cfg config.SAML, dataDir string, baseURL *url.URL, now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyFile, certFile := cfg.KeyFile, cfg.CertFile
	if keyFile == "" {
		keyFile, certFile = filepath.Join(dataDir, SAMLKeyFile), filepath.Join(dataDir, SAMLCertFile)
		_, kerr := os.Stat(keyFile)
		_, cerr := os.Stat(certFile)
		switch {
		case errors.Is(kerr, fs.ErrNotExist) && errors.Is(cerr, fs.ErrNotExist):
			if err := generateKeyPair(keyFile, certFile, baseURL, now); err != nil {
				return nil, nil, fmt.Errorf("generate the SAML key pair in %s: %w", filepath.Dir(keyFile), err)
			}
		case errors.Is(kerr, fs.ErrNotExist) || errors.Is(cerr, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("SAML key pair: only one of %s and %s exists; restore the other from a backup, or remove both to have a new pair generated (and give the identity provider Onramp's new metadata)", keyFile, certFile)
		}
	}
	if st, err := os.Stat(keyFile); err == nil && st.Mode().Perm()&0o077 != 0 {
		slog.Warn("the SAML signing key can be read by other users; chmod 600 it", "file", keyFile, "mode", st.Mode().Perm().String())
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("ONRAMP_SAML_KEY/ONRAMP_SAML_CERT: %s and %s: %w", keyFile, certFile, err)
	}
	key, ok := pair.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("ONRAMP_SAML_KEY: %s is not an RSA key (SAML identity providers expect RSA)", keyFile)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, fmt.Errorf("ONRAMP_SAML_CERT: %s: %w", certFile, err)
	}
	return key, cert, nil
}

func generateKeyPair(keyFile, certFile string, baseURL *url.URL, now time.Time) error {
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	ski := sha256.Sum256(pub)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Onramp SAML " + baseURL.Host},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(samlCertLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		SubjectKeyId: ski[:20],
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	// O_EXCL: of two instances starting at once on one data directory,
	// one writes and the other fails and is restarted, rather than both
	// writing different keys.
	if err := writeNew(keyFile, 0o600, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	return writeNew(certFile, 0o644, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func writeNew(path string, mode os.FileMode, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// xmlBytes is v as an XML document.
func xmlBytes(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
