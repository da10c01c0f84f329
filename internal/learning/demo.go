package learning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// SeededUserAgent marks records written by CompleteStep, so seeded evidence
// can never be mistaken for a real person's.
const SeededUserAgent = "onramp seeder (not a real attestation)"

// CompleteStep records a step as done by emp now, with the evidence a real
// learner would leave: a page read; a video watched from start to end; a
// quiz attempt answered entirely right; a signature in the employee's own
// name. It completes the course (with its certificate) when this was the
// last required step. It is for the demo seeder and tests, which set the
// clock to the day they want the step done; it refuses nothing a learner
// could do, but it must never be reachable from a request.
func (s *Service) CompleteStep(ctx context.Context, emp *people.Employee, courseID, moduleID, stepID string) (Outcome, error) {
	j, err := s.Journey(ctx, emp, courseID)
	if err != nil {
		return Outcome{}, err
	}
	m, st, err := j.Find(moduleID, stepID)
	if err != nil {
		return Outcome{}, err
	}
	if err := j.writable(); err != nil {
		return Outcome{}, err
	}
	now := s.Clock.Now()
	var out Outcome
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if j.Done(m.ID, st.ID) {
			out.StepDone = true
			return nil
		}
		if err := seedEvidence(tx, j, m, st, now); err != nil {
			return err
		}
		out, err = s.finishStep(tx, j, m, st, now)
		return err
	})
	return out, err
}

// CompleteCourse completes every required step on emp's path through the
// course that is not yet done, in order. Use CompleteStep for a learner
// half-way through.
func (s *Service) CompleteCourse(ctx context.Context, emp *people.Employee, courseID string) (*Certificate, error) {
	j, err := s.Journey(ctx, emp, courseID)
	if err != nil {
		return nil, err
	}
	var cert *Certificate
	for _, m := range j.Path {
		for _, st := range m.Steps {
			if !st.Required || j.Done(m.ID, st.ID) {
				continue
			}
			out, err := s.CompleteStep(ctx, emp, courseID, m.ID, st.ID)
			if err != nil {
				return nil, fmt.Errorf("complete %s/%s: %w", m.ID, st.ID, err)
			}
			if out.Certificate != nil {
				cert = out.Certificate
			}
		}
	}
	if cert == nil {
		return s.CertificateForCycle(ctx, j.Cycle.ID)
	}
	return cert, nil
}

func seedEvidence(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time) error {
	if _, err := startStep(tx, j, m, st, now); err != nil {
		return err
	}
	switch st.Type {
	case catalog.StepVideo:
		if st.Video == nil {
			return nil
		}
		dur := st.Video.DurationSeconds
		vp, err := videoRow(tx, j, m, st, now.Add(-time.Duration(dur*float64(time.Second))), true)
		if err != nil {
			return err
		}
		updates := map[string]any{
			"watched_seconds": dur, "furthest_seconds": dur, "position_seconds": dur,
			"segments": encodeSegments([]Segment{{0, dur}}), "last_beacon_at": now, "updated_at": now,
		}
		if err := tx.Model(vp).Updates(updates).Error; err != nil {
			return fmt.Errorf("seed video progress: %w", err)
		}
		return tx.Create(&VideoBeacon{ID: db.NewID(), VideoProgressID: vp.ID, FromSeconds: 0, ToSeconds: dur, CreditedSeconds: dur, ReceivedAt: now}).Error
	case catalog.StepQuiz:
		if st.Quiz == nil {
			return nil
		}
		draw := DrawQuestions(&catalog.Quiz{Draw: st.Quiz.Draw, Questions: st.Quiz.Questions}, seededRand())
		answers := map[string][]string{}
		for _, q := range draw {
			for _, o := range q.Options {
				if o.Correct {
					answers[q.ID] = append(answers[q.ID], o.ID)
				}
			}
		}
		g := GradeAttempt(draw, answers, st.Quiz.PassMark)
		qj, _ := json.Marshal(draw)
		aj, _ := json.Marshal(answers)
		var n int64
		if err := tx.Model(&QuizAttempt{}).Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).Count(&n).Error; err != nil {
			return err
		}
		return tx.Create(&QuizAttempt{
			ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
			ModuleVersionID: m.VersionID, Number: int(n) + 1, Questions: string(qj), Answers: string(aj),
			CorrectCount: g.CorrectCount, QuestionCount: g.QuestionCount, ScorePercent: g.ScorePercent,
			PassMark: g.PassMark, Passed: g.Passed, StartedAt: now.Add(-3 * time.Minute), SubmittedAt: &now,
		}).Error
	case catalog.StepAcknowledgement:
		policy := m.PolicyVersion
		if st.Ack != nil && st.Ack.PolicyVersion != "" {
			policy = st.Ack.PolicyVersion
		}
		return tx.Create(&Attestation{
			ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
			ModuleVersionID: m.VersionID, PolicyVersion: policy, PrintedName: j.Employee.FullName(),
			Meaning: Statement(st), SignedAt: now, UserAgent: SeededUserAgent,
		}).Error
	}
	return nil
}
