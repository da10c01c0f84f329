package audit

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// Trail reads the audit trail and records entries that stand alone (an
// export, say), on one database. Changes record their entries with Record,
// inside their own transaction.
type Trail struct {
	DB *db.DB
}

// Record writes one entry in a transaction of its own: for events that
// change nothing else, such as a report downloaded.
func (t *Trail) Record(ctx context.Context, ev Event) error {
	return t.DB.Tx(ctx, func(tx *gorm.DB) error { return Record(tx, ev) })
}

// Verify walks the whole chain (see the package function).
func (t *Trail) Verify(ctx context.Context) (Result, error) { return Verify(ctx, t.DB) }

// EntityTypes lists the entity types the trail names, sorted.
func (t *Trail) EntityTypes(ctx context.Context) ([]string, error) {
	var out []string
	err := t.DB.WithContext(ctx).Model(&Entry{}).Distinct("entity_type").Order("entity_type").
		Pluck("entity_type", &out).Error
	return out, err
}

// Query narrows the trail. Empty fields do not narrow it.
type Query struct {
	// From and To bound At: From ≤ At < To.
	From, To *time.Time
	// Actor matches the actor's ID exactly or any part of their name.
	Actor      string
	Action     string
	EntityType string
	// Text matches the entity's ID exactly or any part of the summary.
	Text string
}

// LikePattern makes s a LIKE pattern matching it anywhere (lower-cased),
// with LIKE's own wildcards in s taken literally (escaped with a backslash).
func LikePattern(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s))
	return "%" + s + "%"
}

func (aq Query) apply(q *gorm.DB) *gorm.DB {
	if aq.From != nil {
		q = q.Where("at >= ?", *aq.From)
	}
	if aq.To != nil {
		q = q.Where("at < ?", *aq.To)
	}
	if aq.Actor != "" {
		q = q.Where(`(actor_id = ? OR LOWER(actor_name) LIKE ? ESCAPE '\')`, aq.Actor, LikePattern(aq.Actor))
	}
	if aq.Action != "" {
		q = q.Where("action = ?", aq.Action)
	}
	if aq.EntityType != "" {
		q = q.Where("entity_type = ?", aq.EntityType)
	}
	if aq.Text != "" {
		q = q.Where(`(entity_id = ? OR LOWER(summary) LIKE ? ESCAPE '\')`, aq.Text, LikePattern(aq.Text))
	}
	return q
}

// Search returns one page of the entries matching q, newest first, paged
// by sequence number so a page stays put while new entries are written.
// With after > 0 the page is the (up to limit) oldest entries newer than
// after; otherwise the newest entries older than before (0: the newest of
// all). more says whether entries follow in the direction of paging
// (newer for after, older otherwise).
func (t *Trail) Search(ctx context.Context, q Query, before, after int64, limit int) (entries []Entry, more bool, err error) {
	sel := q.apply(t.DB.WithContext(ctx).Model(&Entry{}))
	if after > 0 {
		err = sel.Where("seq > ?", after).Order("seq").Limit(limit + 1).Find(&entries).Error
	} else {
		if before > 0 {
			sel = sel.Where("seq < ?", before)
		}
		err = sel.Order("seq DESC").Limit(limit + 1).Find(&entries).Error
	}
	if err != nil {
		return nil, false, err
	}
	if more = len(entries) > limit; more {
		entries = entries[:limit]
	}
	if after > 0 {
		for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
			entries[i], entries[j] = entries[j], entries[i]
		}
	}
	return entries, more, nil
}
