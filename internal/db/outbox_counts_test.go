package db

import (
	"context"
	"testing"
	"time"
)

// TestOutboxCountsMigration: migration 00043 counts the messages already in
// the outbox when it runs, its triggers keep the counts from then on, and
// it goes down and up again cleanly, on both databases.
func TestOutboxCountsMigration(t *testing.T) {
	ctx := context.Background()
	d := newTestDB(t)
	p, err := d.provider(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 42); err != nil {
		t.Fatalf("down to 42: %v", err)
	}
	var tables int64
	if err := d.Raw(`SELECT COUNT(*) FROM outbox_counts`).Scan(&tables).Error; err == nil {
		t.Fatal("outbox_counts is still there after going down")
	}
	now := time.Now().UTC()
	insert := func(id, state string) {
		t.Helper()
		err := d.Exec(`INSERT INTO outbox (id, dedupe_key, kind, to_address, to_name, subject, text_body, html_body, attachments, state, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, 'assigned', 'a@hospital.example', 'A', 'S', 'T', '', '[]', ?, ?, ?, ?)`, id, "key-"+id, state, now, now, now).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	insert("m1", "sent")
	insert("m2", "sent")
	insert("m3", "dead")
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	insert("m4", "pending")
	if err := d.Exec(`UPDATE outbox SET state = 'pending' WHERE id = 'm3'`).Error; err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		State string
		N     int64
	}
	if err := d.Raw(`SELECT state, SUM(messages) AS n FROM (SELECT state, messages FROM outbox_counts
		UNION ALL SELECT state, messages FROM outbox_count_changes) k GROUP BY state ORDER BY state`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.State] = r.N
	}
	want := map[string]int64{"pending": 2, "sending": 0, "sent": 2, "failed": 0, "dead": 0}
	if len(got) != len(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("counts %v, want %v", got, want)
			break
		}
	}
}
