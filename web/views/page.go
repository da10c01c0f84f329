// Package views holds Onramp's templ components. Every page is rendered from
// a typed view model; components never reach into the request.
package views

// Page is what the layout needs on every page.
type Page struct {
	// Title is the page's own title; the layout adds " · Onramp".
	Title string
	// User is the signed-in person, or nil.
	User *User
	// CSRF is the token every form posts back as csrf_token.
	CSRF string
	// Demo shows the demo banner.
	Demo bool
	// Nav is the active navigation item: "learn", "team", "admin".
	Nav string
	// Flash is a one-off message shown at the top of the page.
	Flash string
	// Wide gives tables room: HR and team pages use the full width.
	Wide bool
	// Org is the organisation's name (ONRAMP_ORG_NAME); empty for none.
	// OrgLogo says its logo is served at OrgLogoPath.
	Org     string
	OrgLogo bool
}

// OrgLogoPath serves the organisation's logo (ONRAMP_ORG_LOGO).
const OrgLogoPath = "/org-logo"

func mainClass(p Page) string {
	if p.Wide {
		return "wide"
	}
	return ""
}

// User is the signed-in person as the layout shows them.
type User struct {
	ID        string
	Name      string
	IsManager bool
	IsHR      bool
}
