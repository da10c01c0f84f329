package learning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// AttemptGrant is extra attempts at one quiz step of one cycle, granted by
// HR or the person's manager with a reason. A quiz allows its own attempts
// plus every grant's Extra.
type AttemptGrant struct {
	ID            string
	CycleID       string
	EmployeeID    string
	ModuleID      string
	StepID        string
	Extra         int
	Reason        string
	GrantedBy     string
	GrantedByName string
	CreatedAt     time.Time
}

// TableName tells GORM the table.
func (AttemptGrant) TableName() string { return "quiz_attempt_grants" }

// MaxExtraAttempts bounds one grant.
const MaxExtraAttempts = 10

// GrantError is a grant refused for its input; Field names the form field
// (employee, course, quiz, extra, reason) and the message says what to do.
type GrantError struct {
	Field   string
	Message string
}

func (e *GrantError) Error() string { return e.Message }

// AppError makes a GrantError an Invalid apperr.Error about its field.
func (e *GrantError) AppError() *apperr.Error { return apperr.Field(e.Field, e.Message) }

// Grant is what GrantAttempts needs.
type Grant struct {
	EmployeeID string
	CourseID   string
	// ModuleID names the quiz: the module whose quiz step it is. StepID
	// may be empty when the module has one quiz step.
	ModuleID string
	StepID   string
	Extra    int
	Reason   string
	// By names who grants them when no person is signed in (the audit
	// trail's actor, e.g. an API token); empty: the command line.
	By string
}

// StuckQuiz is a quiz a person failed every allowed attempt at, in a
// current cycle: they wait for another attempt.
type StuckQuiz struct {
	CycleID     string
	EmployeeID  string
	CourseID    string
	CourseTitle string
	ModuleID    string
	ModuleTitle string
	StepID      string
	// Used is the attempts made; Allowed the quiz's attempts plus grants.
	Used, Allowed int
}

// quizTally is what the database says of one quiz step of one cycle.
type quizTally struct {
	CycleID  string
	ModuleID string
	StepID   string
	Failed   int
	Passed   int
	Extra    int
}

// tallies counts submitted attempts and granted extras per quiz step of
// the given cycles: two grouped queries whatever the number of cycles.
func tallies(tx *gorm.DB, cycleIDs []string) (map[[3]string]*quizTally, error) {
	out := map[[3]string]*quizTally{}
	if len(cycleIDs) == 0 {
		return out, nil
	}
	var rows []quizTally
	err := tx.Model(&QuizAttempt{}).
		Select("cycle_id, module_id, step_id, SUM(CASE WHEN passed THEN 0 ELSE 1 END) AS failed, SUM(CASE WHEN passed THEN 1 ELSE 0 END) AS passed").
		Where("cycle_id IN ? AND submitted_at IS NOT NULL", cycleIDs).
		Group("cycle_id, module_id, step_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count quiz attempts: %w", err)
	}
	for i := range rows {
		r := rows[i]
		out[[3]string{r.CycleID, r.ModuleID, r.StepID}] = &r
	}
	var grants []quizTally
	err = tx.Model(&AttemptGrant{}).Select("cycle_id, module_id, step_id, SUM(extra) AS extra").
		Where("cycle_id IN ?", cycleIDs).Group("cycle_id, module_id, step_id").Scan(&grants).Error
	if err != nil {
		return nil, fmt.Errorf("count granted attempts: %w", err)
	}
	for _, g := range grants {
		k := [3]string{g.CycleID, g.ModuleID, g.StepID}
		if t := out[k]; t != nil {
			t.Extra = g.Extra
		} else {
			g := g
			out[k] = &g
		}
	}
	return out, nil
}

// stuckIn lists the quizzes on cy's path the person can no longer attempt.
func stuckIn(cy *compliance.Cycle, course *catalog.Course, t map[[3]string]*quizTally) []StuckQuiz {
	if course == nil || cy.Done() || cy.Status == compliance.StatusExpired {
		return nil
	}
	var out []StuckQuiz
	for _, m := range course.Path(cy.Path == compliance.PathRefresher) {
		for _, st := range m.Steps {
			if st.Type != catalog.StepQuiz || st.Quiz == nil || st.Quiz.Attempts == 0 {
				continue
			}
			q := t[[3]string{cy.ID, m.ID, st.ID}]
			if q == nil || q.Passed > 0 {
				continue
			}
			allowed := st.Quiz.Attempts + q.Extra
			if q.Failed >= allowed {
				out = append(out, StuckQuiz{
					CycleID: cy.ID, EmployeeID: cy.EmployeeID, CourseID: course.ID, CourseTitle: course.Title,
					ModuleID: m.ID, ModuleTitle: m.Title, StepID: st.ID, Used: q.Failed, Allowed: allowed,
				})
			}
		}
	}
	return out
}

