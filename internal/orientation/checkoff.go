package orientation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// Errors of the check-offs.
var (
	ErrNotObserver   = apperr.New(apperr.Forbidden, "You are not an observer for this person's course or department: ask HR to name you one.")
	ErrOwnCheckoff   = apperr.New(apperr.Forbidden, "Nobody can observe or sign off their own check-off: ask another observer.")
	ErrNoCheckoff    = apperr.New(apperr.NotFound, "There is no such check-off.")
	ErrNotAllMet     = apperr.New(apperr.Conflict, "Every skill must be marked met before the check-off is signed off.")
	ErrAlreadySigned = apperr.New(apperr.Conflict, "This check-off is already signed off.")
)

// DefaultCheckoffStatement is the meaning of an observer's signature when
// the step states none.
const DefaultCheckoffStatement = "I observed this person perform each skill listed and found it met the standard described."

// Observer is an employee HR named to observe check-offs of a course
// ("" = any) for a department ("" = any).
type Observer struct {
	ID         string
	EmployeeID string
	CourseID   string
	Department string
	CreatedBy  string
	CreatedAt  time.Time

	Name string `gorm:"-"`
}

// TableName tells GORM the table.
func (Observer) TableName() string { return "checkoff_observers" }

// SkillMark is one mark of one skill.
type SkillMark struct {
	ID           string
	CycleID      string
	EmployeeID   string
	ModuleID     string
	StepID       string
	SkillID      string
	Met          bool
	Comment      string
	ObserverID   string
	ObserverName string
	MarkedAt     time.Time
}

// TableName tells GORM the table.
func (SkillMark) TableName() string { return "checkoff_marks" }

// SignOff is an observer's e-signature on a check-off.
type SignOff struct {
	ID              string
	CycleID         string
	EmployeeID      string
	ModuleID        string
	StepID          string
	ModuleVersionID string
	ObserverID      string
	PrintedName     string
	Meaning         string
	SignedAt        time.Time
	IP              string
	UserAgent       string
}

// TableName tells GORM the table.
func (SignOff) TableName() string { return "checkoff_signoffs" }

// AddObserver names an employee (by e-mail) an observer (HR only).
func (s *Service) AddObserver(ctx context.Context, actor *people.Employee, email, courseID, department string) error {
	if actor == nil || !actor.Can(people.RoleHRAdmin) {
		return ErrForbidden
	}
	courseID, department = strings.TrimSpace(courseID), strings.Join(strings.Fields(department), " ")
	if courseID != "" && s.Catalog.Course(courseID) == nil {
		return apperr.Field("course", "Choose a course, or every course.")
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var e people.Employee
		err := tx.Where("LOWER(email) = ? AND status = ?", strings.ToLower(strings.TrimSpace(email)), people.StatusActive).Take(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.Field("email", "No active employee has the e-mail "+strings.TrimSpace(email)+".")
		}
		if err != nil {
			return fmt.Errorf("find observer: %w", err)
		}
		var n int64
		if err := tx.Model(&Observer{}).Where("employee_id = ? AND course_id = ? AND department = ?", e.ID, courseID, department).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		o := &Observer{ID: db.NewID(), EmployeeID: e.ID, CourseID: courseID, Department: department, CreatedBy: actor.ID, CreatedAt: now}
		if err := tx.Create(o).Error; err != nil {
			return fmt.Errorf("add observer: %w", err)
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: audit.ActionCreate, EntityType: "checkoff_observer", EntityID: o.ID,
			Summary: fmt.Sprintf("Named %s an observer for check-offs of %s in %s.", e.FullName(), orAll(courseID, "every course"), orAll(department, "every department")),
		})
	})
}

// RemoveObserver removes an observer row (HR only).
func (s *Service) RemoveObserver(ctx context.Context, actor *people.Employee, id string) error {
	if actor == nil || !actor.Can(people.RoleHRAdmin) {
		return ErrForbidden
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Delete(&Observer{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "There is no such observer.")
		}
		return audit.Record(tx, audit.Event{At: now, ActorID: actor.ID, ActorName: actor.FullName(), Action: "delete", EntityType: "checkoff_observer", EntityID: id,
			Summary: "Removed an observer for check-offs."})
	})
}

func orAll(v, all string) string {
	if v == "" {
		return all
	}
	return v
}

// Observers lists the observers with their names (HR's page).
func (s *Service) Observers(ctx context.Context) ([]*Observer, error) {
	var rows []struct {
		Observer
		FirstName, LastName string
	}
	err := s.DB.WithContext(ctx).Table("checkoff_observers AS o").Select("o.*, e.first_name, e.last_name").
		Joins("JOIN employees e ON e.id = o.employee_id").Order("e.last_name, e.first_name, o.course_id, o.department").Limit(1000).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list observers: %w", err)
	}
	out := make([]*Observer, len(rows))
	for i := range rows {
		o := rows[i].Observer
		o.Name = strings.TrimSpace(rows[i].FirstName + " " + rows[i].LastName)
		out[i] = &o
	}
	return out, nil
}

