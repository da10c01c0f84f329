package httpserver_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web"
)

// TestStaticFilesUnderHashedURLs: pages name static files by content
// hash, kept for a year; the plain URLs of earlier pages still answer,
// kept briefly; htmx is gone.
func TestStaticFilesUnderHashedURLs(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	doc := learnerDoc(t, hr.Get("/admin/rules/new"))
	hashed := regexp.MustCompile(`^/static/css/app\.[0-9a-f]{10}\.css$`)
	var css []string
	doc.Find(`link[rel=stylesheet]`).Each(func(_ int, s *goquery.Selection) { css = append(css, s.AttrOr("href", "")) })
	if len(css) != 3 || !hashed.MatchString(css[0]) {
		t.Fatalf("stylesheets %v, want three hashed URLs, app.css first", css)
	}
	var scripts []string
	doc.Find(`script[src]`).Each(func(_ int, s *goquery.Selection) { scripts = append(scripts, s.AttrOr("src", "")) })
	for _, src := range scripts {
		if strings.Contains(src, "htmx") {
			t.Errorf("a page still loads htmx: %v", scripts)
		}
	}
	if len(scripts) == 0 || scripts[0] != web.Asset("js/app.js") {
		t.Errorf("scripts %v, want %s", scripts, web.Asset("js/app.js"))
	}
	if doc.Find(`[hx-post],[hx-get],[hx-target]`).Length() != 0 {
		t.Error("htmx attributes are left on the rule form")
	}
	btn := doc.Find(`[data-testid=preview-button]`)
	if btn.AttrOr("data-preview-url", "") != "/admin/rules/new/preview" || btn.AttrOr("type", "") != "submit" {
		t.Errorf("the preview button must submit the form, and name its in-place URL: %s", btn.AttrOr("data-preview-url", "(none)"))
	}

	want, err := fs.ReadFile(web.Static, "static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, header http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		env.App.Server.ServeHTTP(rec, req)
		return rec
	}
	for _, tc := range []struct {
		what, path string
		status     int
		cache      string
	}{
		{"the hashed URL", css[0], http.StatusOK, "public, max-age=31536000, immutable"},
		{"the plain URL", "/static/css/app.css", http.StatusOK, "public, max-age=300"},
		{"an earlier build's hash", "/static/css/app.0123456789.css", http.StatusOK, "public, max-age=300"},
		{"no such file", "/static/css/none.0123456789.css", http.StatusNotFound, ""},
		{"htmx", "/static/js/htmx.min.js", http.StatusNotFound, ""},
	} {
		rec := get(tc.path, nil)
		if rec.Code != tc.status {
			t.Errorf("%s (%s): %d, want %d", tc.what, tc.path, rec.Code, tc.status)
			continue
		}
		if tc.status != http.StatusOK {
			continue
		}
		if got := rec.Header().Get("Cache-Control"); got != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.what, got, tc.cache)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("%s: Content-Type %q", tc.what, ct)
		}
		if rec.Body.String() != string(want) {
			t.Errorf("%s: the body is not css/app.css", tc.what)
		}
	}
	etag := get(css[0], nil).Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := get("/static/css/app.css", http.Header{"If-None-Match": {etag}}); rec.Code != http.StatusNotModified {
		t.Errorf("a revalidation with the current ETag: %d, want 304", rec.Code)
	}
}
