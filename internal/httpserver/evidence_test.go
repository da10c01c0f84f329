package httpserver_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/people"
)

func TestEvidencePackDownload(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ada, adaClient := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	pharm := env.CreateEmployee("phil@example.org", "Phil", "Pharmacist", people.RoleLearner, "")
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", pharm.ID).Update("department", "Pharmacy").Error; err != nil {
		t.Fatal(err)
	}
	assignBasic(t, env, ada)
	auditJourney(t, env, adaClient, "Ada Lovelace")

	res := hr.Get("/admin/evidence")
	mustStatus(t, res, http.StatusOK)
	if opts := learnerDoc(t, res).Find("select#department option").Length(); opts != 3 { // organisation, Nursing, Pharmacy
		t.Errorf("%d choices of department, want 3", opts)
	}

	res = hr.Post("/admin/evidence/pack", url.Values{"department": {"Nursing"}})
	mustStatus(t, res, http.StatusOK)
	if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "application/zip" ||
		cd != `attachment; filename="evidence-Nursing-2026-03-02.zip"` {
		t.Errorf("headers: %q %q", ct, cd)
	}
	zr, err := zip.NewReader(strings.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	var m evidence.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.GeneratedBy.Name != "Hana Resources" || m.Filters.Department != "Nursing" || len(files) != len(m.Files)+2 {
		t.Errorf("manifest = %+v (%d files in the zip)", m, len(files))
	}
	for _, f := range m.Files {
		s := sha256.Sum256(files[f.Path])
		if hex.EncodeToString(s[:]) != f.SHA256 || int64(len(files[f.Path])) != f.Size {
			t.Errorf("%s does not match the manifest", f.Path)
		}
	}
	// HR and Ada are in Nursing (the test's default department); Phil is not.
	var names []string
	for n := range files {
		if strings.HasPrefix(n, "transcripts/") {
			names = append(names, n)
		}
	}
	if len(names) != 2 || files["transcripts/"+ada.ID+"-Ada-Lovelace.pdf"] == nil {
		t.Errorf("transcripts = %v", names)
	}
	if !bytes.Contains(files["completions.csv"], []byte("Ada Lovelace")) {
		t.Error("completions.csv lacks Ada's signature")
	}
	var e audit.Entry
	if err := env.App.DB.Where("action = ? AND entity_type = ?", audit.ActionExport, "evidence_pack").Take(&e).Error; err != nil {
		t.Fatalf("the export is not in the audit trail: %v", err)
	}
	if !strings.Contains(e.Summary, "Nursing") || e.ActorName != "Hana Resources" {
		t.Errorf("audit entry = %+v", e)
	}

	// A department nobody works in is refused with the form again.
	res = hr.Post("/admin/evidence/pack", url.Values{"department": {"Nope"}})
	mustStatus(t, res, http.StatusBadRequest)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || res.Header.Get("Content-Disposition") != "" {
		t.Errorf("refusal headers: %q %q", ct, res.Header.Get("Content-Disposition"))
	}
}
