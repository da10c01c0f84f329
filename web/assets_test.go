package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestAssetNamesCarryTheContentHash(t *testing.T) {
	t.Parallel()
	b, err := fs.ReadFile(Static, "static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	want := "/static/css/app." + hex.EncodeToString(sum[:])[:hashLen] + ".css"
	if got := Asset("css/app.css"); got != want {
		t.Fatalf("Asset(css/app.css) = %q, want %q", got, want)
	}
	if got := Asset("js/app.js"); !regexp.MustCompile(`^/static/js/app\.[0-9a-f]{10}\.js$`).MatchString(got) {
		t.Errorf("Asset(js/app.js) = %q", got)
	}
	if got := Asset("favicon.svg"); !regexp.MustCompile(`^/static/favicon\.[0-9a-f]{10}\.svg$`).MatchString(got) {
		t.Errorf("Asset(favicon.svg) = %q", got)
	}
	if got := Asset("css/none.css"); got != "/static/css/none.css" {
		t.Errorf("an unknown file: %q, want its plain URL", got)
	}
	if Asset("css/app.css") == Asset("css/admin.css") {
		t.Error("two files, one URL")
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	hashed := strings.TrimPrefix(Asset("css/app.css"), StaticPrefix)
	h := hashed[len("css/app.") : len(hashed)-len(".css")]
	for _, tc := range []struct {
		path, file     string
		current, found bool
	}{
		{hashed, "css/app.css", true, true},
		{"css/app.css", "css/app.css", false, true},            // the old URL, answered
		{"css/app.0123456789.css", "css/app.css", false, true}, // an earlier build's hash
		{"css/app.01234.css", "", false, false},                // not a hash
		{"css/app.012345678z.css", "", false, false},
		{"css/none." + h + ".css", "", false, false},
		{"css/none.css", "", false, false},
		{"js/htmx.min.js", "", false, false}, // removed
	} {
		file, hash, current, found := Lookup(tc.path)
		if file != tc.file || current != tc.current || found != tc.found {
			t.Errorf("Lookup(%q) = %q, %v, %v; want %q, %v, %v", tc.path, file, current, found, tc.file, tc.current, tc.found)
		}
		if found && hash != h {
			t.Errorf("Lookup(%q) hash %q, want %q", tc.path, hash, h)
		}
	}
}
