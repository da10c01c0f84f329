package httpserver_test

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/crewjam/saml"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
	"github.com/onramp-lms/onramp/internal/sso/samltest"
)

// samlEnv is Onramp with SAML sign-in through a test identity provider.
// The fake clock starts at the real time, since the provider stamps its
// assertions with it.
func samlEnv(t *testing.T, configure func(*config.Config)) (*apptest.Env, *samltest.IdP) {
	t.Helper()
	idp := samltest.New(t)
	key, cert := samltest.SPKeyPair(t)
	env := apptest.New(t, apptest.Options{Now: time.Now().UTC().Truncate(time.Second), Configure: func(c *config.Config) {
		c.SAML = config.SAML{IdPMetadata: idp.MetadataURL(), EmployeeAttribute: "employee_id", KeyFile: key, CertFile: cert,
			ClockSkew: 2 * time.Minute, Name: "Hospital SAML"}
		if configure != nil {
			configure(c)
		}
	}})
	// These tests refuse many sign-ins from 127.0.0.1; the flood test
	// sets the limit back.
	env.App.SAML.Refusals.PerAddress = 1000
	return env, idp
}

// htmlForm reads the first form of an HTML page: its action and fields.
func htmlForm(t *testing.T, base string, body io.Reader) (string, url.Values) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(body)
	if err != nil {
		t.Fatal(err)
	}
	form := doc.Find("form").First()
	action, ok := form.Attr("action")
	if !ok {
		h, _ := doc.Html()
		t.Fatalf("no form on the page: %.500s", h)
	}
	if strings.HasPrefix(action, "/") {
		action = base + action
	}
	vals := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		v, _ := in.Attr("value")
		vals.Set(name, v)
	})
	return action, vals
}

// samlToProvider starts a sign-in at Onramp, signs in on the provider's
// own login form as username, and returns the provider's auto-posting
// answer: the ACS URL and its SAMLResponse and RelayState, not yet posted.
func samlToProvider(t *testing.T, env *apptest.Env, c *apptest.Client, idp *samltest.IdP, username string) (string, url.Values) {
	t.Helper()
	res := getURL(t, c, env.Server.URL+sso.SAMLStartPath+"?next=/courses")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /saml/start: status %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	u, _ := url.Parse(loc)
	if !strings.HasPrefix(loc, idp.URL+"/sso?") || u.Query().Get("SAMLRequest") == "" || u.Query().Get("RelayState") == "" || u.Query().Get("Signature") == "" {
		t.Fatalf("sign-in goes to %q, not a signed AuthnRequest at the provider's SSO service", loc)
	}
	r, err := c.HTTP.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("provider's SSO service: status %d: %s", r.StatusCode, b)
	}
	// The provider's own login form.
	action, form := htmlForm(t, idp.URL, r.Body)
	form.Set("user", username)
	form.Set("password", samltest.Password)
	r2, err := c.HTTP.PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	if r2.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(r2.Body)
		t.Fatalf("provider login: status %d: %s", r2.StatusCode, b)
	}
	acs, answer := htmlForm(t, idp.URL, r2.Body)
	if acs != env.Server.URL+sso.SAMLACSPath || answer.Get("SAMLResponse") == "" {
		t.Fatalf("the provider answers %q with %v, want a SAMLResponse to Onramp's ACS", acs, answer)
	}
	return acs, url.Values{"SAMLResponse": {answer.Get("SAMLResponse")}, "RelayState": {answer.Get("RelayState")}}
}

// postACS posts an answer to the ACS as the identity provider's page
// would, from the client's browser.
func postACS(t *testing.T, c *apptest.Client, acs string, form url.Values) *http.Response {
	t.Helper()
	res, _ := postACSBody(t, c, acs, form)
	return res
}

