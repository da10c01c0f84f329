package learning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
)

// QuizAttempt is one attempt at a quiz: the questions drawn, the answers
// given and the grade. Every attempt is kept.
type QuizAttempt struct {
	ID              string
	CycleID         string
	EmployeeID      string
	ModuleID        string
	StepID          string
	ModuleVersionID string
	Number          int
	Questions       string
	Answers         string
	CorrectCount    int
	QuestionCount   int
	ScorePercent    int
	PassMark        int
	Passed          bool
	StartedAt       time.Time
	SubmittedAt     *time.Time
}

// TableName tells GORM the table.
func (QuizAttempt) TableName() string { return "quiz_attempts" }

// Submitted reports whether the attempt has been graded.
func (a *QuizAttempt) Submitted() bool { return a.SubmittedAt != nil }

// Draw decodes the questions drawn for the attempt (with the answer key).
func (a *QuizAttempt) Draw() ([]DrawnQuestion, error) {
	var d []DrawnQuestion
	if err := json.Unmarshal([]byte(a.Questions), &d); err != nil {
		return nil, fmt.Errorf("decode attempt %s questions: %w", a.ID, err)
	}
	return d, nil
}

// Paper is the attempt's questions without the answer key.
func (a *QuizAttempt) Paper() ([]PaperQuestion, error) {
	d, err := a.Draw()
	if err != nil {
		return nil, err
	}
	return Paper(d), nil
}

// Grade regrades a submitted attempt from its stored draw and answers, for
// showing the result.
func (a *QuizAttempt) Grade() (Grade, error) {
	d, err := a.Draw()
	if err != nil {
		return Grade{}, err
	}
	answers := map[string][]string{}
	if a.Answers != "" {
		if err := json.Unmarshal([]byte(a.Answers), &answers); err != nil {
			return Grade{}, fmt.Errorf("decode attempt %s answers: %w", a.ID, err)
		}
	}
	return GradeAttempt(d, answers, a.PassMark), nil
}

// QuizStatus is where the learner stands on a quiz step.
type QuizStatus struct {
	Quiz *catalog.Quiz
	// Attempts are this cycle's attempts, oldest first.
	Attempts []*QuizAttempt
	// Open is an attempt started and not yet submitted.
	Open *QuizAttempt
	// Passed is the first passing attempt, if any.
	Passed *QuizAttempt
	// Used counts submitted attempts.
	Used int
	// Extra is the attempts HR or a manager granted on top of the quiz's.
	Extra int
}

// Remaining is how many attempts are left; -1 means no limit.
func (q QuizStatus) Remaining() int {
	if q.Quiz.Attempts == 0 {
		return -1
	}
	return max(0, q.Quiz.Attempts+q.Extra-q.Used)
}

// Exhausted reports whether the learner failed every allowed attempt.
func (q QuizStatus) Exhausted() bool {
	return q.Passed == nil && q.Open == nil && q.Remaining() == 0
}

func quizStatus(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step) (QuizStatus, error) {
	qs := QuizStatus{Quiz: st.Quiz}
	err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).
		Order("number").Find(&qs.Attempts).Error
	if err != nil {
		return qs, fmt.Errorf("load quiz attempts: %w", err)
	}
	if st.Quiz.Attempts > 0 {
		var extra *int
		err := tx.Model(&AttemptGrant{}).Select("SUM(extra)").
			Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).Scan(&extra).Error
		if err != nil {
			return qs, fmt.Errorf("load granted attempts: %w", err)
		}
		if extra != nil {
			qs.Extra = *extra
		}
	}
	for _, a := range qs.Attempts {
		switch {
		case !a.Submitted():
			qs.Open = a
		case a.Passed:
			qs.Used++
			if qs.Passed == nil {
				qs.Passed = a
			}
		default:
			qs.Used++
		}
	}
	return qs, nil
}

// QuizStatus returns the learner's attempts at a quiz step in this cycle.
func (s *Service) QuizStatus(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) (QuizStatus, error) {
	if st.Type != catalog.StepQuiz || st.Quiz == nil {
		return QuizStatus{}, ErrWrongStepType
	}
	return quizStatus(s.DB.WithContext(ctx), j, m, st)
}

