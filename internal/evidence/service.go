package evidence

import (
	"context"
	"io"
	"time"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/learning"
)

// Service reads evidence from one database: transcripts, completions with
// their certificates and content versions, and evidence packs.
type Service struct {
	DB      *db.DB
	Catalog *catalog.Catalog
}

// Departments lists the departments that have employees, sorted.
func (s *Service) Departments(ctx context.Context) ([]string, error) { return Departments(ctx, s.DB) }

// WritePack streams an evidence pack to w (see the package function).
func (s *Service) WritePack(ctx context.Context, w io.Writer, opts PackOptions) (*PackResult, error) {
	return WritePack(ctx, s.DB, s.Catalog, w, opts)
}

// Transcript loads one employee's transcript as of now; ErrNotFound when
// nobody has the ID.
func (s *Service) Transcript(ctx context.Context, employeeID string, now time.Time) (*Transcript, error) {
	src := &Source{Catalog: s.Catalog}
	return src.Transcript(ctx, s.DB.DB, employeeID, now)
}

// VersionHash returns the hash of a content version ("" when there is no
// such version).
func (s *Service) VersionHash(ctx context.Context, versionID string) (string, error) {
	var hashes []string
	if err := s.DB.WithContext(ctx).Model(&Version{}).Where("id = ?", versionID).Limit(1).Pluck("hash", &hashes).Error; err != nil || len(hashes) == 0 {
		return "", err
	}
	return hashes[0], nil
}

// CompletionFilter narrows a list of completions; empty fields do not.
type CompletionFilter struct {
	// Since keeps completions at or after it (zero: all).
	Since      time.Time
	CourseID   string
	EmployeeID string
}

// Completion is a completed cycle with what backs it: the certificate (nil
// for none), the content version completed (nil when unknown) and whether
// it was imported from the previous system.
type Completion struct {
	*compliance.Cycle
	Certificate *learning.Certificate
	Version     *Version
	Imported    bool
}

// Completions lists completed cycles in the order they were completed
// (completed_at, id), one keyset page at a time (up to k.Limit+1 items),
// with their evidence. Four queries, whatever the page size.
func (s *Service) Completions(ctx context.Context, f CompletionFilter, k compliance.Keyset) ([]Completion, error) {
	q := s.DB.WithContext(ctx).Model(&compliance.Cycle{}).Where("completed_at IS NOT NULL")
	if !f.Since.IsZero() {
		q = q.Where("completed_at >= ?", f.Since)
	}
	if f.CourseID != "" {
		q = q.Where("course_id = ?", f.CourseID)
	}
	if f.EmployeeID != "" {
		q = q.Where("employee_id = ?", f.EmployeeID)
	}
	var cycles []*compliance.Cycle
	if err := k.Apply(q, "completed_at", "id").Find(&cycles).Error; err != nil {
		return nil, err
	}
	ids, versionIDs := make([]string, len(cycles)), []string{}
	for i, cy := range cycles {
		ids[i] = cy.ID
		if cy.CourseVersionID != nil {
			versionIDs = append(versionIDs, *cy.CourseVersionID)
		}
	}
	certs := map[string]*learning.Certificate{}
	imported := map[string]bool{}
	versions := map[string]*Version{}
	if len(ids) > 0 {
		var cs []*learning.Certificate
		if err := s.DB.WithContext(ctx).Where("cycle_id IN ?", ids).Find(&cs).Error; err != nil {
			return nil, err
		}
		for _, ct := range cs {
			certs[ct.CycleID] = ct
		}
		var imp []string
		if err := s.DB.WithContext(ctx).Model(&Imported{}).Where("cycle_id IN ?", ids).Pluck("cycle_id", &imp).Error; err != nil {
			return nil, err
		}
		for _, id := range imp {
			imported[id] = true
		}
	}
	if len(versionIDs) > 0 {
		var vs []*Version
		if err := s.DB.WithContext(ctx).Select("id, hash").Where("id IN ?", versionIDs).Find(&vs).Error; err != nil {
			return nil, err
		}
		for _, v := range vs {
			versions[v.ID] = v
		}
	}
	out := make([]Completion, len(cycles))
	for i, cy := range cycles {
		out[i] = Completion{Cycle: cy, Certificate: certs[cy.ID], Imported: imported[cy.ID]}
		if cy.CourseVersionID != nil {
			out[i].Version = versions[*cy.CourseVersionID]
		}
	}
	return out, nil
}
