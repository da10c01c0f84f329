package people

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// TestDirectorySearchIsIndexed asks SQLite how it would run a search: never
// by reading the whole table, or the list would crawl at 100,000 people;
// words alone are found through the lower(…) indexes.
func TestDirectorySearchIsIndexed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "plan.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []DirectoryQuery{
		{Text: "ada"},
		{Text: "ada lov", Status: StatusActive},
		{Text: "E12", Department: "Nursing"},
	} {
		var ids []string
		stmt := q.filter(d.Session(&gorm.Session{DryRun: true}).Table("employees"), true).Select("id").Find(&ids).Statement
		var plan []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := d.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, p := range plan {
			lines = append(lines, p.Detail)
		}
		text := strings.Join(lines, "\n")
		if strings.Contains(text, "SCAN employees") || (q.Department == "" && !strings.Contains(text, "_lower_idx")) {
			t.Errorf("%+v is not searched through the lower(…) indexes:\n%s", q, text)
		}
	}
}
