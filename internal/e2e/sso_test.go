package e2e

import (
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/sso"
	"github.com/onramp-lms/onramp/internal/sso/ssotest"
)

// TestSSOJourney: with passwords kept for HR admins only, a member of
// staff presses "Sign in with Hospital Login", signs in on the identity
// provider's own login page and lands on their training, linked to their
// employee record by employee ID.
func TestSSOJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		var idp *ssotest.IdP
		s := newSite(t, func(c *config.Config) {
			idp = ssotest.New(t, c.BaseURL.String()+sso.CallbackPath)
			c.OIDC = config.OIDC{Issuer: idp.URL, ClientID: ssotest.ClientID, ClientSecret: ssotest.ClientSecret, EmployeeClaim: "employee_id", Name: "Hospital Login"}
			c.PasswordLogin = config.PasswordHROnly
		})
		ada := s.addPerson(person{Email: "ada@hospital.test", First: "Ada", Last: "Lovelace", NoPassword: true})
		if err := s.App.DB.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("employee_number", "E100").Error; err != nil {
			t.Fatal(err)
		}
		idp.AddUser("sub-ada", "ada.lovelace", "Ada", "Lovelace", "ada@hospital.test", "E100")
		tb := openTab(t, s, vp)

		tb.visit("sign in", "/")
		tb.expectText("[data-testid=sso-sign-in]", "Sign in with Hospital Login")
		tb.expectText("[data-testid=password-hr-only]", "Signing in with a password is for HR administrators only: everyone else signs in with Hospital Login.")

		// The provider's own login page is not Onramp's: it is not held to
		// Onramp's accessibility checks.
		tb.markDocument()
		tb.press("[data-testid=sso-sign-in]")
		tb.at("the provider's login page")
		tb.waitFor("the provider's login page", `location.pathname === "/login/username" && document.readyState === "complete"`, loadTimeout)
		tb.typeInto("#username", "ada.lovelace")
		tb.typeInto("#password", ssotest.Password)
		tb.mu.Lock()
		tb.console = nil // what the provider's page logged is not Onramp's
		tb.mu.Unlock()
		tb.follow("button[type=submit]", "signed in with SSO")
		tb.expectPath("/")
		tb.expectText("h1", "Your training")

		var linked int64
		s.App.DB.Table("identity_links").Where("subject = ? AND employee_id = ?", "sub-ada", ada.ID).Count(&linked)
		if linked != 1 {
			tb.fatalf("Ada's provider account is not linked to her (%d links)", linked)
		}
		t.Logf("[%s] %d pages checked by axe-core in %s", vp.Name, tb.audited, tb.axeTime.Round(time.Millisecond))
	})
}