// StartAttempt draws a new attempt, or returns the one already open (so
// reloading never redraws). It refuses when the quiz was passed or no
// attempts are left, and with ErrStepLocked when it is a final quiz whose
// content is not done yet (Journey.Locked).
func (s *Service) StartAttempt(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) (*QuizAttempt, error) {
	if st.Type != catalog.StepQuiz || st.Quiz == nil {
		return nil, ErrWrongStepType
	}
	if err := j.writable(); err != nil {
		return nil, err
	}
	if j.Locked(m, st) != nil {
		return nil, ErrStepLocked
	}
	now := s.Clock.Now()
	var attempt *QuizAttempt
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		qs, err := quizStatus(tx, j, m, st)
		if err != nil {
			return err
		}
		switch {
		case qs.Open != nil:
			attempt = qs.Open
			return nil
		case qs.Passed != nil:
			return ErrAlreadyPassed
		case qs.Remaining() == 0:
			return ErrNoAttemptsLeft
		}
		if _, err := startStep(tx, j, m, st, now); err != nil {
			return err
		}
		var draw []DrawnQuestion
		s.shuffle(func(r *rand.Rand) { draw = DrawQuestions(st.Quiz, r) })
		questions, err := json.Marshal(draw)
		if err != nil {
			return fmt.Errorf("encode draw: %w", err)
		}
		attempt = &QuizAttempt{
			ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
			ModuleVersionID: m.VersionID, Number: len(qs.Attempts) + 1, Questions: string(questions), Answers: "{}",
			QuestionCount: len(draw), PassMark: st.Quiz.PassMark, StartedAt: now,
		}
		if err := tx.Create(attempt).Error; err != nil {
			return fmt.Errorf("create attempt: %w", err)
		}
		return nil
	})
	return attempt, err
}

// Attempt returns one of the learner's attempts at the step in this cycle.
func (s *Service) Attempt(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step, attemptID string) (*QuizAttempt, error) {
	var a QuizAttempt
	err := s.DB.WithContext(ctx).Where("id = ? AND cycle_id = ? AND employee_id = ? AND module_id = ? AND step_id = ?",
		attemptID, j.Cycle.ID, j.Employee.ID, m.ID, st.ID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("attempt %q: %w", attemptID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load attempt: %w", err)
	}
	return &a, nil
}

// SubmitAttempt grades an open attempt on the server from its stored draw,
// stores the answers and the grade, and completes the step when it passed.
// A submitted attempt cannot be submitted again.
func (s *Service) SubmitAttempt(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step, attemptID string, answers map[string][]string) (*QuizAttempt, Grade, Outcome, error) {
	if st.Type != catalog.StepQuiz || st.Quiz == nil {
		return nil, Grade{}, Outcome{}, ErrWrongStepType
	}
	if err := j.writable(); err != nil {
		return nil, Grade{}, Outcome{}, err
	}
	now := s.Clock.Now()
	var (
		attempt *QuizAttempt
		grade   Grade
		out     Outcome
	)
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var a QuizAttempt
		err := tx.Where("id = ? AND cycle_id = ? AND employee_id = ? AND module_id = ? AND step_id = ?",
			attemptID, j.Cycle.ID, j.Employee.ID, m.ID, st.ID).Take(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("attempt %q: %w", attemptID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("load attempt: %w", err)
		}
		if a.Submitted() {
			return ErrAttemptSubmitted
		}
		draw, err := a.Draw()
		if err != nil {
			return err
		}
		grade = GradeAttempt(draw, answers, a.PassMark)
		kept := map[string][]string{}
		for _, r := range grade.Results {
			kept[r.Question.ID] = append([]string{}, r.Chosen...)
		}
		encoded, err := json.Marshal(kept)
		if err != nil {
			return fmt.Errorf("encode answers: %w", err)
		}
		a.Answers, a.CorrectCount, a.ScorePercent, a.Passed, a.SubmittedAt = string(encoded), grade.CorrectCount, grade.ScorePercent, grade.Passed, &now
		res := tx.Model(&a).Where("submitted_at IS NULL").Updates(map[string]any{
			"answers": a.Answers, "correct_count": a.CorrectCount, "score_percent": a.ScorePercent,
			"passed": a.Passed, "submitted_at": now,
		})
		if res.Error != nil {
			return fmt.Errorf("store attempt: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrAttemptSubmitted
		}
		attempt = &a
		if grade.Passed {
			out, err = s.finishStep(tx, j, m, st, now)
			return err
		}
		if st.Quiz.Attempts > 0 {
			qs, err := quizStatus(tx, j, m, st)
			if err != nil {
				return err
			}
			if qs.Exhausted() {
				return s.tellHRStuck(tx, j, m, &a, qs.Used, now)
			}
		}
		return nil
	})
	return attempt, grade, out, err
}