// postACSBody is postACS with the body read.
func postACSBody(t *testing.T, c *apptest.Client, acs string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.HTTP.PostForm(acs, form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func samlSignIn(t *testing.T, env *apptest.Env, c *apptest.Client, idp *samltest.IdP, username string) *http.Response {
	t.Helper()
	acs, form := samlToProvider(t, env, c, idp, username)
	return postACS(t, c, acs, form)
}

// TestSAMLMetadata: Onramp's SP metadata names its entity ID, its ACS
// (HTTP-POST), its signing certificate, persistent NameIDs, and that it
// wants signed assertions.
func TestSAMLMetadata(t *testing.T) {
	t.Parallel()
	env, _ := samlEnv(t, nil)
	res := env.Client().Get(sso.SAMLMetadataPath)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/samlmetadata+xml") {
		t.Fatalf("GET /saml/metadata: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`entityID="` + env.Server.URL + `/saml/metadata"`,
		`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + env.Server.URL + `/saml/acs"`,
		`WantAssertionsSigned="true"`,
		`AuthnRequestsSigned="true"`,
		"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		"<X509Certificate",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("metadata lacks %s:\n%.2000s", want, res.Body)
		}
	}
}

// TestSAMLFirstSignInLinksThenUsesTheSubject: the first sign-in through
// the provider's own login page links the provider's entity ID and
// persistent NameID to the employee the employee_id attribute names; the
// session and CSRF token are new; after the attribute changes, the stored
// subject still decides who signs in.
func TestSAMLFirstSignInLinksThenUsesTheSubject(t *testing.T) {
	t.Parallel()
	env, idp := samlEnv(t, nil)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	bob := env.CreateEmployee("bob@example.org", "Bob", "Other", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	setEmployeeNumber(t, env, bob, "E200")
	idp.AddUser(t, "ada", "persistent-ada-7f3a", "Ada", "Lovelace", "ada.lovelace@idp.example", "E100")

	c := env.Client()
	login := c.Get("/login")
	if !strings.Contains(login.Body, `href="/saml/start"`) || !strings.Contains(login.Body, "Sign in with Hospital SAML") {
		t.Fatalf("the login page has no SAML button: %.1500s", login.Body)
	}
	before := authCookie(c, "onramp_csrf")
	res := samlSignIn(t, env, c, idp, "ada")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/courses" {
		t.Fatalf("ACS: status %d to %q, want 303 to /courses (refusals %v)", res.StatusCode, res.Header.Get("Location"), refusals(t, env))
	}
	if got := whoAmI(t, env, c); got != "ada@example.org" {
		t.Fatalf("signed in as %q, want ada@example.org", got)
	}
	if authCookie(c, "onramp_csrf") == before {
		t.Fatal("the CSRF token was not rotated at sign-in")
	}
	wantLinked(t, env, idp.EntityID(), "persistent-ada-7f3a", ada)
	var used int64
	env.App.DB.Table("saml_assertions").Where("issuer = ?", idp.EntityID()).Count(&used)
	if used != 1 {
		t.Fatalf("used assertions recorded: %d, want 1", used)
	}

	idp.SetEmployeeID("ada", "E200")
	c2 := env.Client()
	if res := samlSignIn(t, env, c2, idp, "ada"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: status %d (refusals %v)", res.StatusCode, refusals(t, env))
	}
	if got := whoAmI(t, env, c2); got != "ada@example.org" {
		t.Fatalf("after the attribute changed, signed in as %q, want ada@example.org (by subject)", got)
	}
	if r := refusals(t, env); len(r) != 0 {
		t.Fatalf("refusals %v, want none", r)
	}
}

// TestSAMLRefusesPeopleItCannotTrust: unknown employee, deactivated
// employee, a subject whose employee is linked to another subject, no
// employee_id attribute, and a linked person deactivated later
// (wantPeopleRefused).
func TestSAMLRefusesPeopleItCannotTrust(t *testing.T) {
	t.Parallel()
	env, idp := samlEnv(t, nil)
	wantPeopleRefused(t, env, ssoProvider{protocol: "SAML",
		addUser: func(subject, user, first, last, email, number string) {
			idp.AddUser(t, user, subject, first, last, email, number)
		},
		signIn: func(c *apptest.Client, user string) (*http.Response, string) {
			acs, form := samlToProvider(t, env, c, idp, user)
			return postACSBody(t, c, acs, form)
		}})
}

// TestSAMLRefusesAssertionsItCannotTrust: each way an answer can be
// wrong is refused with a 403 page and an audit entry naming the reason.
func TestSAMLRefusesAssertionsItCannotTrust(t *testing.T) {
	t.Parallel()
	env, idp := samlEnv(t, nil)
	ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	setEmployeeNumber(t, env, ada, "E100")
	idp.AddUser(t, "ada", "p-ada", "Ada", "Lovelace", "ada@example.org", "E100")

	refused := func(t *testing.T, reason, detail string) {
		t.Helper()
		defer idp.Reset()
		c := env.Client()
		wantRefused(t, env, samlSignIn(t, env, c, idp, "ada"), reason)
		if detail != "" {
			wantRefusalDetail(t, env, detail)
		}
		if got := whoAmI(t, env, c); got != "" {
			t.Fatalf("signed in as %q after a refusal", got)
		}
	}
	t.Run("wrong issuer", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) { a.Issuer.Value = "https://another-idp.example/metadata" })
		refused(t, sso.ReasonIssuer, "issuer")
	})
	t.Run("wrong audience", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) {
			a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "https://other-app.example/saml"}}}
		})
		refused(t, sso.ReasonAudience, "AudienceRestriction")
	})
	t.Run("expired", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) {
			past := time.Now().Add(-20 * time.Minute)
			a.IssueInstant = past
			a.Conditions.NotBefore, a.Conditions.NotOnOrAfter = past, past.Add(5*time.Minute)
			for i := range a.Subject.SubjectConfirmations {
				a.Subject.SubjectConfirmations[i].SubjectConfirmationData.NotOnOrAfter = past.Add(5 * time.Minute)
			}
		})
		refused(t, sso.ReasonExpired, "")
	})
	t.Run("expired within the library's bound, beyond the skew", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) {
			a.Conditions.NotOnOrAfter = time.Now().Add(-3 * time.Minute) // skew is 2m
		})
		refused(t, sso.ReasonExpired, "NotOnOrAfter")
	})
	t.Run("not yet valid", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) { a.Conditions.NotBefore = time.Now().Add(10 * time.Minute) })
		refused(t, sso.ReasonNotYetValid, "")
	})
	t.Run("not yet valid beyond the skew", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) { a.Conditions.NotBefore = time.Now().Add(3 * time.Minute) })
		refused(t, sso.ReasonNotYetValid, "NotBefore")
	})
	t.Run("unsigned", func(t *testing.T) {
		idp.Unsigned()
		refused(t, sso.ReasonSignature, "")
	})
	t.Run("signed with another key", func(t *testing.T) {
		idp.SignWithOtherKey()
		refused(t, sso.ReasonSignature, "")
	})
	t.Run("changed after signing", func(t *testing.T) {
		idp.ChangeAfterSigning()
		refused(t, sso.ReasonSignature, "")
	})
	t.Run("transient NameID", func(t *testing.T) {
		idp.Tamper(func(a *saml.Assertion) { a.Subject.NameID.Format = string(saml.TransientNameIDFormat) })
		refused(t, sso.ReasonNameID, "not persistent")
	})
	t.Run("replayed POST", func(t *testing.T) {
		c := env.Client()
		acs, form := samlToProvider(t, env, c, idp, "ada")
		if res := postACS(t, c, acs, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: status %d", res.StatusCode)
		}
		wantRefused(t, env, postACS(t, c, acs, form), sso.ReasonState)
	})
	t.Run("replayed assertion", func(t *testing.T) {
		// The provider answers a new AuthnRequest with an assertion whose
		// ID was already used: the record in saml_assertions refuses it.
		var id string
		idp.Tamper(func(a *saml.Assertion) { id = a.ID })
		if res := samlSignIn(t, env, env.Client(), idp, "ada"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: status %d", res.StatusCode)
		}
		idp.Tamper(func(a *saml.Assertion) { a.ID = id })
		refused(t, sso.ReasonReplayed, "already been used")
	})
	t.Run("answer posted into another browser", func(t *testing.T) {
		acs, form := samlToProvider(t, env, env.Client(), idp, "ada")
		victim := env.Client()
		wantRefused(t, env, postACS(t, victim, acs, form), sso.ReasonState)
		if whoAmI(t, env, victim) != "" {
			t.Fatal("the victim's browser was signed in as the attacker")
		}
	})
	t.Run("IdP-initiated", func(t *testing.T) {
		c := env.Client()
		acs, form := samlToProvider(t, env, c, idp, "ada")
		form.Del("RelayState")
		wantRefused(t, env, postACS(t, c, acs, form), sso.ReasonUnsolicited)
	})
	t.Run("garbage", func(t *testing.T) {
		c := env.Client()
		acs, form := samlToProvider(t, env, c, idp, "ada")
		form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte("<nonsense/>")))
		wantRefused(t, env, postACS(t, c, acs, form), sso.ReasonAssertion)
	})
}

