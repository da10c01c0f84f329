// Package samltest runs a real SAML 2.0 identity provider inside a test:
// crewjam/saml's samlidp with its own login page, issuing persistent
// NameIDs and an employee_id attribute, for Onramp's SAML sign-in tests and
// browser journeys. Hooks let a test play a misconfigured provider or an
// attacker: change the assertion before it is signed (issuer, audience,
// validity window, assertion ID), send it unsigned, sign it with a key that
// is not in the metadata, or change it after signing.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	"github.com/crewjam/saml/samlidp"
	"github.com/crewjam/saml/samlsp"
	"golang.org/x/crypto/bcrypt"
)

// Password is every test user's password at the provider.
const Password = "provider-password"

// IdP is a SAML identity provider run inside the test.
type IdP struct {
	// URL is the provider's base URL; its metadata is URL+"/metadata" and
	// its entity ID the same.
	URL    string
	Server *samlidp.Server

	mu     sync.Mutex
	users  map[string]user // by user name
	tamper func(a *saml.Assertion)
	sign   signing
	post   func(form url.Values) // sees each response form sent to the SP
	sp     map[string]*saml.EntityDescriptor
}

type user struct {
	persistentID, employeeID string
}

type signing int

const (
	signNormally signing = iota
	signNot
	signWithOtherKey
	signThenChange
)

var (
	keysOnce          sync.Once
	idpKey, otherKey  *rsa.PrivateKey
	idpCert, otherCrt *x509.Certificate
	spKey             *rsa.PrivateKey
	spCert            *x509.Certificate
)

func keys(t testing.TB) {
	keysOnce.Do(func() {
		idpKey, idpCert = newKeyPair(t, "Test IdP")
		otherKey, otherCrt = newKeyPair(t, "Someone else")
		spKey, spCert = newKeyPair(t, "Onramp test SP")
	})
}

