package orientation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// kindQuestion is the e-mail carrying a learner's question to the contact.
const kindQuestion notify.Kind = "course_question"

// Errors of the questions.
var (
	ErrNoContact     = apperr.New(apperr.NotFound, "This course names no contact for questions: ask your manager or HR.")
	ErrQuestionToken = apperr.New(apperr.NotFound, "This link is not valid: use the link in the question's e-mail.")
)

// MaxQuestion is the longest question accepted, in characters.
const MaxQuestion = 4000

// Question is a learner's question to a course's contact.
type Question struct {
	ID              string
	EmployeeID      string
	CourseID        string
	Question        string
	ContactName     string
	ContactEmail    string
	AskedAt         time.Time
	AnsweredAt      *time.Time
	AnswerTokenHash string `json:"-"`
}

// TableName tells GORM the table.
func (Question) TableName() string { return "course_questions" }

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// Ask sends the learner's question about an assigned course to its contact
// through the outbox (Reply-To is not available, so the e-mail names the
// learner and their address) and keeps it in their record.
func (s *Service) Ask(ctx context.Context, emp *people.Employee, courseID, text string) (*Question, error) {
	c := s.Catalog.Course(courseID)
	if c == nil {
		return nil, ErrNotAssigned
	}
	if c.Contact == nil {
		return nil, ErrNoContact
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, apperr.Field("question", "Write your question.")
	case utf8.RuneCountInString(text) > MaxQuestion:
		return nil, apperr.Field("question", fmt.Sprintf("Keep the question under %d characters.", MaxQuestion))
	}
	now := s.Clock.Now()
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token := hex.EncodeToString(raw)
	q := &Question{ID: db.NewID(), EmployeeID: emp.ID, CourseID: c.ID, Question: text, ContactName: c.Contact.Name,
		ContactEmail: c.Contact.Email, AskedAt: now, AnswerTokenHash: hashToken(token)}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := learning.CurrentCycleIn(tx, emp.ID, c.ID); err != nil {
			if errors.Is(err, learning.ErrNotAssigned) {
				return ErrNotAssigned
			}
			return err
		}
		if err := tx.Create(q).Error; err != nil {
			return fmt.Errorf("keep question: %w", err)
		}
		u := *s.BaseURL
		u.Path = strings.TrimSuffix(u.Path, "/") + "/questions/" + q.ID + "/answered"
		u.RawQuery = "token=" + token
		body := fmt.Sprintf("Hello %s,\n\n%s (%s, %s, %s) asks about the course “%s”:\n\n%s\n\nReply to them at %s. When you have answered, record it (one click): %s\n\nSent by Onramp.\n",
			c.Contact.Name, emp.FullName(), emp.JobTitle, emp.Department, emp.Email, c.Title, text, emp.Email, u.String())
		_, err := notify.Enqueue(tx, notify.Message{
			DedupeKey: "question:" + q.ID, Kind: kindQuestion, ToAddress: c.Contact.Email, ToName: c.Contact.Name,
			Subject: "Question about " + c.Title + " from " + emp.FullName(), Text: body, At: now,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// Questions returns a person's questions about a course ("" for every
// course), newest first.
func (s *Service) Questions(ctx context.Context, employeeID, courseID string) ([]*Question, error) {
	q := s.DB.WithContext(ctx).Where("employee_id = ?", employeeID)
	if courseID != "" {
		q = q.Where("course_id = ?", courseID)
	}
	var out []*Question
	if err := q.Order("asked_at DESC").Limit(200).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	return out, nil
}

// QuestionByToken returns the question the e-mail's link names.
func (s *Service) QuestionByToken(ctx context.Context, id, token string) (*Question, error) {
	var q Question
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&q).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(q.AnswerTokenHash), []byte(hashToken(token))) != 1) {
		return nil, ErrQuestionToken
	}
	if err != nil {
		return nil, fmt.Errorf("load question: %w", err)
	}
	return &q, nil
}

// MarkAnswered records when the contact answered (once).
func (s *Service) MarkAnswered(ctx context.Context, id, token string) error {
	q, err := s.QuestionByToken(ctx, id, token)
	if err != nil {
		return err
	}
	if q.AnsweredAt != nil {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Question{}).Where("id = ? AND answered_at IS NULL", q.ID).Update("answered_at", s.Clock.Now()).Error
	})
}