// TestSAMLClockSkew: ONRAMP_SAML_CLOCK_SKEW decides whether an assertion
// that becomes valid a minute from now is accepted.
func TestSAMLClockSkew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		skew time.Duration
		ok   bool
	}{{2 * time.Minute, true}, {0, false}} {
		t.Run(tc.skew.String(), func(t *testing.T) {
			t.Parallel()
			env, idp := samlEnv(t, func(c *config.Config) { c.SAML.ClockSkew = tc.skew })
			ada := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
			setEmployeeNumber(t, env, ada, "E100")
			idp.AddUser(t, "ada", "p-ada", "Ada", "Lovelace", "ada@example.org", "E100")
			idp.Tamper(func(a *saml.Assertion) {
				soon := time.Now().Add(time.Minute)
				a.IssueInstant, a.Conditions.NotBefore = soon, soon
			})
			res := samlSignIn(t, env, env.Client(), idp, "ada")
			if tc.ok {
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("status %d, want 303 within the skew (refusals %v)", res.StatusCode, refusals(t, env))
				}
				return
			}
			wantRefused(t, env, res, sso.ReasonNotYetValid)
		})
	}
}

// TestSSORefusalFloodIsCollapsed: past 10 refusals from one address within
// 10 minutes, refusals are counted, not audited one by one; one entry says
// so at once and one, when the window ends, how many there were. Another
// address is still audited one by one.
func TestSSORefusalFloodIsCollapsed(t *testing.T) {
	t.Parallel()
	env, _ := samlEnv(t, func(c *config.Config) {
		_, lo, _ := net.ParseCIDR("127.0.0.0/8")
		c.TrustedProxies = []*net.IPNet{lo}
	})
	env.App.SAML.Refusals.PerAddress = 0 // the default, 10
	post := func(ip string) int {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+sso.SAMLACSPath,
			strings.NewReader(url.Values{"SAMLResponse": {"AAAA"}, "RelayState": {"forged"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 40 {
		if got := post("203.0.113.9"); got != http.StatusForbidden {
			t.Fatalf("forged POST %d: status %d, want 403", i, got)
		}
	}
	count := func(action string) int64 {
		var n int64
		env.App.DB.Model(&audit.Entry{}).Where("action = ?", action).Count(&n)
		return n
	}
	if got := count(sso.ActionRefuse); got != 10 {
		t.Fatalf("refusal entries after 40 forged POSTs: %d, want 10", got)
	}
	if got := count(sso.ActionCollapse); got != 1 {
		t.Fatalf("collapse entries: %d, want 1 (collapsing began)", got)
	}
	post("198.51.100.4")
	if got := count(sso.ActionRefuse); got != 11 {
		t.Fatalf("a refusal from another address was not audited: %d entries, want 11", got)
	}
	env.Clock.Advance(11 * time.Minute)
	if _, err := env.App.Scheduler.RunOnce(t.Context(), env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var e audit.Entry
	if err := env.App.DB.Where("action = ?", sso.ActionCollapse).Order("seq DESC").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if want := ("30 refused single sign-ons (SAML) from 203.0.113.9"); !strings.HasPrefix(e.Summary, want) || !strings.Contains(e.Summary, "state 30") {
		t.Fatalf("summary %q, want it to start %q and count the reasons", e.Summary, want)
	}
	if res, err := audit.Verify(t.Context(), env.App.DB); err != nil || !res.OK() {
		t.Fatalf("audit chain: %v %+v", err, res)
	}
}

// TestSAMLReplayRefusedByAnotherInstance: two Onramp instances on one
// database; an assertion ID accepted by the first is refused by the second.
func TestSAMLReplayRefusedByAnotherInstance(t *testing.T) {
	t.Parallel()
	first, idp := samlEnv(t, nil)
	key, cert := samltest.SPKeyPair(t)
	second := apptest.New(t, apptest.Options{DatabaseURL: first.DatabaseURL, Now: first.Clock.Now(), Configure: func(c *config.Config) {
		c.SAML = config.SAML{IdPMetadata: idp.MetadataURL(), EmployeeAttribute: "employee_id", KeyFile: key, CertFile: cert,
			ClockSkew: 2 * time.Minute, Name: "Hospital SAML"}
	}})
	ada := first.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	setEmployeeNumber(t, first, ada, "E100")
	idp.AddUser(t, "ada", "p-ada", "Ada", "Lovelace", "ada@example.org", "E100")

	var id string
	idp.Tamper(func(a *saml.Assertion) { id = a.ID })
	if res := samlSignIn(t, first, first.Client(), idp, "ada"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in at the first instance: status %d (refusals %v)", res.StatusCode, refusals(t, first))
	}
	idp.Tamper(func(a *saml.Assertion) { a.ID = id })
	c := second.Client()
	wantRefused(t, second, samlSignIn(t, second, c, idp, "ada"), sso.ReasonReplayed)
	if whoAmI(t, second, c) != "" {
		t.Fatal("the second instance signed in a replayed assertion")
	}
}
