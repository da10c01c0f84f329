package learning

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/report"
)

// Certificate is issued once per completed cycle and holds the evidence
// snapshot taken at completion: who the person was then (name, job title,
// department), what they completed (course title and version), when, and
// the score of the final quiz.
type Certificate struct {
	ID              string
	Code            string
	CycleID         string
	EmployeeID      string
	CourseID        string
	CourseVersionID string
	EmployeeName    string
	JobTitle        string
	Department      string
	CourseTitle     string
	StartedAt       *time.Time
	CompletedAt     time.Time
	ExpiresAt       *time.Time
	ScorePercent    *int
	PassMark        *int
	IssuedAt        time.Time
}

// TableName tells GORM the table.
func (Certificate) TableName() string { return "certificates" }

// Expired reports whether the certificate's completion has expired at now.
func (c *Certificate) Expired(now time.Time) bool {
	return c.ExpiresAt != nil && !now.Before(*c.ExpiresAt)
}

// codeAlphabet leaves out 0/O and 1/I/L so a code read aloud or typed from
// paper cannot be mistaken.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLength is the number of characters in a verification code (about 49
// bits: not guessable by trying).
const CodeLength = 10

// NewCode returns a random verification code.
func NewCode() string {
	b := make([]byte, CodeLength)
	out := make([]byte, CodeLength)
	for i := 0; i < CodeLength; {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, x := range b {
			// Rejection sampling keeps every character equally likely.
			if int(x) >= 256/len(codeAlphabet)*len(codeAlphabet) {
				continue
			}
			out[i] = codeAlphabet[int(x)%len(codeAlphabet)]
			i++
			if i == CodeLength {
				break
			}
		}
	}
	return string(out)
}

// FormatCode groups a code for reading: ABCD-EFGH-JK.
func FormatCode(code string) string {
	var parts []string
	for len(code) > 4 {
		parts = append(parts, code[:4])
		code = code[4:]
	}
	parts = append(parts, code)
	return strings.Join(parts, "-")
}

// NormalizeCode turns what someone typed (any case, with dashes or spaces)
// into the stored form, or "" when it holds a character no code has.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		case r == '-' || r == ' ':
		default:
			return ""
		}
	}
	return b.String()
}

// completeIfDone completes the cycle and issues its certificate when every
// required step on the path is done. It returns the certificate issued now,
// or nil when the course is not finished or was completed before.
func (s *Service) completeIfDone(tx *gorm.DB, j *Journey, now time.Time) (*Certificate, error) {
	// Re-read inside the transaction: another request may have finished a
	// step (or the course) since the journey was loaded.
	prog, err := loadProgress(tx, j.Cycle.ID)
	if err != nil {
		return nil, err
	}
	j.progress = prog
	var cycle compliance.Cycle
	if err := tx.Where("id = ?", j.Cycle.ID).Take(&cycle).Error; err != nil {
		return nil, fmt.Errorf("reload cycle: %w", err)
	}
	*j.Cycle = cycle
	if !j.AllDone() || j.Cycle.Done() {
		return nil, nil
	}
	rec, err := compliance.RecurrenceForAssignment(tx, j.Cycle.AssignmentID, compliance.RecurrenceOf(j.Course.DefaultRule))
	if err != nil {
		return nil, err
	}
	if err := compliance.Complete(tx, j.Cycle, now, rec, j.Course.VersionID); err != nil {
		return nil, err
	}
	cert, err := s.issueCertificate(tx, j, now)
	if err != nil {
		return nil, err
	}
	// Reports show the completion at once, not after the next scheduler pass.
	if err := report.RefreshEmployees(tx, now, []string{j.Cycle.EmployeeID}); err != nil {
		return nil, err
	}
	if err := audit.Record(tx, audit.Event{
		At: now, ActorID: j.Employee.ID, ActorName: j.Employee.FullName(), Action: audit.ActionComplete,
		EntityType: "cycle", EntityID: j.Cycle.ID,
		Summary: fmt.Sprintf("%s completed %s (cycle %d); certificate %s.", j.Employee.FullName(), j.Course.Title, j.Cycle.Number, FormatCode(cert.Code)),
		Details: map[string]any{
			"course_id": j.Course.ID, "course_version_id": j.Course.VersionID, "certificate_id": cert.ID,
			"expires_at": j.Cycle.ExpiresAt, "score_percent": cert.ScorePercent, "pass_mark": cert.PassMark,
		},
	}); err != nil {
		return nil, err
	}
	// The confirmation e-mail is written in the same transaction as the
	// completion it confirms.
	if s.Notifier != nil {
		if err := s.Notifier.Notify(tx, compliance.Event{Kind: compliance.EventCompleted, Cycle: j.Cycle}, now); err != nil {
			return nil, err
		}
	}
	return cert, nil
}

func (s *Service) issueCertificate(tx *gorm.DB, j *Journey, now time.Time) (*Certificate, error) {
	var existing Certificate
	err := tx.Where("cycle_id = ?", j.Cycle.ID).Take(&existing).Error
	if err == nil {
		return &existing, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	emp := j.Employee
	cert := &Certificate{
		ID: db.NewID(), Code: NewCode(), CycleID: j.Cycle.ID, EmployeeID: emp.ID, CourseID: j.Course.ID,
		CourseVersionID: j.Course.VersionID, EmployeeName: emp.FullName(), JobTitle: emp.JobTitle,
		Department: emp.Department, CourseTitle: j.Course.Title, StartedAt: j.Cycle.StartedAt,
		CompletedAt: now, ExpiresAt: j.Cycle.ExpiresAt, IssuedAt: now,
	}
	if m, st := finalQuiz(j.Path); st != nil {
		var best QuizAttempt
		err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ? AND passed", j.Cycle.ID, m.ID, st.ID).
			Order("score_percent DESC, number").Take(&best).Error
		switch {
		case err == nil:
			cert.ScorePercent, cert.PassMark = &best.ScorePercent, &best.PassMark
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return nil, fmt.Errorf("load final quiz score: %w", err)
		}
	}
	if err := tx.Create(cert).Error; err != nil {
		return nil, fmt.Errorf("issue certificate: %w", err)
	}
	return cert, nil
}

// finalQuiz is the last required quiz step on the path: the one whose score
// the certificate shows.
func finalQuiz(path []*catalog.Module) (*catalog.Module, *catalog.Step) {
	for i := len(path) - 1; i >= 0; i-- {
		steps := path[i].Steps
		for k := len(steps) - 1; k >= 0; k-- {
			if steps[k].Type == catalog.StepQuiz && steps[k].Required {
				return path[i], steps[k]
			}
		}
	}
	return nil, nil
}

// CertificateByCode finds a certificate by its verification code as typed.
func (s *Service) CertificateByCode(ctx context.Context, code string) (*Certificate, error) {
	code = NormalizeCode(code)
	if len(code) != CodeLength {
		return nil, errNoCertificate
	}
	var c Certificate
	err := s.DB.WithContext(ctx).Where("code = ?", code).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoCertificate
	}
	if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	return &c, nil
}

// CertificateForCycle returns the certificate of a completed cycle, or nil.
func (s *Service) CertificateForCycle(ctx context.Context, cycleID string) (*Certificate, error) {
	var c Certificate
	err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	return &c, nil
}

// Certificates returns every certificate of an employee, newest first.
func (s *Service) Certificates(ctx context.Context, employeeID string) ([]*Certificate, error) {
	var cs []*Certificate
	err := s.DB.WithContext(ctx).Where("employee_id = ?", employeeID).Order("completed_at DESC").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("load certificates: %w", err)
	}
	return cs, nil
}
