package learning

import (
	"context"
	"errors"
	"fmt"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// Journey is one learner's current cycle of one course with their progress
// through it: what the dashboard, the course page and the player show.
type Journey struct {
	Employee *people.Employee
	Cycle    *compliance.Cycle
	Course   *catalog.Course
	// Path is the modules this cycle requires (full or refresher).
	Path []*catalog.Module

	progress map[stepKey]*StepProgress
	// stuck are the quizzes with no attempts left (see Stuck).
	stuck []StuckQuiz
}

// Journey loads the learner's current cycle of a course and their progress.
// It returns ErrNotAssigned when the course is unknown or not assigned.
func (s *Service) Journey(ctx context.Context, emp *people.Employee, courseID string) (*Journey, error) {
	course := s.Catalog.Course(courseID)
	if course == nil {
		return nil, ErrNotAssigned
	}
	cycle, err := s.Cycles.CurrentFor(ctx, emp.ID, courseID)
	if errors.Is(err, compliance.ErrNoCycle) {
		return nil, ErrNotAssigned
	}
	if err != nil {
		return nil, err
	}
	if cycle.Status == compliance.StatusClosed {
		return nil, ErrNotAssigned
	}
	return s.journeyFor(ctx, emp, cycle, course)
}

// JourneyForCycle loads a given cycle (e.g. one on the dashboard). The
// course may be nil when it has left the catalog.
func (s *Service) JourneyForCycle(ctx context.Context, emp *people.Employee, cycle *compliance.Cycle) (*Journey, error) {
	return s.journeyFor(ctx, emp, cycle, s.Catalog.Course(cycle.CourseID))
}

func (s *Service) journeyFor(ctx context.Context, emp *people.Employee, cycle *compliance.Cycle, course *catalog.Course) (*Journey, error) {
	prog, err := loadProgress(s.DB.WithContext(ctx), cycle.ID)
	if err != nil {
		return nil, err
	}
	j := &Journey{Employee: emp, Cycle: cycle, Course: course, progress: prog}
	if course != nil {
		j.Path = course.Path(cycle.Path == compliance.PathRefresher)
		if !cycle.Done() && cycle.Status != compliance.StatusExpired && hasLimitedQuiz(j.Path) {
			t, err := tallies(s.DB.WithContext(ctx), []string{cycle.ID})
			if err != nil {
				return nil, err
			}
			j.stuck = stuckIn(cycle, course, t)
		}
	}
	return j, nil
}

// writable refuses records on a cycle that is closed or exempt, or already
// past (expired): those take no new evidence.
func (j *Journey) writable() error {
	switch j.Cycle.Status {
	case compliance.StatusClosed, compliance.StatusExempt, compliance.StatusExpired:
		return ErrCycleClosed
	}
	return nil
}

// Progress returns the learner's progress on a step, or nil if never opened.
func (j *Journey) Progress(moduleID, stepID string) *StepProgress {
	return j.progress[stepKey{moduleID, stepID}]
}

// Done reports whether a step is completed in this cycle.
func (j *Journey) Done(moduleID, stepID string) bool {
	return j.Progress(moduleID, stepID).Done()
}

// Started reports whether the learner has opened any step of the cycle.
func (j *Journey) Started() bool { return len(j.progress) > 0 || j.Cycle.StartedAt != nil }

// Counts returns how many required steps on the path are done, of how many.
func (j *Journey) Counts() (done, total int) {
	for _, m := range j.Path {
		for _, st := range m.Steps {
			if !st.Required {
				continue
			}
			total++
			if j.Done(m.ID, st.ID) {
				done++
			}
		}
	}
	return done, total
}

// ModuleCounts is Counts for one module.
func (j *Journey) ModuleCounts(m *catalog.Module) (done, total int) {
	for _, st := range m.Steps {
		if st.Required {
			total++
			if j.Done(m.ID, st.ID) {
				done++
			}
		}
	}
	return done, total
}

// AllDone reports whether every required step on the path is done.
func (j *Journey) AllDone() bool {
	done, total := j.Counts()
	return done == total
}

// OnPath reports whether a module is one the cycle requires.
func (j *Journey) OnPath(moduleID string) bool {
	for _, m := range j.Path {
		if m.ID == moduleID {
			return true
		}
	}
	return false
}

// Resume returns where the learner left off: the first required step on the
// path not yet done, or the first step when everything is done.
func (j *Journey) Resume() (*catalog.Module, *catalog.Step) {
	for _, m := range j.Path {
		for _, st := range m.Steps {
			if st.Required && !j.Done(m.ID, st.ID) {
				return m, st
			}
		}
	}
	for _, m := range j.Path {
		if len(m.Steps) > 0 {
			return m, m.Steps[0]
		}
	}
	return nil, nil
}

// ResumeIn returns the first step of module m not yet done (optional steps
// included, so nobody misses one by resuming), or its first step.
func (j *Journey) ResumeIn(m *catalog.Module) *catalog.Step {
	for _, st := range m.Steps {
		if !j.Done(m.ID, st.ID) {
			return st
		}
	}
	if len(m.Steps) > 0 {
		return m.Steps[0]
	}
	return nil
}

// Next returns the step after (m, st): the next in the module, else the first
// step of the next module on the path. Both nil at the end.
func (j *Journey) Next(m *catalog.Module, st *catalog.Step) (*catalog.Module, *catalog.Step) {
	for i, x := range m.Steps {
		if x.ID == st.ID && i+1 < len(m.Steps) {
			return m, m.Steps[i+1]
		}
	}
	for i, x := range j.Path {
		if x.ID != m.ID {
			continue
		}
		for _, nm := range j.Path[i+1:] {
			if len(nm.Steps) > 0 {
				return nm, nm.Steps[0]
			}
		}
	}
	return nil, nil
}

// Previous returns the step before (m, st) within the module, or nil.
func (j *Journey) Previous(m *catalog.Module, st *catalog.Step) *catalog.Step {
	for i, x := range m.Steps {
		if x.ID == st.ID && i > 0 {
			return m.Steps[i-1]
		}
	}
	return nil
}

// Find returns the module and step with the given IDs, or ErrNotFound. Any
// module of the course may be opened (a refresher learner may look back at
// the full course); only the path counts towards completion.
func (j *Journey) Find(moduleID, stepID string) (*catalog.Module, *catalog.Step, error) {
	var m *catalog.Module
	for _, list := range [][]*catalog.Module{j.Path, j.Course.Modules, j.Course.RefresherModules} {
		for _, x := range list {
			if m == nil && x.ID == moduleID {
				m = x
			}
		}
	}
	if m == nil {
		return nil, nil, fmt.Errorf("module %q: %w", moduleID, ErrNotFound)
	}
	if stepID == "" {
		return m, nil, nil
	}
	st := m.Step(stepID)
	if st == nil {
		return nil, nil, fmt.Errorf("step %q: %w", stepID, ErrNotFound)
	}
	return m, st, nil
}

// ReadOnly reports whether the cycle takes no new records (closed, exempt
// or expired): its steps can be read but nothing is recorded.
func (j *Journey) ReadOnly() bool { return j.writable() != nil }

// StepRef names one step of the path.
type StepRef struct {
	Module *catalog.Module
	Step   *catalog.Step
}

// Lock says why a step is not open yet and what to do first.
type Lock struct {
	// Acknowledgement is true for a signature waiting for the other
	// steps, false for a final quiz waiting for the content.
	Acknowledgement bool
	// Waiting are the required steps to do first, in path order.
	Waiting []StepRef
}

// Locked returns why step st of module m is not open yet, or nil when it
// is. By default an acknowledgement opens once every other required step on
// the path is done (acknowledgements later on the path apart), and a final
// quiz (catalog.Module.IsFinalQuiz) once every required step before it on
// the path is done (acknowledgements apart); course.yaml's `unlock:` can
// relax either. A step already done is never locked: evidence keeps the
// order it was recorded in. Steps off the path are never locked.
func (j *Journey) Locked(m *catalog.Module, st *catalog.Step) *Lock {
	if j.Course == nil || j.Done(m.ID, st.ID) || !j.OnPath(m.ID) {
		return nil
	}
	ack := st.Type == catalog.StepAcknowledgement && !j.Course.Unlock.AcknowledgementAnytime
	final := m.IsFinalQuiz(st) && !j.Course.Unlock.FinalQuizAnytime
	if !ack && !final {
		return nil
	}
	lock := &Lock{Acknowledgement: ack}
	after := false // past st on the path
	for _, pm := range j.Path {
		for _, x := range pm.Steps {
			if pm.ID == m.ID && x.ID == st.ID {
				after = true
				continue
			}
			if !x.Required || j.Done(pm.ID, x.ID) {
				continue
			}
			switch {
			case x.Type == catalog.StepAcknowledgement && (final || after):
				// A final quiz does not wait for signatures, nor a
				// signature for the ones after it.
			case final && after:
			default:
				lock.Waiting = append(lock.Waiting, StepRef{Module: pm, Step: x})
			}
		}
	}
	if len(lock.Waiting) == 0 {
		return nil
	}
	return lock
}

// hasLimitedQuiz reports whether a path has a quiz with limited attempts.
func hasLimitedQuiz(path []*catalog.Module) bool {
	for _, m := range path {
		for _, st := range m.Steps {
			if st.Type == catalog.StepQuiz && st.Quiz != nil && st.Quiz.Attempts > 0 {
				return true
			}
		}
	}
	return false
}
