package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
)

const authPassword = "correct horse battery staple"

// authCookie returns the value of the named cookie in the client's jar, or "".
func authCookie(c *apptest.Client, name string) string {
	for _, ck := range c.HTTP.Jar.Cookies(c.Base) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// authPlantCookie puts a cookie into the client's jar, as an attacker or an old
// browser tab would.
func authPlantCookie(c *apptest.Client, name, value string) {
	c.HTTP.Jar.SetCookies(c.Base, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// authSetCookie returns the response's Set-Cookie for name, or nil.
func authSetCookie(res *apptest.Response, name string) *http.Cookie {
	var found *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			found = ck // the last one wins, as in a browser
		}
	}
	return found
}

// authSignedIn asks the site whether the client is signed in: /login sends a
// signed-in visitor on (303) and shows the form to anyone else (200).
func authSignedIn(t *testing.T, c *apptest.Client) bool {
	t.Helper()
	res := c.Get("/login")
	switch res.StatusCode {
	case http.StatusSeeOther:
		return true
	case http.StatusOK:
		return false
	}
	t.Fatalf("GET /login: status %d", res.StatusCode)
	return false
}

func authDoc(t *testing.T, res *apptest.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func authWantStatus(t *testing.T, res *apptest.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, res.Body)
	}
}

func authWantRedirect(t *testing.T, res *apptest.Response, location string) {
	t.Helper()
	authWantStatus(t, res, http.StatusSeeOther)
	if got := res.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: Location %q, want %q", res.Request.Method, res.Request.URL.Path, got, location)
	}
}

// authWantAccessibleForm checks what every auth page promises: each visible
// input has a label, no inline style or script, a CSRF field on each form.
func authWantAccessibleForm(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("input").Each(func(_ int, in *goquery.Selection) {
		typ, _ := in.Attr("type")
		if _, hidden := in.Attr("hidden"); typ == "hidden" || hidden {
			return
		}
		id, _ := in.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			name, _ := in.Attr("name")
			t.Errorf("input %q has no label", name)
		}
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		if f.Find(`input[type=hidden][name=csrf_token]`).Length() != 1 {
			t.Errorf("a form has no csrf_token field")
		}
	})
	if doc.Find("[style]").Length() > 0 || doc.Find("style").Length() > 0 {
		t.Error("inline style on the page (the CSP forbids it)")
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline script on the page (the CSP forbids it)")
		}
	})
	if doc.Find("h1").Length() != 1 {
		t.Errorf("the page has %d h1 headings, want 1", doc.Find("h1").Length())
	}
}