// mayObserve reports whether observer may mark and sign person's
// check-offs of the course.
func mayObserve(tx *gorm.DB, observer, person *people.Employee, courseID string) (bool, error) {
	if observer == nil || person == nil || observer.ID == person.ID {
		return false, nil
	}
	var n int64
	err := tx.Model(&Observer{}).Where("employee_id = ? AND (course_id = '' OR course_id = ?) AND (department = '' OR department = ?)",
		observer.ID, courseID, person.Department).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check observer: %w", err)
	}
	return n > 0, nil
}

// Checklist is a person's check-off as the observer (or the learner) sees
// it: the skills with their latest marks, and the sign-off if any.
type Checklist struct {
	Person  *people.Employee
	Course  *catalog.Course
	Module  *catalog.Module
	Step    *catalog.Step
	CycleID string
	// Latest is each skill's latest mark, by skill ID.
	Latest  map[string]*SkillMark
	SignOff *SignOff
	// MaySign is true when the viewer may mark and sign.
	MaySign bool
}

// AllMet reports whether every skill's latest mark is met.
func (c *Checklist) AllMet() bool {
	for _, sk := range c.Step.Checkoff.Skills {
		if m := c.Latest[sk.ID]; m == nil || !m.Met {
			return false
		}
	}
	return true
}

// Statement is the meaning of the observer's signature.
func (c *Checklist) Statement() string {
	if st := strings.TrimSpace(c.Step.Checkoff.Statement); st != "" {
		return st
	}
	return DefaultCheckoffStatement
}

func (s *Service) checkoffStep(courseID, moduleID, stepID string) (*catalog.Course, *catalog.Module, *catalog.Step, error) {
	c := s.Catalog.Course(courseID)
	m := c.Module(moduleID)
	st := m.Step(stepID)
	if st == nil || st.Type != catalog.StepCheckoff || st.Checkoff == nil {
		return nil, nil, nil, ErrNoCheckoff
	}
	return c, m, st, nil
}

// loadChecklist reads a person's check-off in their current cycle.
func (s *Service) loadChecklist(tx *gorm.DB, viewer *people.Employee, personID, courseID, moduleID, stepID string) (*Checklist, error) {
	c, m, st, err := s.checkoffStep(courseID, moduleID, stepID)
	if err != nil {
		return nil, err
	}
	var person people.Employee
	if err := tx.Where("id = ?", personID).Take(&person).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNoCheckoff
		}
		return nil, err
	}
	if viewer.ID == person.ID && !viewer.Can(people.RoleHRAdmin) {
		// The learner sees their own list (read only) on the step.
	} else {
		ok, err := mayObserve(tx, viewer, &person, courseID)
		if err != nil {
			return nil, err
		}
		if !ok && !viewer.Can(people.RoleHRAdmin) {
			if viewer.ID == person.ID {
				return nil, ErrOwnCheckoff
			}
			return nil, ErrNotObserver
		}
	}
	cy, err := learning.CurrentCycleIn(tx, person.ID, courseID)
	if err != nil {
		if errors.Is(err, learning.ErrNotAssigned) {
			return nil, ErrNoCheckoff
		}
		return nil, err
	}
	cl := &Checklist{Person: &person, Course: c, Module: m, Step: st, CycleID: cy.ID, Latest: map[string]*SkillMark{}}
	cl.MaySign, err = mayObserve(tx, viewer, &person, courseID)
	if err != nil {
		return nil, err
	}
	var marks []*SkillMark
	if err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", cy.ID, m.ID, st.ID).Order("marked_at, id").Find(&marks).Error; err != nil {
		return nil, fmt.Errorf("load marks: %w", err)
	}
	for _, mk := range marks {
		cl.Latest[mk.SkillID] = mk
	}
	var so SignOff
	err = tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", cy.ID, m.ID, st.ID).Take(&so).Error
	switch {
	case err == nil:
		cl.SignOff = &so
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("load sign-off: %w", err)
	}
	return cl, nil
}

// Checklist returns a person's check-off for an observer (or HR, read
// only unless also an observer), or for the person themselves (read only).
func (s *Service) Checklist(ctx context.Context, viewer *people.Employee, personID, courseID, moduleID, stepID string) (*Checklist, error) {
	return s.loadChecklist(s.DB.WithContext(ctx), viewer, personID, courseID, moduleID, stepID)
}

// SkillInput is what the observer marked for one skill: "met", "not_met"
// or "" (unchanged), with an optional comment.
type SkillInput struct {
	Status  string
	Comment string
}

