package e2e

import (
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso/samltest"
)

// TestSAMLJourney: with passwords turned off, a member of staff presses
// "Sign in with Hospital SAML", signs in on the SAML identity provider's
// own login page, whose answer the browser posts back to Onramp, and lands
// on their training, linked to their employee record by employee ID.
func TestSAMLJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		idp := samltest.New(t)
		key, cert := samltest.SPKeyPair(t)
		s := newSite(t, func(c *config.Config) {
			c.SAML = config.SAML{IdPMetadata: idp.MetadataURL(), EmployeeAttribute: "employee_id", KeyFile: key, CertFile: cert,
				ClockSkew: 2 * time.Minute, Name: "Hospital SAML"}
			c.PasswordLogin = config.PasswordOff
		})
		// The provider stamps its assertions with the real time.
		s.Clock.Set(time.Now().UTC())
		ada := s.addPerson(person{Email: "ada@hospital.test", First: "Ada", Last: "Lovelace", NoPassword: true})
		if err := s.App.DB.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("employee_number", "E100").Error; err != nil {
			t.Fatal(err)
		}
		idp.AddUser(t, "ada.lovelace", "persistent-ada", "Ada", "Lovelace", "ada@hospital.test", "E100")
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/")
		tb.expectText("[data-testid=saml-sign-in]", "Sign in with Hospital SAML")
		tb.expectText("[data-testid=password-off]", "Signing in with a password is turned off: everyone else signs in with Hospital SAML.")

		// The provider's pages are not Onramp's: they are not held to
		// Onramp's accessibility checks.
		tb.markDocument()
		tb.press("[data-testid=saml-sign-in]")
		tb.at("the provider's login page")
		tb.waitFor("the provider's login page", `location.pathname === "/sso" && document.readyState === "complete" && document.querySelector("input[name=user]") !== null`, loadTimeout)
		tb.typeInto("input[name=user]", "ada.lovelace")
		tb.typeInto("input[name=password]", samltest.Password)
		tb.markDocument()
		tb.press("input[type=submit]")
		// The provider's answer is a form its page posts to Onramp's ACS,
		// which signs Ada in and sends her home.
		tb.at("signed in with SAML")
		tb.waitFor("Onramp's home page", `location.origin === `+js(s.URL)+` && location.pathname === "/" && window.__onrampOldPage !== true && document.readyState === "complete"`, loadTimeout)
		tb.mu.Lock()
		tb.console = nil // what the provider's pages logged is not Onramp's
		tb.mu.Unlock()
		tb.checkPage()
		tb.expectText("h1", "Your training")

		var linked int64
		s.App.DB.Table("identity_links").Where("issuer = ? AND subject = ? AND employee_id = ?", idp.EntityID(), "persistent-ada", ada.ID).Count(&linked)
		if linked != 1 {
			tb.fatalf("Ada's provider account is not linked to her (%d links)", linked)
		}
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
