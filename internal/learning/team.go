package learning

import (
	"context"
	"errors"
	"fmt"
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

// CycleProgress is how far a person is in one cycle, as the manager's team
// page shows it.
type CycleProgress struct {
	// Done and Required count the required steps on the cycle's path.
	Done, Required int
	// Stuck lists the quizzes the person has no attempts left at.
	Stuck []StuckQuiz
	// RemindedAt is when a manager last sent a reminder about the cycle,
	// if within ReminderGap; nil otherwise.
	RemindedAt *time.Time
}

// ReminderGap is how long after a manager's reminder about a person's
// course the next one may go: at most one a day per person and course.
const ReminderGap = 24 * time.Hour

// ManagerReminder is a reminder a manager sent from the team page.
type ManagerReminder struct {
	ID         string
	CycleID    string
	EmployeeID string
	CourseID   string
	SentBy     string
	SentAt     time.Time
}

// TableName tells GORM the table.
func (ManagerReminder) TableName() string { return "manager_reminders" }

// progressChunk bounds one IN list.
const progressChunk = 500

// ProgressOf returns the progress of each of the given cycles (a page of a
// team): a fixed number of queries per 500 cycles (the cycles, their done
// steps, their quiz tallies and recent reminders), whatever the team's
// size. Cycles that do not exist are left out.
func (s *Service) ProgressOf(ctx context.Context, cycleIDs []string) (map[string]CycleProgress, error) {
	out := make(map[string]CycleProgress, len(cycleIDs))
	tx := s.DB.WithContext(ctx)
	since := s.Clock.Now().Add(-ReminderGap)
	for start := 0; start < len(cycleIDs); start += progressChunk {
		part := cycleIDs[start:min(start+progressChunk, len(cycleIDs))]
		// Only what countPath and stuckIn read: a page of a team is
		// about a thousand cycles.
		var cycles []*compliance.Cycle
		if err := tx.Select("id", "employee_id", "course_id", "path", "status").Where("id IN ?", part).Find(&cycles).Error; err != nil {
			return nil, fmt.Errorf("team progress: cycles: %w", err)
		}
		var done []struct{ CycleID, ModuleID, StepID string }
		if err := tx.Model(&StepProgress{}).Select("cycle_id, module_id, step_id").
			Where("cycle_id IN ? AND status = ?", part, StepCompleted).Scan(&done).Error; err != nil {
			return nil, fmt.Errorf("team progress: steps: %w", err)
		}
		isDone := make(map[[3]string]bool, len(done))
		for _, d := range done {
			isDone[[3]string{d.CycleID, d.ModuleID, d.StepID}] = true
		}
		t, err := tallies(tx, part)
		if err != nil {
			return nil, err
		}
		// At most one row per cycle in ReminderGap (SendReminder), so
		// these are read as they are (a MAX over a SQLite time would come
		// back as its integer, not a time).
		var reminded []ManagerReminder
		if err := tx.Select("cycle_id", "sent_at").Where("cycle_id IN ? AND sent_at > ?", part, since).Find(&reminded).Error; err != nil {
			return nil, fmt.Errorf("team progress: reminders: %w", err)
		}
		last := make(map[string]time.Time, len(reminded))
		for _, r := range reminded {
			if r.SentAt.After(last[r.CycleID]) {
				last[r.CycleID] = r.SentAt
			}
		}
		for _, cy := range cycles {
			course := s.Catalog.Course(cy.CourseID)
			var p CycleProgress
			p.Done, p.Required = countPath(cy, course, isDone)
			p.Stuck = stuckIn(cy, course, t)
			if at, ok := last[cy.ID]; ok {
				at := at
				p.RemindedAt = &at
			}
			out[cy.ID] = p
		}
	}
	return out, nil
}

// countPath counts the required steps on cy's path, and those done.
func countPath(cy *compliance.Cycle, course *catalog.Course, isDone map[[3]string]bool) (done, required int) {
	if course == nil {
		return 0, 0
	}
	for _, m := range course.Path(cy.Path == compliance.PathRefresher) {
		for _, st := range m.Steps {
			if !st.Required {
				continue
			}
			required++
			if isDone[[3]string{cy.ID, m.ID, st.ID}] {
				done++
			}
		}
	}
	return done, required
}

// Errors of SendReminder.
var (
	// ErrNotYourTeam: only the person's manager (directly or through
	// others) can remind them from the team page.
	ErrNotYourTeam = apperr.New(apperr.Forbidden, "You can send reminders only to people on your team.")
	// ErrNothingToRemind: the person has no open period of the course.
	ErrNothingToRemind = apperr.New(apperr.Conflict, "There is nothing to remind them of: the course is completed, exempted or not assigned.")
)

// InTeam reports whether managerID is above employeeID in the management
// chain, directly or through others (never for themself).
func (s *Service) InTeam(ctx context.Context, managerID, employeeID string) (bool, error) {
	return s.People.Manages(ctx, managerID, employeeID)
}

// checkTeam is nil when actor is a manager with employeeID in their team,
// directly or through others, and ErrNotYourTeam otherwise.
func (s *Service) checkTeam(ctx context.Context, actor *people.Employee, employeeID string) error {
	if actor == nil || !actor.Can(people.RoleManager) {
		return ErrNotYourTeam
	}
	ok, err := s.InTeam(ctx, actor.ID, employeeID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotYourTeam
	}
	return nil
}

// SendReminder sends the person an e-mail from their manager asking them
// to finish the course, through the outbox, audited, in one transaction:
// at most one per person and course in ReminderGap (apperr.TooMany
// otherwise). actor must manage the person, directly or through others
// (ErrNotYourTeam); the course must have an open period (ErrNothingToRemind).
func (s *Service) SendReminder(ctx context.Context, actor *people.Employee, employeeID, courseID string) (*ManagerReminder, error) {
	if err := s.checkTeam(ctx, actor, employeeID); err != nil {
		return nil, err
	}
	emp, err := s.People.ByID(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	if !emp.Active() || emp.Email == "" {
		return nil, apperr.Errorf(apperr.Conflict, "%s is not active in Onramp, so no reminder can reach them.", emp.FullName())
	}
	course := s.Catalog.Course(courseID)
	if course == nil {
		return nil, apperr.Field("course", fmt.Sprintf("There is no course %q.", courseID))
	}
	cy, err := s.Cycles.CurrentFor(ctx, emp.ID, course.ID)
	if errors.Is(err, compliance.ErrNoCycle) || (err == nil && cy.Done()) {
		return nil, ErrNothingToRemind
	}
	if err != nil {
		return nil, err
	}
	if s.Mail == nil {
		return nil, apperr.New(apperr.Unavailable, "E-mail is not set up, so reminders cannot be sent.")
	}
	progress, err := s.ProgressOf(ctx, []string{cy.ID})
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	r := &ManagerReminder{ID: db.NewID(), CycleID: cy.ID, EmployeeID: emp.ID, CourseID: course.ID, SentBy: actor.ID, SentAt: now}
	tooSoon := func(at time.Time) error {
		return apperr.Errorf(apperr.TooMany, "%s was reminded about %s %s; one reminder a day per person and course. Try again after %s.",
			emp.FullName(), course.Title, sinceWords(now, at), at.Add(ReminderGap).UTC().Format("2 January 15:04 UTC"))
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var prev []ManagerReminder
		if err := tx.Where("employee_id = ? AND course_id = ? AND sent_at > ?", emp.ID, course.ID, now.Add(-ReminderGap)).
			Order("sent_at DESC").Limit(1).Find(&prev).Error; err != nil {
			return fmt.Errorf("last reminder: %w", err)
		}
		if len(prev) > 0 {
			return tooSoon(prev[0].SentAt)
		}
		if err := tx.Create(r).Error; err != nil {
			return fmt.Errorf("record reminder: %w", err)
		}
		if err := audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "send_reminder",
			EntityType: "employee", EntityID: emp.ID,
			Summary: fmt.Sprintf("Reminded %s to finish %q (%d of %d steps done)", emp.FullName(), course.Title,
				progress[cy.ID].Done, progress[cy.ID].Required),
		}); err != nil {
			return err
		}
		// The key names the day (UTC): two reminders racing past the check
		// above are on the same day, and the outbox keeps one.
		msg, err := s.Mail.Compose(notify.Key("employee-"+emp.ID, cy.ID, notify.KindManagerReminder, now.UTC().Format("2006-01-02")),
			notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
			notify.ManagerReminder{Name: emp.FirstName, Course: notify.CourseRef{ID: course.ID, Title: course.Title},
				Manager: actor.FullName(), DueAt: cy.DueAt, Overdue: cy.Overdue(now),
				Done: progress[cy.ID].Done, Required: progress[cy.ID].Required}, now)
		if err != nil {
			return err
		}
		created, err := notify.Enqueue(tx, msg)
		if err != nil {
			return err
		}
		if !created {
			return tooSoon(now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// SendReminders sends the person a reminder from their manager about each
// of their courses with an open period (SendReminder for each, one e-mail
// a course): the team page's one "Send a reminder" button a person.
// Courses reminded of within ReminderGap are passed over; when nothing
// was sent, the error says why (apperr.TooMany when every open course was
// reminded of today, ErrNothingToRemind when none is open).
func (s *Service) SendReminders(ctx context.Context, actor *people.Employee, employeeID string) ([]*ManagerReminder, error) {
	if err := s.checkTeam(ctx, actor, employeeID); err != nil {
		return nil, err
	}
	cycles, err := s.Cycles.Current(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	var sent []*ManagerReminder
	var passed error
	for _, cy := range cycles {
		if cy.Done() {
			continue
		}
		r, err := s.SendReminder(ctx, actor, employeeID, cy.CourseID)
		switch {
		case err == nil:
			sent = append(sent, r)
		case apperr.CodeOf(err) == apperr.TooMany || errors.Is(err, ErrNothingToRemind):
			if passed == nil {
				passed = err
			}
		default:
			return sent, err
		}
	}
	if len(sent) == 0 {
		if passed == nil {
			passed = ErrNothingToRemind
		}
		return nil, passed
	}
	return sent, nil
}

// sinceWords says how long ago at was, roughly.
func sinceWords(now, at time.Time) string {
	d := now.Sub(at)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 2*time.Hour:
		return "an hour ago"
	}
	return fmt.Sprintf("%d hours ago", int(d.Hours()))
}
