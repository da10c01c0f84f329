package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// PackFormat names the layout of a pack, in its manifest.
const PackFormat = "onramp-evidence-pack/1"

// The fixed files of a pack.
const (
	CompletionsFile    = "completions.csv"
	ManifestFile       = "manifest.json"
	ManifestSumsFile   = "manifest.sha256"
	transcriptsDir     = "transcripts/"
	contentDir         = "content/"
	packEmployeesBatch = 200
)

// Actor is who exported a pack: an HR admin, or the command line (no ID).
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PackOptions choose what a pack holds.
type PackOptions struct {
	// Department limits the pack to one department; "" is the whole
	// organisation.
	Department string
	// By is who asked for the pack; it goes in the manifest and the audit trail.
	By Actor
	// Now is the time the pack is generated (from the Clock).
	Now time.Time
	// Via says where the export came from, for the audit trail ("the HR
	// pages", "the command line").
	Via string
	// Organisation is the organisation's name (ONRAMP_ORG_NAME), in the
	// manifest and on every transcript; "" for none.
	Organisation string
}

// Manifest describes a pack: every other file with its SHA-256 and size,
// who generated it when, and for what.
type Manifest struct {
	Format       string        `json:"format"`
	Organisation string        `json:"organisation,omitempty"`
	PackID       string        `json:"pack_id"`
	GeneratedAt  time.Time     `json:"generated_at"`
	GeneratedBy  Actor         `json:"generated_by"`
	Filters      PackFilters   `json:"filters"`
	Employees    int           `json:"employees"`
	Files        []PackFile    `json:"files"`
	Versions     []PackVersion `json:"content_versions"`
}

// PackFilters are the choices a pack was made with.
type PackFilters struct {
	// Department is "" for the whole organisation.
	Department string `json:"department"`
	Scope      string `json:"scope"`
}

// PackFile is one file of the pack.
type PackFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// PackVersion is one content version whose text is in the pack.
type PackVersion struct {
	File          string    `json:"file"`
	ID            string    `json:"id"`
	CourseID      string    `json:"course_id"`
	ModuleID      string    `json:"module_id,omitempty"`
	Hash          string    `json:"hash"`
	Title         string    `json:"title"`
	PolicyVersion string    `json:"policy_version,omitempty"`
	PublishedAt   time.Time `json:"published_at"`
}

// PackResult is what WritePack wrote.
type PackResult struct {
	Manifest *Manifest
	// ManifestSHA256 is the SHA-256 of manifest.json, also recorded in the
	// audit trail so the pack can be tied to its export.
	ManifestSHA256 string
}

// Departments lists the departments that have employees, sorted.
func Departments(ctx context.Context, d *db.DB) ([]string, error) {
	var names []string
	err := d.WithContext(ctx).Table("employees").Distinct("department").Where("department <> ''").
		Order("department").Pluck("department", &names).Error
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return names, nil
}

// ErrUnknownDepartment is returned for a department nobody works in.
var ErrUnknownDepartment = apperr.New(apperr.NotFound, "no employee is in that department")