func newKeyPair(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(20 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return k, c
}

// SPKeyPair writes a key pair for Onramp's service provider into the
// test's temporary directory and returns the files (generating Onramp's
// own 3072-bit key in every test would be slow).
func SPKeyPair(t testing.TB) (keyFile, certFile string) {
	t.Helper()
	keys(t)
	dir := t.TempDir()
	keyFile, certFile = filepath.Join(dir, "sp.key"), filepath.Join(dir, "sp.crt")
	der, err := x509.MarshalPKCS8PrivateKey(spKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: spCert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyFile, certFile
}

// New starts a provider. Onramp's SP metadata is fetched from its entity
// ID (its /saml/metadata URL) at the first AuthnRequest, so the provider
// can be started before Onramp.
func New(t testing.TB) *IdP {
	t.Helper()
	keys(t)
	p := &IdP{users: map[string]user{}, sp: map[string]*saml.EntityDescriptor{}}
	srv := httptest.NewUnstartedServer(nil)
	p.URL = "http://" + srv.Listener.Addr().String()
	base, _ := url.Parse(p.URL)
	s, err := samlidp.New(samlidp.Options{URL: *base, Key: idpKey, Certificate: idpCert, Store: &samlidp.MemoryStore{},
		Logger: logger.DefaultLogger})
	if err != nil {
		t.Fatal(err)
	}
	s.IDP.NameIDFormats = []saml.NameIDFormat{saml.PersistentNameIDFormat}
	s.IDP.ServiceProviderProvider = p
	s.IDP.AssertionMaker = p
	s.IDP.ResponseWriter = p
	p.Server = s
	srv.Config.Handler = s
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// MetadataURL is the provider's metadata, for ONRAMP_SAML_IDP_METADATA.
func (p *IdP) MetadataURL() string { return p.URL + "/metadata" }

// EntityID is the provider's entity ID (its metadata URL).
func (p *IdP) EntityID() string { return p.MetadataURL() }

// AddUser adds a person who signs in as username with Password, whose
// persistent NameID is persistentID and whose employee_id attribute is
// employeeID (none when "").
func (p *IdP) AddUser(t testing.TB, username, persistentID, first, last, email, employeeID string) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u := samlidp.User{Name: username, HashedPassword: hash, Email: email, GivenName: first, Surname: last, CommonName: first + " " + last}
	if err := p.Server.Store.Put("/users/"+username, &u); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[username] = user{persistentID: persistentID, employeeID: employeeID}
}

// SetEmployeeID changes the employee_id attribute a user's assertions carry.
func (p *IdP) SetEmployeeID(username, employeeID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[username]
	u.employeeID = employeeID
	p.users[username] = u
}

// Tamper changes each assertion before it is signed.
func (p *IdP) Tamper(f func(a *saml.Assertion)) { p.set(func() { p.tamper = f }) }

// Unsigned sends responses and assertions without any signature.
func (p *IdP) Unsigned() { p.set(func() { p.sign = signNot }) }

// SignWithOtherKey signs with a key that is not in the provider's metadata.
func (p *IdP) SignWithOtherKey() { p.set(func() { p.sign = signWithOtherKey }) }

// ChangeAfterSigning changes the signed response (its IssueInstant), so
// its signature no longer matches.
func (p *IdP) ChangeAfterSigning() { p.set(func() { p.sign = signThenChange }) }

// OnResponse lets the test see each response form (SAMLResponse,
// RelayState) the provider sends to the service provider.
func (p *IdP) OnResponse(f func(form url.Values)) { p.set(func() { p.post = f }) }

// Reset removes every hook.
func (p *IdP) Reset() {
	p.set(func() { p.tamper, p.sign, p.post = nil, signNormally, nil })
}

func (p *IdP) set(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

// GetServiceProvider implements saml.ServiceProviderProvider: the service
// provider's metadata, fetched from its entity ID.
func (p *IdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	ed := p.sp[id]
	p.mu.Unlock()
	if ed != nil {
		return ed, nil
	}
	res, err := http.Get(id)
	if err != nil {
		return nil, os.ErrNotExist
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, os.ErrNotExist
	}
	ed, err = samlsp.ParseMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("SP metadata at %s: %w", id, err)
	}
	// samlidp's login form posts the AuthnRequest back to /sso without the
	// HTTP-Redirect binding's signature, which it would then want; the
	// first, redirected request's signature is still checked.
	for i := range ed.SPSSODescriptors {
		ed.SPSSODescriptors[i].AuthnRequestsSigned = nil
	}
	p.mu.Lock()
	p.sp[id] = ed
	p.mu.Unlock()
	return ed, nil
}

// MakeAssertion implements saml.AssertionMaker: the default assertion with
// a persistent NameID and the employee_id, email and name attributes.
func (p *IdP) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	p.mu.Lock()
	u, tamper := p.users[session.UserName], p.tamper
	p.mu.Unlock()
	a := req.Assertion
	a.Subject.NameID = &saml.NameID{Format: string(saml.PersistentNameIDFormat), Value: u.persistentID,
		NameQualifier: p.EntityID(), SPNameQualifier: req.ServiceProviderMetadata.EntityID}
	attr := func(name, v string) saml.Attribute {
		return saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
			Values: []saml.AttributeValue{{Type: "xs:string", Value: v}}}
	}
	st := saml.AttributeStatement{Attributes: []saml.Attribute{
		attr("email", session.UserEmail), attr("givenName", session.UserGivenName), attr("sn", session.UserSurname),
	}}
	if u.employeeID != "" {
		st.Attributes = append(st.Attributes, attr("employee_id", u.employeeID))
	}
	a.AttributeStatements = []saml.AttributeStatement{st}
	if tamper != nil {
		tamper(a)
	}
	return nil
}

// WriteResponse implements saml.ResponseWriter: signs (or not) as the
// test asked, and posts the response to the service provider.
func (p *IdP) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	p.mu.Lock()
	sign, post := p.sign, p.post
	p.mu.Unlock()
	if req.Assertion != nil {
		switch sign {
		case signNot:
			resp := &saml.Response{Destination: req.ACSEndpoint.Location, ID: fmt.Sprintf("id-unsigned-%d", time.Now().UnixNano()),
				InResponseTo: req.Request.ID, IssueInstant: req.Now, Version: "2.0",
				Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.EntityID()},
				Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}}}
			el := resp.Element()
			el.AddChild(req.Assertion.Element())
			req.ResponseEl = el
		case signWithOtherKey:
			other := *req.IDP
			other.Key, other.Signer, other.Certificate = otherKey, otherKey, otherCrt
			req.IDP = &other
			if err := req.MakeResponse(); err != nil {
				return err
			}
		case signThenChange:
			if err := req.MakeResponse(); err != nil {
				return err
			}
			req.ResponseEl.CreateAttr("IssueInstant", req.Now.Add(time.Second).UTC().Format(time.RFC3339))
		}
	}
	if post != nil {
		form, err := req.PostBinding()
		if err != nil {
			return err
		}
		post(url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {form.RelayState}})
	}
	return req.WriteResponse(w)
}
