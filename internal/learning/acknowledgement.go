package learning

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
)

// DefaultStatement is the meaning of a signature when the step states none.
const DefaultStatement = "I have read and understood this policy, and I will follow it."

// Attestation is a policy e-signature: who signed which version, with what
// printed name and meaning, when and from where.
type Attestation struct {
	ID              string
	CycleID         string
	EmployeeID      string
	ModuleID        string
	StepID          string
	ModuleVersionID string
	PolicyVersion   string
	PrintedName     string
	Meaning         string
	SignedAt        time.Time
	IP              string
	UserAgent       string
}

// TableName tells GORM the table.
func (Attestation) TableName() string { return "attestations" }

// Signature is what the learner submitted on an acknowledgement step.
type Signature struct {
	// Agreed is the "I have read and understood" checkbox.
	Agreed    bool
	TypedName string
	IP        string
	UserAgent string
}

// CollapseSpaces trims a name and collapses runs of whitespace to one space.
func CollapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// NamesMatch reports whether a typed name is the account's name, ignoring
// case and extra whitespace.
func NamesMatch(typed, account string) bool {
	t, a := CollapseSpaces(typed), CollapseSpaces(account)
	return t != "" && strings.EqualFold(t, a)
}

// Statement is the meaning recorded with a signature on the step.
func Statement(st *catalog.Step) string {
	if st.Ack != nil && strings.TrimSpace(st.Ack.Statement) != "" {
		return strings.TrimSpace(st.Ack.Statement)
	}
	return DefaultStatement
}

// Acknowledge records the learner's signature on an acknowledgement step
// and completes the step. The typed name must match the account's name. It
// refuses with ErrStepLocked while other required steps are not done
// (Journey.Locked).
func (s *Service) Acknowledge(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step, sig Signature) (*Attestation, Outcome, error) {
	if st.Type != catalog.StepAcknowledgement {
		return nil, Outcome{}, ErrWrongStepType
	}
	if err := j.writable(); err != nil {
		return nil, Outcome{}, err
	}
	if j.Locked(m, st) != nil {
		return nil, Outcome{}, ErrStepLocked
	}
	if !sig.Agreed {
		return nil, Outcome{}, ErrNotAgreed
	}
	if !NamesMatch(sig.TypedName, j.Employee.FullName()) {
		return nil, Outcome{}, &NameMismatchError{Expected: j.Employee.FullName()}
	}
	now := s.Clock.Now()
	var (
		att Attestation
		out Outcome
	)
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if existing, err := attestationFor(tx, j, m, st); err != nil || existing != nil {
			if existing != nil {
				att = *existing
				out.StepDone = true
			}
			return err
		}
		policy := m.PolicyVersion
		if st.Ack != nil && st.Ack.PolicyVersion != "" {
			policy = st.Ack.PolicyVersion
		}
		att = Attestation{
			ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
			ModuleVersionID: m.VersionID, PolicyVersion: policy, PrintedName: CollapseSpaces(sig.TypedName),
			Meaning: Statement(st), SignedAt: now, IP: sig.IP, UserAgent: truncate(sig.UserAgent, 500),
		}
		if err := tx.Create(&att).Error; err != nil {
			return fmt.Errorf("record attestation: %w", err)
		}
		if err := audit.Record(tx, audit.Event{
			At: now, ActorID: j.Employee.ID, ActorName: j.Employee.FullName(), Action: audit.ActionAttest,
			EntityType: "attestation", EntityID: att.ID,
			Summary: fmt.Sprintf("%s signed “%s” in %s (policy version %s).", att.PrintedName, st.Title, j.Course.Title, att.PolicyVersion),
			Details: map[string]any{
				"cycle_id": att.CycleID, "course_id": j.Course.ID, "module_id": att.ModuleID, "step_id": att.StepID,
				"module_version_id": att.ModuleVersionID, "policy_version": att.PolicyVersion,
				"printed_name": att.PrintedName, "meaning": att.Meaning, "ip": att.IP,
			},
		}); err != nil {
			return err
		}
		var err error
		out, err = s.finishStep(tx, j, m, st, now)
		return err
	})
	if err != nil {
		return nil, Outcome{}, err
	}
	return &att, out, nil
}

// Attestation returns the learner's signature on the step in this cycle, or nil.
func (s *Service) Attestation(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) (*Attestation, error) {
	return attestationFor(s.DB.WithContext(ctx), j, m, st)
}

func attestationFor(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step) (*Attestation, error) {
	var a Attestation
	err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).
		Order("signed_at DESC").Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load attestation: %w", err)
	}
	return &a, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
