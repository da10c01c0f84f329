// Package audit keeps Onramp's audit trail: every administrative change and
// every completion and attestation, append-only and hash-chained. Record
// writes an entry inside the caller's transaction, so the entry exists
// exactly when the change does; Verify walks the chain and names the first
// entry that does not match.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/db"
)

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Actions name what happened; an entity type says to what.
const (
	ActionCreate     = "create"
	ActionUpdate     = "update"
	ActionDeactivate = "deactivate"
	ActionImport     = "import"
	ActionComplete   = "complete"
	ActionAttest     = "attest"
	ActionExtend     = "extend"
	ActionExempt     = "exempt"
	ActionExport     = "export"
	ActionPublish    = "publish"
	ActionRevoke     = "revoke"
	ActionInvite     = "invite"
	// ActionResetRequest: a "forgot your password" link was e-mailed;
	// ActionPasswordReset: a person chose a new password with it.
	ActionResetRequest  = "reset_request"
	ActionPasswordReset = "password_reset"
)

// Event is what a caller records.
type Event struct {
	// At is when it happened (from the caller's Clock).
	At time.Time
	// ActorID is the employee who did it; empty for the system (scheduler,
	// CLI). ActorName is kept as it was at the time.
	ActorID   string
	ActorName string
	Action    string
	// EntityType and EntityID say what it was done to ("employee", "rule",
	// "cycle", "certificate", "content_version", "export", "token"…).
	EntityType string
	EntityID   string
	// Summary is one sentence a person reads in the audit page.
	Summary string
	// Details is any JSON-encodable value with the specifics (old and new
	// values, file names, counts).
	Details any
}

// Entry is one row of the trail.
type Entry struct {
	Seq        int64
	ID         string
	At         time.Time
	ActorID    string
	ActorName  string
	Action     string
	EntityType string
	EntityID   string
	Summary    string
	Details    string
	PrevHash   string
	Hash       string
}

// TableName tells GORM the table.
func (Entry) TableName() string { return "audit_log" }

type head struct {
	ID   int
	Seq  int64
	Hash string
}

func (head) TableName() string { return "audit_head" }

// Record appends an entry inside tx. The chain's head is locked until tx
// ends, so concurrent writers are numbered one after the other.
func Record(tx *gorm.DB, ev Event) error {
	if ev.Action == "" || ev.EntityType == "" || strings.TrimSpace(ev.Summary) == "" {
		return errors.New("audit: an entry needs an action, an entity type and a summary")
	}
	if ev.At.IsZero() {
		return errors.New("audit: an entry needs a time (from the Clock)")
	}
	details := "{}"
	if ev.Details != nil {
		b, err := json.Marshal(ev.Details)
		if err != nil {
			return fmt.Errorf("audit: details: %w", err)
		}
		details = string(b)
	}
	var h head
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = 1").Take(&h).Error; err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	e := Entry{
		Seq: h.Seq + 1, ID: db.NewID(), At: ev.At.UTC().Truncate(time.Microsecond),
		ActorID: ev.ActorID, ActorName: ev.ActorName, Action: ev.Action,
		EntityType: ev.EntityType, EntityID: ev.EntityID, Summary: ev.Summary, Details: details,
		PrevHash: h.Hash,
	}
	e.Hash = e.computeHash()
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	res := tx.Model(&head{}).Where("id = 1 AND seq = ?", h.Seq).Updates(map[string]any{"seq": e.Seq, "hash": e.Hash})
	if res.Error != nil {
		return fmt.Errorf("audit: move chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errors.New("audit: the chain head moved during this transaction; try again")
	}
	return nil
}

// computeHash is SHA-256 over the previous hash and every field, each
// length-prefixed so no two different entries hash the same text.
func (e *Entry) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, e.At.UTC().Format(time.RFC3339Nano),
		e.ActorID, e.ActorName, e.Action, e.EntityType, e.EntityID, e.Summary, e.Details,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Result is what Verify found.
type Result struct {
	// Entries is how many entries were checked.
	Entries int64
	// Broken is the first entry that does not match, or nil.
	Broken *Entry
	// Problem says what is wrong with Broken.
	Problem string
}

// OK reports whether the whole chain holds.
func (r Result) OK() bool { return r.Broken == nil && r.Problem == "" }

// Verify walks the whole chain in order and reports the first entry whose
// hash, link or sequence number does not match, or a head that does not
// point at the last entry.
func Verify(ctx context.Context, d *db.DB) (Result, error) {
	var res Result
	prev, seq := Genesis, int64(0)
	var batch []Entry
	err := d.WithContext(ctx).Order("seq").FindInBatches(&batch, 1000, func(tx *gorm.DB, _ int) error {
		for i := range batch {
			e := batch[i]
			res.Entries++
			switch {
			case e.Seq != seq+1:
				res.Broken, res.Problem = &e, fmt.Sprintf("entry %d follows entry %d: entries are missing", e.Seq, seq)
			case e.PrevHash != prev:
				res.Broken, res.Problem = &e, fmt.Sprintf("entry %d does not link to entry %d: an entry before it was changed or removed", e.Seq, seq)
			case e.computeHash() != e.Hash:
				res.Broken, res.Problem = &e, fmt.Sprintf("entry %d was changed after it was written: its contents do not match its hash", e.Seq)
			}
			if res.Broken != nil {
				return errStop
			}
			prev, seq = e.Hash, e.Seq
		}
		return nil
	}).Error
	if err != nil && !errors.Is(err, errStop) {
		return res, fmt.Errorf("audit: read the trail: %w", err)
	}
	if res.Broken != nil {
		return res, nil
	}
	var h head
	if err := d.WithContext(ctx).Where("id = 1").Take(&h).Error; err != nil {
		return res, fmt.Errorf("audit: read chain head: %w", err)
	}
	if h.Seq != seq || h.Hash != prev {
		res.Problem = fmt.Sprintf("the chain ends at entry %d but its head says %d: entries at the end were removed or the head was changed", seq, h.Seq)
	}
	return res, nil
}

var errStop = errors.New("stop")
