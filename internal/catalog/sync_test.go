package catalog_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
)

func openDB(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func load(t *testing.T, dir string) *catalog.Catalog {
	t.Helper()
	cat, probs := catalog.Load(os.DirFS(dir))
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	return cat
}

type versionRow struct {
	ID, CourseID, ModuleID, Hash, Title, PolicyVersion, Source string
	CreatedAt                                                  time.Time
}

func versions(t *testing.T, d *db.DB) []versionRow {
	t.Helper()
	var rows []versionRow
	if err := d.Table("content_versions").Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func currentVersion(t *testing.T, d *db.DB, course string) (title, versionID string, updated time.Time) {
	t.Helper()
	row := struct {
		Title            string
		CurrentVersionID string
		UpdatedAt        time.Time
	}{}
	if err := d.Table("courses").Where("id = ?", course).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.Title, row.CurrentVersionID, row.UpdatedAt
}

func TestSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	dir := filepath.Join(t.TempDir(), "basic")
	if err := os.CopyFS(dir, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	day1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))

	cat := load(t, dir)
	if err := cat.Sync(ctx, d, day1); err != nil {
		t.Fatal(err)
	}
	c := cat.Course("basic")
	rows := versions(t, d)
	if len(rows) != 4 {
		t.Fatalf("versions after the first sync = %d, want 4 (3 modules + the course)", len(rows))
	}
	byID := map[string]versionRow{}
	for _, r := range rows {
		byID[r.ID] = r
		if !r.CreatedAt.Equal(day1) {
			t.Errorf("version %s created at %v, want %v", r.ModuleID, r.CreatedAt, day1)
		}
	}
	if r := byID[c.VersionID]; r.ModuleID != "" || r.Hash != c.Hash || r.Title != "Basic Training" || r.Source != c.Source {
		t.Errorf("course version = %+v", r)
	}
	for _, m := range c.AllModules() {
		r := byID[m.VersionID]
		if r.CourseID != "basic" || r.ModuleID != m.ID || r.Hash != m.Hash || r.Title != m.Title || r.PolicyVersion != m.PolicyVersion || r.Source != m.Source {
			t.Errorf("module %s version = %+v", m.ID, r)
		}
	}
	if byID[c.Module("sign").VersionID].PolicyVersion != "1" {
		t.Error("the sign module's version has no policy version")
	}
	title, current, updated := currentVersion(t, d, "basic")
	if title != "Basic Training" || current != c.VersionID || !updated.Equal(day1) {
		t.Errorf("course row = %q, %s, %v", title, current, updated)
	}

	// The same content again, freshly loaded: nothing new, same IDs.
	day2 := day1.Add(24 * time.Hour)
	again := load(t, dir)
	if err := again.Sync(ctx, d, day2); err != nil {
		t.Fatal(err)
	}
	if n := len(versions(t, d)); n != 4 {
		t.Errorf("versions after syncing the same content = %d, want 4", n)
	}
	c2 := again.Course("basic")
	if c2.VersionID != c.VersionID || c2.Module("video").VersionID != c.Module("video").VersionID {
		t.Error("syncing the same content gave new version IDs")
	}
	if _, _, u := currentVersion(t, d, "basic"); !u.Equal(day1) {
		t.Errorf("updated_at moved to %v on an unchanged sync", u)
	}

	// One module edited: one new module version, one new course version.
	b, _ := os.ReadFile(filepath.Join(dir, "modules/01-basics.md"))
	if err := os.WriteFile(filepath.Join(dir, "modules/01-basics.md"), []byte(strings.Replace(string(b), "What now?", "What next?", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	day3 := day2.Add(24 * time.Hour)
	edited := load(t, dir)
	if err := edited.Sync(ctx, d, day3); err != nil {
		t.Fatal(err)
	}
	rows = versions(t, d)
	if len(rows) != 6 {
		t.Fatalf("versions after editing one module = %d, want 6", len(rows))
	}
	c3 := edited.Course("basic")
	if c3.Module("basics").VersionID == c.Module("basics").VersionID || c3.VersionID == c.VersionID {
		t.Error("the edited module or the course kept its version ID")
	}
	if c3.Module("video").VersionID != c.Module("video").VersionID || c3.Module("sign").VersionID != c.Module("sign").VersionID {
		t.Error("an unchanged module got a new version ID")
	}
	if _, current, u := currentVersion(t, d, "basic"); current != c3.VersionID || !u.Equal(day3) {
		t.Errorf("course row points at %s (updated %v), want %s", current, u, c3.VersionID)
	}

	// Going back to the old text reuses the old versions.
	if err := load(t, "testdata/basic").Sync(ctx, d, day3.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := len(versions(t, d)); n != 6 {
		t.Errorf("versions after restoring the old text = %d, want 6", n)
	}
	if _, current, _ := currentVersion(t, d, "basic"); current != c.VersionID {
		t.Errorf("course row points at %s, want the first version %s", current, c.VersionID)
	}
}
