package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestNextEventIndexMigration: migration 00047 gives cycles_next_event_idx
// the person's column and keeps its planner statistics (with the new
// column's figure), and down gives back the index and statistics it found.
func TestNextEventIndexMigration(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "onramp.db"))
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 46); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ANALYZE", "DELETE FROM sqlite_stat1 WHERE idx = 'cycles_next_event_idx'",
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cycles', 'cycles_next_event_idx', '2700831 42871 1 noskipscan')`} {
		if err := d.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	index := func(when, wantColumns, wantStat string) {
		t.Helper()
		var cols []string
		if err := d.Raw(`SELECT name FROM pragma_index_info('cycles_next_event_idx') ORDER BY seqno`).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		var stat []string
		if err := d.Raw(`SELECT stat FROM sqlite_stat1 WHERE idx = 'cycles_next_event_idx'`).Scan(&stat).Error; err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cols, ", "); got != wantColumns || len(stat) != 1 || stat[0] != wantStat {
			t.Errorf("%s: index on (%s), statistics %q; want (%s), %q", when, got, stat, wantColumns, wantStat)
		}
	}
	index("before", "next_event_at, id", "2700831 42871 1 noskipscan")
	if _, err := p.UpTo(ctx, 47); err != nil {
		t.Fatal(err)
	}
	index("after 00047", "next_event_at, id, employee_id", "2700831 42871 1 1 noskipscan")
	if _, err := p.DownTo(ctx, 46); err != nil {
		t.Fatal(err)
	}
	index("down again", "next_event_at, id", "2700831 42871 1 noskipscan")
}