// MarkSkills records an observer's marks; only changed skills get a row.
func (s *Service) MarkSkills(ctx context.Context, observer *people.Employee, personID, courseID, moduleID, stepID string, in map[string]SkillInput) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		cl, err := s.loadChecklist(tx, observer, personID, courseID, moduleID, stepID)
		if err != nil {
			return err
		}
		if err := refuseSigner(cl, observer); err != nil {
			return err
		}
		if cl.SignOff != nil {
			return ErrAlreadySigned
		}
		var changed []string
		for _, sk := range cl.Step.Checkoff.Skills {
			v, ok := in[sk.ID]
			if !ok || (v.Status != "met" && v.Status != "not_met") {
				continue
			}
			met := v.Status == "met"
			comment := strings.TrimSpace(v.Comment)
			if last := cl.Latest[sk.ID]; last != nil && last.Met == met && last.Comment == comment {
				continue
			}
			mk := &SkillMark{ID: db.NewID(), CycleID: cl.CycleID, EmployeeID: personID, ModuleID: moduleID, StepID: stepID, SkillID: sk.ID,
				Met: met, Comment: comment, ObserverID: observer.ID, ObserverName: observer.FullName(), MarkedAt: now}
			if err := tx.Create(mk).Error; err != nil {
				return fmt.Errorf("mark skill: %w", err)
			}
			changed = append(changed, sk.Title+": "+v.Status)
		}
		if len(changed) == 0 {
			return nil
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: observer.ID, ActorName: observer.FullName(), Action: "observe", EntityType: "checkoff", EntityID: cl.CycleID + "/" + moduleID + "/" + stepID,
			Summary: fmt.Sprintf("%s marked %s's “%s”: %s.", observer.FullName(), cl.Person.FullName(), cl.Step.Title, strings.Join(changed, "; ")),
		})
	})
}

// refuseSigner refuses the person themselves and anyone not an observer
// (HR included, unless also named an observer).
func refuseSigner(cl *Checklist, observer *people.Employee) error {
	switch {
	case cl.Person.ID == observer.ID:
		return ErrOwnCheckoff
	case !cl.MaySign:
		return ErrNotObserver
	}
	return nil
}

// Sign is what the observer submitted to sign a check-off off.
type Sign struct {
	TypedName string
	IP        string
	UserAgent string
}

// SignOffCheckoff records the observer's e-signature, once every skill is
// met, and completes the step (and the course, if it was the last step).
// The typed name must be the observer's own (trimmed, spaces collapsed,
// case ignored).
func (s *Service) SignOffCheckoff(ctx context.Context, observer *people.Employee, personID, courseID, moduleID, stepID string, sig Sign) (*SignOff, error) {
	now := s.Clock.Now()
	var out *SignOff
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		cl, err := s.loadChecklist(tx, observer, personID, courseID, moduleID, stepID)
		if err != nil {
			return err
		}
		if err := refuseSigner(cl, observer); err != nil {
			return err
		}
		if cl.SignOff != nil {
			return ErrAlreadySigned
		}
		if !cl.AllMet() {
			return ErrNotAllMet
		}
		if !learning.NamesMatch(sig.TypedName, observer.FullName()) {
			return apperr.Field("full_name", "The name you typed doesn't match the name on your account ("+observer.FullName()+").")
		}
		ua := sig.UserAgent
		if len(ua) > 500 {
			ua = ua[:500]
		}
		out = &SignOff{ID: db.NewID(), CycleID: cl.CycleID, EmployeeID: personID, ModuleID: moduleID, StepID: stepID,
			ModuleVersionID: cl.Module.VersionID, ObserverID: observer.ID, PrintedName: learning.CollapseSpaces(sig.TypedName),
			Meaning: cl.Statement(), SignedAt: now, IP: sig.IP, UserAgent: ua}
		if err := tx.Create(out).Error; err != nil {
			return fmt.Errorf("record sign-off: %w", err)
		}
		if err := audit.Record(tx, audit.Event{
			At: now, ActorID: observer.ID, ActorName: observer.FullName(), Action: audit.ActionAttest, EntityType: "checkoff_signoff", EntityID: out.ID,
			Summary: fmt.Sprintf("%s signed off %s's “%s” in %s.", out.PrintedName, cl.Person.FullName(), cl.Step.Title, cl.Course.Title),
			Details: map[string]any{"cycle_id": out.CycleID, "module_id": moduleID, "step_id": stepID, "printed_name": out.PrintedName, "meaning": out.Meaning, "ip": out.IP},
		}); err != nil {
			return err
		}
		_, err = s.Learning.CompleteByOthers(tx, cl.Person, courseID, []learning.StepRef{{Module: cl.Module, Step: cl.Step}}, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
