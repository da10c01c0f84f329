package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDueIndexMigration: migration 00048 keys cycles_open_due_idx's
// condition on completed_at and closed_at instead of status (so that a
// pass moving a cycle between open statuses leaves the index alone), keeps
// its columns and planner statistics, and down gives back the condition.
func TestOpenDueIndexMigration(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "onramp.db"))
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 47); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ANALYZE", "DELETE FROM sqlite_stat1 WHERE idx = 'cycles_open_due_idx'",
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cycles', 'cycles_open_due_idx', '1303174 3052 1')`} {
		if err := d.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	index := func(when, wantWhere string) {
		t.Helper()
		var cols []string
		if err := d.Raw(`SELECT name FROM pragma_index_info('cycles_open_due_idx') ORDER BY seqno`).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		var sql string
		if err := d.Raw(`SELECT sql FROM sqlite_master WHERE name = 'cycles_open_due_idx'`).Row().Scan(&sql); err != nil {
			t.Fatal(err)
		}
		var stat []string
		if err := d.Raw(`SELECT stat FROM sqlite_stat1 WHERE idx = 'cycles_open_due_idx'`).Scan(&stat).Error; err != nil {
			t.Fatal(err)
		}
		_, where, _ := strings.Cut(sql, "WHERE ")
		if got := strings.Join(cols, ", "); got != "due_at, id" || strings.Join(strings.Fields(where), " ") != wantWhere ||
			len(stat) != 1 || stat[0] != "1303174 3052 1" {
			t.Errorf("%s: index on (%s) where %q, statistics %q; want (due_at, id) where %q, %q", when, got, where, stat, wantWhere, "1303174 3052 1")
		}
	}
	const byStatus = "status IN ('upcoming', 'open', 'in_progress', 'overdue')"
	index("before", byStatus)
	if _, err := p.UpTo(ctx, 48); err != nil {
		t.Fatal(err)
	}
	index("after 00048", "completed_at IS NULL AND closed_at IS NULL")
	if _, err := p.DownTo(ctx, 47); err != nil {
		t.Fatal(err)
	}
	index("down again", byStatus)
}
