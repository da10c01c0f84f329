package httpserver_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// The organisation's name and logo are on the certificate page and PDF,
// the verify page and the transcript, and e-mail footers name it.
func TestOrganisationNameAndLogo(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, pic.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	const org = "St. Brigid's Community Hospital"
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.OrgName, c.OrgLogo = org, logo }})
	emp, c := newLearner(t, env, "amara@example.org", "Amara", "Okafor", people.RoleLearner)
	assignBasic(t, env, emp)
	cert, err := env.App.Learning.CompleteCourse(context.Background(), emp, "basic")
	if err != nil {
		t.Fatal(err)
	}

	res := c.Get("/org-logo")
	mustStatus(t, res, http.StatusOK)
	if res.Header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(res.Body), pic.Bytes()) {
		t.Errorf("/org-logo: %s, %d bytes", res.Header.Get("Content-Type"), len(res.Body))
	}
	for _, path := range []string{"/certificates/" + cert.Code, "/verify/" + learning.FormatCode(cert.Code), "/me/transcript"} {
		res := c.Get(path)
		mustStatus(t, res, http.StatusOK)
		brand := authDoc(t, res).Find("[data-testid=org-brand]")
		if !strings.Contains(brand.Text(), org) || brand.Find(`img[src="/org-logo"]`).Length() != 1 {
			t.Errorf("%s: brand %q, logo %d", path, strings.TrimSpace(brand.Text()), brand.Find("img").Length())
		}
	}
	var buf bytes.Buffer
	if err := learning.WriteCertificatePDFFor(&buf, cert, "http://x/verify", learning.Org{Name: org, Logo: pic.Bytes()}); err != nil {
		t.Fatalf("certificate PDF with the logo: %v", err)
	}
	if res := c.Get("/certificates/" + cert.Code + "/pdf"); res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF") || !strings.Contains(res.Body, "/Image") {
		t.Errorf("certificate PDF: status %d, has image %v", res.StatusCode, strings.Contains(res.Body, "/Image"))
	}

	texts := outboxTexts(t, env, emp.ID, notify.KindCompleted)
	if len(texts) == 0 {
		t.Fatal("no completion e-mail")
	}
	if !strings.Contains(texts[0], "Sent by Onramp, the training system of "+org) || strings.Contains(texts[0], "system at ") {
		t.Errorf("the footer does not name the organisation:\n%s", texts[0])
	}
}