// WritePack streams an evidence pack as a zip to w: a transcript PDF for
// each person in scope (active employees, and former ones with training
// records), completions.csv (one row per cycle), the text of every content
// version the included records reference, then manifest.json listing every
// file with its SHA-256 and size, and manifest.sha256 in the format
// `sha256sum -c` reads. Each file's hash is computed while it is written.
// The zip is never held in memory whole; the CSV is gathered in a
// temporary file because a zip is written one file at a time.
//
// On PostgreSQL everything is read in one read-only repeatable-read
// transaction, so the pack is one consistent snapshot. When the pack is
// complete the export is recorded in the audit trail with the manifest's
// SHA-256.
func WritePack(ctx context.Context, d *db.DB, cat *catalog.Catalog, w io.Writer, opts PackOptions) (*PackResult, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("evidence pack: no time given")
	}
	opts.Now = opts.Now.UTC()
	if opts.Department != "" {
		var n int64
		if err := d.WithContext(ctx).Table("employees").Where("department = ?", opts.Department).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("evidence pack: %w", err)
		}
		if n == 0 {
			return nil, ErrUnknownDepartment
		}
	}
	q := d.WithContext(ctx)
	if d.Dialect == db.Postgres {
		tx := q.Begin(&sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if tx.Error != nil {
			return nil, fmt.Errorf("evidence pack: begin snapshot: %w", tx.Error)
		}
		defer tx.Rollback()
		q = tx
	}
	p := &packer{
		src: &Source{Catalog: cat}, q: q, opts: opts, zw: zip.NewWriter(w),
		names: map[string]bool{}, versions: map[string]*Version{}, used: map[string]bool{},
	}
	res, err := p.write(ctx)
	if err != nil {
		return nil, err
	}
	scope := "the whole organisation"
	if opts.Department != "" {
		scope = "the " + opts.Department + " department"
	}
	via := ""
	if opts.Via != "" {
		via = " from " + opts.Via
	}
	err = d.Tx(ctx, func(tx *gorm.DB) error {
		return audit.Record(tx, audit.Event{
			At: opts.Now, ActorID: opts.By.ID, ActorName: opts.By.Name, Action: audit.ActionExport,
			EntityType: "evidence_pack", EntityID: res.Manifest.PackID,
			Summary: fmt.Sprintf("Evidence pack for %s exported%s: %d %s, %d content %s.", scope, via,
				res.Manifest.Employees, plural(res.Manifest.Employees, "transcript", "transcripts"),
				len(res.Manifest.Versions), plural(len(res.Manifest.Versions), "version", "versions")),
			Details: map[string]any{
				"pack_id": res.Manifest.PackID, "department": opts.Department, "employees": res.Manifest.Employees,
				"files": len(res.Manifest.Files), "manifest_sha256": res.ManifestSHA256,
			},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("evidence pack: record the export: %w", err)
	}
	return res, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// packer holds the work of one WritePack.
type packer struct {
	src      *Source
	q        *gorm.DB
	opts     PackOptions
	zw       *zip.Writer
	files    []PackFile
	names    map[string]bool
	versions map[string]*Version
	// used are the content versions the included records reference.
	used      map[string]bool
	employees int
}

func (p *packer) write(ctx context.Context) (*PackResult, error) {
	csvFile, err := os.CreateTemp("", "onramp-completions-*.csv")
	if err != nil {
		return nil, fmt.Errorf("evidence pack: temporary file: %w", err)
	}
	defer func() {
		csvFile.Close()
		os.Remove(csvFile.Name())
	}()
	cw := csv.NewWriter(csvFile)
	if err := cw.Write(CompletionColumns); err != nil {
		return nil, err
	}
	if err := p.transcripts(ctx, cw); err != nil {
		return nil, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("evidence pack: write %s: %w", CompletionsFile, err)
	}
	if _, err := csvFile.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := p.file(CompletionsFile, func(w io.Writer) error {
		_, err := io.Copy(w, csvFile)
		return err
	}); err != nil {
		return nil, err
	}
	manifest := &Manifest{
		Format: PackFormat, Organisation: p.opts.Organisation, PackID: db.NewID(), GeneratedAt: p.opts.Now, GeneratedBy: p.opts.By,
		Filters: PackFilters{Department: p.opts.Department, Scope: "organisation"}, Employees: p.employees,
	}
	if p.opts.Department != "" {
		manifest.Filters.Scope = "department"
	}
	versions, err := p.content()
	if err != nil {
		return nil, err
	}
	manifest.Versions = versions
	manifest.Files = append([]PackFile(nil), p.files...)
	body, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	body = append(body, '\n')
	if err := p.file(ManifestFile, func(w io.Writer) error { _, err := w.Write(body); return err }); err != nil {
		return nil, err
	}
	sum := p.files[len(p.files)-1].SHA256
	var sums bytes.Buffer
	for _, f := range p.files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	if err := p.file(ManifestSumsFile, func(w io.Writer) error { _, err := w.Write(sums.Bytes()); return err }); err != nil {
		return nil, err
	}
	if err := p.zw.Close(); err != nil {
		return nil, fmt.Errorf("evidence pack: finish the zip: %w", err)
	}
	return &PackResult{Manifest: manifest, ManifestSHA256: sum}, nil
}

// transcripts writes a PDF per person in scope, in batches, and their rows
// of the completions CSV.
func (p *packer) transcripts(ctx context.Context, cw *csv.Writer) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := p.q.Where("id > ?", after).
			Where("(status = ? OR EXISTS (SELECT 1 FROM assignments a WHERE a.employee_id = employees.id))", people.StatusActive)
		if p.opts.Department != "" {
			q = q.Where("department = ?", p.opts.Department)
		}
		var emps []*people.Employee
		if err := q.Order("id").Limit(packEmployeesBatch).Find(&emps).Error; err != nil {
			return fmt.Errorf("evidence pack: load employees: %w", err)
		}
		if len(emps) == 0 {
			return nil
		}
		after = emps[len(emps)-1].ID
		ts, versions, err := p.src.Transcripts(ctx, p.q, emps, p.opts.Now)
		if err != nil {
			return fmt.Errorf("evidence pack: %w", err)
		}
		for id, v := range versions {
			p.versions[id] = v
		}
		for _, t := range ts {
			t.Organisation = p.opts.Organisation
			name := p.transcriptName(t)
			if err := p.file(name, func(w io.Writer) error { return WriteTranscriptPDF(w, t) }); err != nil {
				return err
			}
			for _, row := range CompletionRows(t, name) {
				if err := cw.Write(row); err != nil {
					return fmt.Errorf("evidence pack: write %s: %w", CompletionsFile, err)
				}
			}
			p.markUsed(t)
			p.employees++
		}
	}
}

// markUsed notes every content version the transcript's records reference.
func (p *packer) markUsed(t *Transcript) {
	use := func(v *Version) {
		if v != nil {
			p.used[v.ID] = true
		}
	}
	for _, c := range t.Courses {
		for _, cr := range c.Cycles {
			use(cr.CourseVersion)
			for _, s := range cr.Steps {
				use(s.Version)
			}
			for _, a := range cr.Attempts {
				use(a.Version)
			}
			for _, a := range cr.Attestations {
				use(a.Version)
			}
		}
	}
}

// content writes the text of every content version referenced, oldest first.
func (p *packer) content() ([]PackVersion, error) {
	var list []*Version
	for id := range p.used {
		if v := p.versions[id]; v != nil {
			list = append(list, v)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.CourseID != b.CourseID {
			return a.CourseID < b.CourseID
		}
		if a.ModuleID != b.ModuleID {
			return a.ModuleID < b.ModuleID
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	out := make([]PackVersion, 0, len(list))
	for _, v := range list {
		part := v.ModuleID
		if part == "" {
			part = "course"
		}
		name := p.unique(contentDir + safeName(v.CourseID) + "/" + safeName(part) + "-" + v.Short() + ".txt")
		var source string
		if err := p.q.Table("content_versions").Where("id = ?", v.ID).Pluck("source", &source).Error; err != nil {
			return nil, fmt.Errorf("evidence pack: load content version %s: %w", v.ID, err)
		}
		if err := p.file(name, func(w io.Writer) error { _, err := io.WriteString(w, source); return err }); err != nil {
			return nil, err
		}
		out = append(out, PackVersion{
			File: name, ID: v.ID, CourseID: v.CourseID, ModuleID: v.ModuleID, Hash: v.Hash, Title: v.Title,
			PolicyVersion: v.PolicyVersion, PublishedAt: v.CreatedAt.UTC(),
		})
	}
	return out, nil
}

// file adds one file to the zip, hashing and counting it as it is written.
func (p *packer) file(name string, write func(io.Writer) error) error {
	fw, err := p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.opts.Now})
	if err != nil {
		return fmt.Errorf("evidence pack: add %s: %w", name, err)
	}
	h := sha256.New()
	n := &counter{}
	if err := write(io.MultiWriter(fw, h, n)); err != nil {
		return fmt.Errorf("evidence pack: write %s: %w", name, err)
	}
	p.files = append(p.files, PackFile{Path: name, SHA256: hexSum(h), Size: n.n})
	return nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

type counter struct{ n int64 }

func (c *counter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return len(b), nil
}

// transcriptName is transcripts/<employee_id>-<name>.pdf, with the HR
// system's ID (Onramp's when there is none) and a file-safe name.
func (p *packer) transcriptName(t *Transcript) string {
	id := t.EmployeeNumber()
	if id == "" {
		id = t.Employee.ID
	}
	return p.unique(transcriptsDir + safeName(id) + "-" + safeName(t.Employee.FullName()) + ".pdf")
}

// unique returns name, or name with a number before its extension when an
// earlier file already has it.
func (p *packer) unique(name string) string {
	candidate := name
	for i := 2; p.names[candidate]; i++ {
		dot := strings.LastIndexByte(name, '.')
		candidate = fmt.Sprintf("%s-%d%s", name[:dot], i, name[dot:])
	}
	p.names[candidate] = true
	return candidate
}

// safeName keeps letters and digits (of any script) and turns runs of
// anything else into one hyphen, so a name is safe as part of a path on
// every system.
func safeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "unnamed"
	}
	if r := []rune(out); len(r) > 60 {
		out = strings.TrimSuffix(string(r[:60]), "-")
	}
	return out
}
