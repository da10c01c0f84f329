package compliance_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// TestDuePeopleReadTheIndexOnly: on SQLite a pass finds the people with a
// due cycle along cycles_next_event_idx without reading the cycles
// themselves (the index holds each cycle's person since migration 00047: the
// first pass at 100,000 people walks 2.1 million due cycles).
func TestDuePeopleReadTheIndexOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's query plans")
	}
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	f.rule(&compliance.Rule{Name: "everyone", Everyone: true, DueDays: 30})
	for i := range 20 {
		f.employee(fmt.Sprintf("p%02d@example.org", i), "Nursing", start, nil)
	}
	f.pass(start.Add(9 * time.Hour))

	plans := recordPlans(t, f.db, func(q string) bool { return strings.Contains(q, "FROM cycles WHERE next_event_at <= ?") })
	// A month on every cycle is overdue: the pass looks for due people.
	f.pass(start.AddDate(0, 1, 0).Add(9 * time.Hour))
	if len(*plans) == 0 {
		t.Fatal("the pass never looked for due people along cycles_next_event_idx")
	}
	for _, p := range *plans {
		if p != "SEARCH cycles USING COVERING INDEX cycles_next_event_idx (next_event_at<?)" {
			t.Errorf("due people are read with %q, want the index only", p)
		}
	}
}

// recordPlans records SQLite's plan of every query keep accepts from now
// on (EXPLAIN QUERY PLAN, its details joined by "; "), in the order run.
func recordPlans(t *testing.T, d *db.DB, keep func(q string) bool) *[]string {
	t.Helper()
	plans := &[]string{}
	explain := func(tx *gorm.DB) {
		q := tx.Statement.SQL.String()
		if !keep(q) {
			return
		}
		rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, "EXPLAIN QUERY PLAN "+q, tx.Statement.Vars...)
		if err != nil {
			t.Errorf("EXPLAIN QUERY PLAN: %v", err)
			return
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Error(err)
				return
			}
			plan = append(plan, detail)
		}
		*plans = append(*plans, strings.Join(plan, "; "))
	}
	// Scan runs through the row callbacks, Find through the query ones.
	if err := d.Callback().Row().After("gorm:row").Register("test:plan", explain); err != nil {
		t.Fatal(err)
	}
	if err := d.Callback().Query().After("gorm:query").Register("test:plan", explain); err != nil {
		t.Fatal(err)
	}
	return plans
}