// Stuck lists the quizzes of this cycle the learner has no attempts left
// at: they wait for HR or their manager to grant another.
func (j *Journey) Stuck() []StuckQuiz { return j.stuck }

// Waiting reports whether the learner waits for another attempt.
func (j *Journey) Waiting() bool { return len(j.stuck) > 0 }

// StuckFor lists every quiz the person is stuck on in their current cycles.
func (s *Service) StuckFor(ctx context.Context, employeeID string) ([]StuckQuiz, error) {
	cycles, err := s.Cycles.Current(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, cy := range cycles {
		if !cy.Done() && cy.Status != compliance.StatusExpired {
			ids = append(ids, cy.ID)
		}
	}
	t, err := tallies(s.DB.WithContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	var out []StuckQuiz
	for _, cy := range cycles {
		out = append(out, stuckIn(cy, s.Catalog.Course(cy.CourseID), t)...)
	}
	return out, nil
}

// MayGrant reports whether actor may grant attempts to the person: an HR
// admin for anyone, a manager for the people up whose manager chain they
// are (never themself).
func (s *Service) MayGrant(ctx context.Context, actor *people.Employee, employeeID string) (bool, error) {
	if actor == nil {
		return false, nil
	}
	if actor.Can(people.RoleHRAdmin) {
		return true, nil
	}
	if !actor.Can(people.RoleManager) {
		return false, nil
	}
	return s.People.Manages(ctx, actor.ID, employeeID)
}

// ErrMayNotGrant: the actor may not grant attempts to this person.
var ErrMayNotGrant = apperr.New(apperr.Forbidden, "only HR or the person's manager can grant them more attempts")

// GrantAttempts records g for the person's current cycle of the course,
// audited, and queues the e-mail telling them, in one transaction. actor
// is nil for the command line (the system). The caller checks MayGrant for
// a person signed in; GrantAttempts checks it again.
func (s *Service) GrantAttempts(ctx context.Context, actor *people.Employee, g Grant) (*AttemptGrant, error) {
	g.Reason = strings.Join(strings.Fields(g.Reason), " ")
	switch {
	case g.Extra < 1 || g.Extra > MaxExtraAttempts:
		return nil, &GrantError{Field: "extra", Message: fmt.Sprintf("Enter how many more attempts to allow, from 1 to %d.", MaxExtraAttempts)}
	case g.Reason == "":
		return nil, &GrantError{Field: "reason", Message: "Enter the reason for the extra attempts; it is kept in the audit trail and sent to the person."}
	case len(g.Reason) > 500:
		return nil, &GrantError{Field: "reason", Message: "Keep the reason under 500 characters."}
	}
	if actor != nil {
		ok, err := s.MayGrant(ctx, actor, g.EmployeeID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrMayNotGrant
		}
	}
	emp, err := s.People.ByID(ctx, g.EmployeeID)
	if errors.Is(err, people.ErrNotFound) {
		return nil, &GrantError{Field: "employee", Message: fmt.Sprintf("No person has the ID %q.", g.EmployeeID)}
	}
	if err != nil {
		return nil, err
	}
	course := s.Catalog.Course(g.CourseID)
	if course == nil {
		return nil, &GrantError{Field: "course", Message: fmt.Sprintf("There is no course %q.", g.CourseID)}
	}
	m := course.Module(g.ModuleID)
	if m == nil {
		return nil, &GrantError{Field: "quiz", Message: fmt.Sprintf("The course %q has no module %q.", course.ID, g.ModuleID)}
	}
	var st *catalog.Step
	for _, x := range m.Steps {
		if x.Type == catalog.StepQuiz && x.Quiz != nil && (g.StepID == "" || x.ID == g.StepID) {
			st = x
			break
		}
	}
	if st == nil {
		return nil, &GrantError{Field: "quiz", Message: fmt.Sprintf("The module %q of %q has no quiz.", m.ID, course.ID)}
	}
	if st.Quiz.Attempts == 0 {
		return nil, &GrantError{Field: "quiz", Message: "This quiz allows any number of attempts; there is nothing to grant."}
	}
	cy, err := s.Cycles.CurrentFor(ctx, emp.ID, course.ID)
	if errors.Is(err, compliance.ErrNoCycle) || (err == nil && (cy.Done() || cy.Status == compliance.StatusExpired)) {
		return nil, &GrantError{Field: "course", Message: fmt.Sprintf("%s has no open period of %q to grant attempts in.", emp.FullName(), course.Title)}
	}
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	grant := &AttemptGrant{
		ID: db.NewID(), CycleID: cy.ID, EmployeeID: emp.ID, ModuleID: m.ID, StepID: st.ID,
		Extra: g.Extra, Reason: g.Reason, CreatedAt: now,
	}
	actorName, auditName := "the command line", ""
	if g.By != "" {
		actorName, auditName = g.By, g.By
	}
	if actor != nil {
		grant.GrantedBy, grant.GrantedByName, actorName, auditName = actor.ID, actor.FullName(), actor.FullName(), actor.FullName()
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(grant).Error; err != nil {
			return fmt.Errorf("record grant: %w", err)
		}
		if err := audit.Record(tx, audit.Event{
			At: now, ActorID: grant.GrantedBy, ActorName: auditName, Action: "grant_attempts",
			EntityType: "employee", EntityID: emp.ID,
			Summary: fmt.Sprintf("Granted %s %d more %s at the %q quiz of %q: %s", emp.FullName(), g.Extra,
				plural(g.Extra, "attempt", "attempts"), m.Title, course.Title, g.Reason),
			Details: map[string]any{"cycle_id": cy.ID, "course_id": course.ID, "module_id": m.ID, "step_id": st.ID,
				"extra": g.Extra, "reason": g.Reason, "granted_by": actorName},
		}); err != nil {
			return err
		}
		if s.Mail == nil || emp.Email == "" {
			return nil
		}
		by := grant.GrantedByName
		msg, err := s.Mail.Compose(notify.Key("employee-"+emp.ID, cy.ID, notify.KindAttemptsGranted, grant.ID),
			notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
			notify.AttemptsGranted{Name: emp.FirstName, Course: notify.CourseRef{ID: course.ID, Title: course.Title},
				Module: m.Title, Extra: g.Extra, Reason: g.Reason, GrantedBy: by}, now)
		if err != nil {
			return err
		}
		_, err = notify.Enqueue(tx, msg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return grant, nil
}

// tellHRStuck queues one e-mail to each active HR admin saying the person
// used every attempt at the quiz, inside the failing attempt's
// transaction. The key names the attempt that used the last one, so the
// message goes once per time they run out.
func (s *Service) tellHRStuck(tx *gorm.DB, j *Journey, m *catalog.Module, a *QuizAttempt, used int, now time.Time) error {
	if s.Mail == nil || j.Course == nil {
		return nil
	}
	var hr []people.Employee
	if err := tx.Where("role = ? AND status = ?", people.RoleHRAdmin, people.StatusActive).Order("id").Limit(50).Find(&hr).Error; err != nil {
		return fmt.Errorf("load HR admins: %w", err)
	}
	for _, h := range hr {
		if h.Email == "" || h.ID == j.Employee.ID {
			continue
		}
		msg, err := s.Mail.Compose(notify.Key("employee-"+h.ID, j.Cycle.ID, notify.KindAttemptsUsedUp, a.StepID+"#"+strconv.Itoa(a.Number)),
			notify.Recipient{EmployeeID: h.ID, Name: h.FullName(), Address: h.Email},
			notify.AttemptsUsedUp{Name: h.FirstName, Person: j.Employee.FullName(), PersonID: j.Employee.ID,
				Course: notify.CourseRef{ID: j.Course.ID, Title: j.Course.Title}, Module: m.Title, Attempts: used}, now)
		if err != nil {
			return err
		}
		if _, err := notify.Enqueue(tx, msg); err != nil {
			return err
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
