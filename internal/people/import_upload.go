package people

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
)

// StaffUploadTTL is how long an uploaded staff file waits to be applied.
const StaffUploadTTL = 24 * time.Hour

// ErrUploadGone is returned for an upload that was applied, discarded or
// kept longer than StaffUploadTTL.
var ErrUploadGone = apperr.New(apperr.Conflict, "this staff file upload was already applied, discarded, or is more than a day old; upload the file again")

// errNoUpload is ErrUploadGone for an upload asked for by its ID (its
// page): there is nothing there any more.
var errNoUpload = &apperr.Error{Code: apperr.NotFound, Err: ErrUploadGone,
	Message: "This staff file upload was already applied, discarded, or is more than a day old; upload the file again."}

// errUploadClaimed is ErrUploadGone for an upload that Service.ApplyImport
// was to claim: another window applied or discarded it meanwhile.
var errUploadClaimed = ErrUploadGone.Because("This file was applied or discarded in another window while you looked at it; nothing more was imported.")

// StaffUpload is a staff file uploaded on HR's import page, kept in the
// database between its preview and Apply, so that Apply reads the file that
// was previewed (never a plan sent back by the browser) on any instance.
type StaffUpload struct {
	ID       string
	FileName string
	// SizeBytes is the size of the file as uploaded.
	SizeBytes int
	// Content is the file, gzip-compressed.
	Content           []byte
	DeactivateMissing bool
	UploadedBy        string
	UploadedAt        time.Time
}

// TableName tells GORM the table.
func (StaffUpload) TableName() string { return "staff_uploads" }

// SaveStaffUpload keeps an uploaded file (its name without directories) and
// the import's option, and forgets uploads older than StaffUploadTTL.
func SaveStaffUpload(ctx context.Context, d *db.DB, name string, file []byte, deactivateMissing bool, by string, now time.Time) (*StaffUpload, error) {
	var packed bytes.Buffer
	zw := gzip.NewWriter(&packed)
	if _, err := zw.Write(file); err != nil {
		return nil, fmt.Errorf("compress staff file: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress staff file: %w", err)
	}
	u := &StaffUpload{
		ID: db.NewID(), FileName: uploadName(name), SizeBytes: len(file), Content: packed.Bytes(),
		DeactivateMissing: deactivateMissing, UploadedBy: by, UploadedAt: now.UTC(),
	}
	err := d.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("uploaded_at < ?", now.Add(-StaffUploadTTL)).Delete(&StaffUpload{}).Error; err != nil {
			return fmt.Errorf("forget old staff files: %w", err)
		}
		if err := tx.Create(u).Error; err != nil {
			return fmt.Errorf("keep staff file: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// LoadStaffUpload returns a kept upload, or ErrUploadGone (code not found).
func LoadStaffUpload(ctx context.Context, d *db.DB, id string, now time.Time) (*StaffUpload, error) {
	var u StaffUpload
	err := d.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoUpload
	}
	if err != nil {
		return nil, fmt.Errorf("load staff file %s: %w", id, err)
	}
	if now.Sub(u.UploadedAt) > StaffUploadTTL {
		return nil, errNoUpload
	}
	return &u, nil
}

// DeleteStaffUpload forgets an upload inside tx; ErrUploadGone when it was
// no longer there (another tab applied or discarded it).
func DeleteStaffUpload(tx *gorm.DB, id string) error {
	res := tx.Where("id = ?", id).Delete(&StaffUpload{})
	if res.Error != nil {
		return fmt.Errorf("forget staff file %s: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return ErrUploadGone
	}
	return nil
}

// Parse reads the kept file with ParseStaffCSV.
func (u *StaffUpload) Parse() (*StaffFile, error) {
	zr, err := gzip.NewReader(bytes.NewReader(u.Content))
	if err != nil {
		return nil, fmt.Errorf("read kept staff file: %w", err)
	}
	defer zr.Close()
	file, err := ParseStaffCSV(zr)
	if err != nil {
		return nil, err
	}
	// Drain to the end so a damaged archive is noticed, not half-read.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("read kept staff file: %w", err)
	}
	return file, nil
}

// uploadName keeps the base name of what the browser called the file.
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return "staff.csv"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return strings.ToValidUTF8(name, "")
}

// PlanDigest is a hash of everything a plan would do, as a preview shows it:
// equal digests mean equal changes. New employees' IDs are left out (a plan
// chooses them afresh each time), everything else is in, so a preview can
// be checked against a fresh plan before the import is applied.
func PlanDigest(plan *StaffPlan) string {
	type digest struct {
		Added, Changed, Deactivated, Reactivated []StaffChange
		Unchanged, Rows                          int
		Warnings                                 []string
		DeactivateMissing                        bool
	}
	added := make([]StaffChange, len(plan.Added))
	for i, c := range plan.Added {
		c.ID = ""
		added[i] = c
	}
	b, err := json.Marshal(digest{
		Added: added, Changed: plan.Changed, Deactivated: plan.Deactivated, Reactivated: plan.Reactivated,
		Unchanged: plan.Unchanged, Rows: plan.Rows, Warnings: plan.Warnings, DeactivateMissing: plan.Options.DeactivateMissing,
	})
	if err != nil {
		// Strings, ints and bools always encode.
		panic(fmt.Sprintf("people: encode plan digest: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
