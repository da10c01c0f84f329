package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/audit"
)

func seqs(es []audit.Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTrailSearchPagesBySequence walks the trail both ways a page at a
// time, and filters it, with entries written in between.
func TestTrailSearchPagesBySequence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	record(t, d, 7) // seq 1…7, employee e1…e7, a minute apart from 09:01
	tr := &audit.Trail{DB: d}

	page, more, err := tr.Search(ctx, audit.Query{}, 0, 0, 3)
	if err != nil || !more || !equal(seqs(page), []int64{7, 6, 5}) {
		t.Fatalf("newest page %v more=%v err=%v", seqs(page), more, err)
	}
	record(t, d, 1) // seq 8 arrives: the older pages stay put
	page, more, err = tr.Search(ctx, audit.Query{}, 5, 0, 3)
	if err != nil || !more || !equal(seqs(page), []int64{4, 3, 2}) {
		t.Fatalf("older than 5: %v more=%v err=%v", seqs(page), more, err)
	}
	page, more, err = tr.Search(ctx, audit.Query{}, 2, 0, 3)
	if err != nil || more || !equal(seqs(page), []int64{1}) {
		t.Fatalf("older than 2: %v more=%v err=%v", seqs(page), more, err)
	}
	// Newer than 4: the three just above it, newest first, and more above.
	page, more, err = tr.Search(ctx, audit.Query{}, 0, 4, 3)
	if err != nil || !more || !equal(seqs(page), []int64{7, 6, 5}) {
		t.Fatalf("newer than 4: %v more=%v err=%v", seqs(page), more, err)
	}
	page, more, err = tr.Search(ctx, audit.Query{}, 0, 6, 3)
	if err != nil || more || !equal(seqs(page), []int64{8, 7}) {
		t.Fatalf("newer than 6: %v more=%v err=%v", seqs(page), more, err)
	}

	// Entry i was written at 09:0i:00.123; 8 (the second batch) at 09:01.
	from := time.Date(2026, 3, 1, 9, 3, 0, 0, time.UTC)
	to := time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)
	page, _, err = tr.Search(ctx, audit.Query{From: &from, To: &to}, 0, 0, 10)
	if err != nil || !equal(seqs(page), []int64{4, 3}) {
		t.Errorf("09:03 ≤ at < 09:05: %v err=%v", seqs(page), err)
	}
	page, _, err = tr.Search(ctx, audit.Query{Text: "e4"}, 0, 0, 10)
	if err != nil || !equal(seqs(page), []int64{4}) {
		t.Errorf("entity e4: %v err=%v", seqs(page), err)
	}
	page, _, err = tr.Search(ctx, audit.Query{Actor: "reyes", Action: audit.ActionUpdate, EntityType: "employee"}, 0, 0, 2)
	if err != nil || len(page) != 2 {
		t.Errorf("by actor's name: %v err=%v", seqs(page), err)
	}
	// LIKE's wildcards in the text are taken literally.
	page, _, err = tr.Search(ctx, audit.Query{Text: "%"}, 0, 0, 10)
	if err != nil || len(page) != 0 {
		t.Errorf("a literal %%: %v err=%v", seqs(page), err)
	}
	if types, err := tr.EntityTypes(ctx); err != nil || len(types) != 1 || types[0] != "employee" {
		t.Errorf("entity types %v err=%v", types, err)
	}
}

// TestTrailRecordStandsAlone: an entry recorded on its own joins the chain.
func TestTrailRecordStandsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	record(t, d, 2)
	tr := &audit.Trail{DB: d}
	err := tr.Record(ctx, audit.Event{At: time.Now(), ActorName: "Hannah Reyes", Action: audit.ActionExport, EntityType: "report", EntityID: "status", Summary: "Downloaded the status report (CSV)."})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := tr.Verify(ctx); err != nil || !res.OK() || res.Entries != 3 {
		t.Fatalf("verify: %+v err=%v", res, err)
	}
	if err := tr.Record(ctx, audit.Event{Action: audit.ActionExport}); err == nil {
		t.Error("an entry without an entity type or summary was recorded")
	}
}
