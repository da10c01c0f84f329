package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

func openDB(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func record(t *testing.T, d *db.DB, n int) {
	t.Helper()
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	for i := 1; i <= n; i++ {
		err := d.Transaction(func(tx *gorm.DB) error {
			return audit.Record(tx, audit.Event{
				At: at.Add(time.Duration(i) * time.Minute), ActorID: "hr-1", ActorName: "Hannah Reyes",
				Action: audit.ActionUpdate, EntityType: "employee", EntityID: fmt.Sprintf("e%d", i),
				Summary: fmt.Sprintf("Changed the department of employee %d", i), Details: map[string]string{"from": "A", "to": "B"},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyFindsTheFirstBrokenEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name    string
		tamper  string
		seq     int64
		problem string
	}{
		{"changed summary", "UPDATE audit_log SET summary = 'nothing happened' WHERE seq = 5", 5, "changed after it was written"},
		{"changed actor", "UPDATE audit_log SET actor_name = 'Someone Else' WHERE seq = 3", 3, "changed after it was written"},
		{"removed entry", "DELETE FROM audit_log WHERE seq = 4", 5, "entries are missing"},
		{"rehashed entry", "UPDATE audit_log SET hash = 'ffff' WHERE seq = 6", 6, "changed after it was written"},
		{"removed last entry", "DELETE FROM audit_log WHERE seq = 10", 0, "entries at the end were removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := openDB(t)
			record(t, d, 10)
			res, err := audit.Verify(ctx, d)
			if err != nil || !res.OK() || res.Entries != 10 {
				t.Fatalf("before tampering: %+v %v", res, err)
			}
			if err := d.Exec(tc.tamper).Error; err != nil {
				t.Fatal(err)
			}
			res, err = audit.Verify(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() || !strings.Contains(res.Problem, tc.problem) {
				t.Fatalf("after tampering: %+v", res)
			}
			if tc.seq != 0 && (res.Broken == nil || res.Broken.Seq != tc.seq) {
				t.Fatalf("first broken entry %+v, want seq %d", res.Broken, tc.seq)
			}
		})
	}
}

func TestConcurrentWritersKeepTheChain(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				errs <- d.Transaction(func(tx *gorm.DB) error {
					return audit.Record(tx, audit.Event{At: time.Now(), Action: audit.ActionCreate, EntityType: "rule", EntityID: fmt.Sprint(w, i), Summary: "Created a rule"})
				})
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := audit.Verify(context.Background(), d)
	if err != nil || !res.OK() || res.Entries != 40 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestRecordRefusesEmptyEntries(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	err := d.Transaction(func(tx *gorm.DB) error {
		return audit.Record(tx, audit.Event{At: time.Now(), Action: audit.ActionCreate, EntityType: "rule"})
	})
	if err == nil {
		t.Fatal("an entry without a summary was accepted")
	}
}
