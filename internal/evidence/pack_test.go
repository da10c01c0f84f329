package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/people"
)

// newPerson adds an employee with an HR ID in a department.
func newPerson(t *testing.T, env *apptest.Env, number, first, last, dept string) *people.Employee {
	t.Helper()
	hired := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	e := &people.Employee{
		EmployeeNumber: &number, Email: strings.ToLower(number) + "@example.org", FirstName: first, LastName: last,
		Department: dept, JobTitle: "Registered Nurse", HireDate: &hired,
	}
	if err := env.App.DB.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, env.Clock.Now()) }); err != nil {
		t.Fatalf("create %s: %v", number, err)
	}
	return e
}

func assign(t *testing.T, env *apptest.Env, e *people.Employee) {
	t.Helper()
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Assign(tx, e.ID, "basic", now, now.AddDate(0, 0, 30), "assigned by the test")
		return err
	})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
}

// zipFiles reads every file of a zip, in order.
func zipFiles(t *testing.T, b []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the pack is not a zip: %v", err)
	}
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		files[f.Name] = body
	}
	return names, files
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// CheckPack unzips a pack and checks that its manifest matches its files:
// every file listed with the SHA-256 and size of its bytes, nothing
// unlisted, and manifest.sha256 agreeing (manifest.json included). It
// returns the manifest and the files.
func checkPack(t *testing.T, b []byte) (*evidence.Manifest, map[string][]byte) {
	t.Helper()
	names, files := zipFiles(t, b)
	var m evidence.Manifest
	if err := json.Unmarshal(files[evidence.ManifestFile], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.Format != evidence.PackFormat || m.PackID == "" || m.GeneratedAt.IsZero() {
		t.Errorf("manifest header = %+v", m)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		body, ok := files[f.Path]
		switch {
		case !ok:
			t.Errorf("manifest lists %s, which the zip lacks", f.Path)
		case sum(body) != f.SHA256:
			t.Errorf("%s: SHA-256 %s, manifest says %s", f.Path, sum(body), f.SHA256)
		case int64(len(body)) != f.Size:
			t.Errorf("%s: %d bytes, manifest says %d", f.Path, len(body), f.Size)
		}
		listed[f.Path] = true
	}
	for _, n := range names {
		if !listed[n] && n != evidence.ManifestFile && n != evidence.ManifestSumsFile {
			t.Errorf("the zip holds %s, which the manifest does not list", n)
		}
	}
	if names[len(names)-2] != evidence.ManifestFile || names[len(names)-1] != evidence.ManifestSumsFile {
		t.Errorf("the manifest is not written last: %v", names[len(names)-2:])
	}
	sums := strings.Split(strings.TrimSpace(string(files[evidence.ManifestSumsFile])), "\n")
	if len(sums) != len(m.Files)+1 {
		t.Errorf("manifest.sha256 has %d lines, want %d", len(sums), len(m.Files)+1)
	}
	for _, line := range sums {
		h, name, ok := strings.Cut(line, "  ")
		if !ok || sum(files[name]) != h {
			t.Errorf("manifest.sha256 line %q does not match the file", line)
		}
	}
	return &m, files
}

// referencedVersions lists the content versions the records of the given
// people point at, as the pack must include them.
func referencedVersions(t *testing.T, env *apptest.Env, ids []string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT course_version_id FROM cycles WHERE employee_id IN ? AND course_version_id IS NOT NULL",
		"SELECT module_version_id FROM step_progress WHERE employee_id IN ?",
		"SELECT module_version_id FROM quiz_attempts WHERE employee_id IN ?",
		"SELECT module_version_id FROM attestations WHERE employee_id IN ?",
		"SELECT course_version_id FROM certificates WHERE employee_id IN ?",
	} {
		var part []string
		if err := env.App.DB.Raw(q, ids).Scan(&part).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, part...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestEvidencePackManifestMatchesItsFiles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	ada := newPerson(t, env, "N100", "Ada", "Lovelace", "Nursing")
	// A name a spreadsheet would run as a formula.
	eve := newPerson(t, env, "N200", "=HYPERLINK(\"x\")", "Formula", "Nursing")
	leaver := newPerson(t, env, "N300", "Lee", "Leaver", "Nursing")
	idle := newPerson(t, env, "N400", "Ida", "Idle", "Nursing")
	pharm := newPerson(t, env, "P100", "Phil", "Pharmacist", "Pharmacy")
	for _, e := range []*people.Employee{ada, eve, leaver, pharm} {
		assign(t, env, e)
	}
	if _, err := env.App.Learning.CompleteCourse(ctx, ada, "basic"); err != nil {
		t.Fatal(err)
	}
	j, err := env.App.Learning.Journey(ctx, eve, "basic")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Learning.CompleteStep(ctx, eve, "basic", j.Path[0].ID, j.Path[0].Steps[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Learning.CompleteCourse(ctx, leaver, "basic"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", leaver.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)

	var buf bytes.Buffer
	res, err := evidence.WritePack(ctx, env.App.DB, env.App.Catalog, &buf, evidence.PackOptions{
		Department: "Nursing", By: evidence.Actor{ID: "hr-1", Name: "Hana Resources"}, Now: env.Clock.Now(), Via: "the test",
	})
	if err != nil {
		t.Fatal(err)
	}
	m, files := checkPack(t, buf.Bytes())
	if m.Filters.Department != "Nursing" || m.Filters.Scope != "department" || m.GeneratedBy.Name != "Hana Resources" {
		t.Errorf("manifest filters and author = %+v %+v", m.Filters, m.GeneratedBy)
	}

	// Everyone in the department with training, and the active without:
	// not the other department.
	var transcripts []string
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, "transcripts/") {
			transcripts = append(transcripts, f.Path)
			if !bytes.HasPrefix(files[f.Path], []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", f.Path)
			}
		}
	}
	sort.Strings(transcripts)
	want := []string{"transcripts/N100-Ada-Lovelace.pdf", "transcripts/N200-HYPERLINK-x-Formula.pdf", "transcripts/N300-Lee-Leaver.pdf", "transcripts/N400-Ida-Idle.pdf"}
	if !slices.Equal(transcripts, want) || m.Employees != 4 {
		t.Errorf("transcripts = %v (%d employees), want %v", transcripts, m.Employees, want)
	}

	// The content texts are those of exactly the versions referenced.
	refs := referencedVersions(t, env, []string{ada.ID, eve.ID, leaver.ID, idle.ID})
	var got []string
	for _, v := range m.Versions {
		got = append(got, v.ID)
		var source, hash string
		row := env.App.DB.Raw("SELECT source, hash FROM content_versions WHERE id = ?", v.ID).Row()
		if err := row.Scan(&source, &hash); err != nil {
			t.Fatal(err)
		}
		if string(files[v.File]) != source || v.Hash != hash {
			t.Errorf("%s does not hold the text of version %s", v.File, v.ID)
		}
		if !regexp.MustCompile(`^content/basic/[a-z]+-[0-9a-f]{12}\.txt$`).MatchString(v.File) {
			t.Errorf("content file name %q", v.File)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, refs) || len(refs) < 4 {
		t.Errorf("content versions in the pack = %v, referenced = %v", got, refs)
	}

	// completions.csv: a row per cycle, formulas defused.
	rows, err := csv.NewReader(bytes.NewReader(files[evidence.CompletionsFile])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], evidence.CompletionColumns) || len(rows) != 4 {
		t.Fatalf("completions.csv has %d rows, header %v", len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(evidence.CompletionColumns, name) }
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[col("employee_id")]] = r
	}
	if r := byID["N100"]; r[col("status")] != "completed" || r[col("completed_at")] == "" || r[col("course_version_hash")] == "" ||
		r[col("attested_name")] != "Ada Lovelace" || r[col("final_score_percent")] != "100" || r[col("transcript_file")] != want[0] {
		t.Errorf("Ada's row = %v", r)
	}
	if r := byID["N200"]; r[col("name")] != `'=HYPERLINK("x") Formula` || r[col("status")] != "in_progress" {
		t.Errorf("the formula name was not defused: %q (status %s)", r[col("name")], r[col("status")])
	}
	if r := byID["N300"]; r[col("employee_status")] != "inactive" {
		t.Errorf("the leaver's row = %v", r)
	}

	// The export is in the audit trail with the manifest's hash.
	var e audit.Entry
	if err := env.App.DB.Where("action = ? AND entity_type = ?", audit.ActionExport, "evidence_pack").Take(&e).Error; err != nil {
		t.Fatalf("no audit entry for the export: %v", err)
	}
	if e.EntityID != m.PackID || e.ActorName != "Hana Resources" || !strings.Contains(e.Details, sum(files[evidence.ManifestFile])) ||
		res.ManifestSHA256 != sum(files[evidence.ManifestFile]) {
		t.Errorf("audit entry = %+v", e)
	}

	// The whole organisation adds the other department.
	buf.Reset()
	if _, err := evidence.WritePack(ctx, env.App.DB, env.App.Catalog, &buf, evidence.PackOptions{Now: env.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	m, _ = checkPack(t, buf.Bytes())
	if m.Employees != 5 || m.Filters.Scope != "organisation" {
		t.Errorf("whole organisation: %d employees, scope %q", m.Employees, m.Filters.Scope)
	}
	if _, err := evidence.WritePack(ctx, env.App.DB, env.App.Catalog, io.Discard, evidence.PackOptions{Department: "Nope", Now: env.Clock.Now()}); !errors.Is(err, evidence.ErrUnknownDepartment) {
		t.Errorf("unknown department: %v", err)
	}
}

func TestTranscriptPDFFlowsOverPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	ada := newPerson(t, env, "N100", "Ada", "Lovelace", "Nursing")
	assign(t, env, ada)
	if _, err := env.App.Learning.CompleteCourse(ctx, ada, "basic"); err != nil {
		t.Fatal(err)
	}
	src := &evidence.Source{Catalog: env.App.Catalog}
	tr, err := src.Transcript(ctx, env.App.DB.DB, ada.ID, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Courses) != 1 || len(tr.Courses[0].Cycles) != 1 {
		t.Fatalf("transcript courses = %+v", tr.Courses)
	}
	cr := tr.Courses[0].Cycles[0]
	if cr.Certificate == nil || cr.CourseVersion == nil || len(cr.Attestations) != 1 || len(cr.Attempts) != 1 || len(cr.Videos) != 1 {
		t.Fatalf("cycle record lacks evidence: %+v", cr)
	}
	if cr.Attestations[0].Attestation.PrintedName != "Ada Lovelace" || cr.Steps[0].Step != "Welcome" || cr.Steps[0].Module != "The basics" ||
		cr.Steps[0].Version == nil || cr.Steps[4].Step != "Social media policy" {
		t.Errorf("records = %+v / %+v", cr.Attestations[0].Attestation, cr.Steps[0])
	}
	pages := func(b []byte) int { return len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(b, -1)) }

	var one bytes.Buffer
	if err := evidence.WriteTranscriptPDF(&one, tr); err != nil {
		t.Fatal(err)
	}
	if n := pages(one.Bytes()); !bytes.HasPrefix(one.Bytes(), []byte("%PDF-")) || n < 1 || n > 2 {
		t.Errorf("a short transcript: %d pages", pages(one.Bytes()))
	}
	// Many attempts make a table that runs over several pages.
	base := cr.Attempts[0]
	for i := 2; i <= 150; i++ {
		a := *base.Attempt
		a.Number = i
		cr.Attempts = append(cr.Attempts, evidence.AttemptRecord{Module: base.Module, Step: fmt.Sprintf("%s (retake %d)", base.Step, i), Attempt: &a, Version: base.Version})
	}
	var many bytes.Buffer
	if err := evidence.WriteTranscriptPDF(&many, tr); err != nil {
		t.Fatal(err)
	}
	if n := pages(many.Bytes()); n < 4 {
		t.Errorf("150 attempts fit on %d pages; the table should flow over several", n)
	}
	// The document's title names the person (the text itself is in font glyphs).
	if !bytes.Contains(many.Bytes(), []byte("/Title <FEFF"+utf16Hex("Training transcript: Ada Lovelace")+">")) {
		t.Error("the PDF's title does not name the person")
	}
}

// utf16Hex is how gopdf writes a string in the PDF's info dictionary.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

func TestSafeCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44 20": "'+44 20", "-3": "'-3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"Ada": "Ada", "": "", "2026-03-02T09:00:00Z": "2026-03-02T09:00:00Z", "a=b": "a=b",
	} {
		if got := evidence.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
