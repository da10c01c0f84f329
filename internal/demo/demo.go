// Package demo fills an empty database with a fictional hospital — its
// departments, about a dozen people in every state of training, and an
// orientation day with its sessions, attendance and skills check-offs —
// for `onramp demo`. It is never used by `onramp serve`.
package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// Password is every demo account's password.
const Password = "onramp-demo"

// Organisation is the demo hospital's name.
const Organisation = "St. Brigid's Community Hospital"

// Account is a demo sign-in shown when the demo starts.
type Account struct {
	Email, Name, Role, Story string
}

// Accounts are the sign-ins printed at start-up; their e-mail addresses are
// a contract (the README and the browser tests use them).
var Accounts = []Account{
	{"newhire@onramp.test", "Nina Patel", "learner", "a new nurse hired this week, nothing done yet"},
	{"staff@onramp.test", "Sam Okafor", "learner", "half-way through the course"},
	{"manager@onramp.test", "Marcus Bell", "manager", "nurse manager with a team to watch"},
	{"hr@onramp.test", "Hannah Reyes", "hr_admin", "HR and compliance; course completed"},
	{"refresher@onramp.test", "Rachel Osei", "learner", "completed last year; her annual refresher is open now"},
	{Educator, "Erin Walsh", "learner", "clinical nurse educator: trains the orientation days, takes attendance and signs off skills as a preceptor"},
}

// state is how far a demo person has got.
type state int

const (
	notStarted state = iota
	halfWay
	completed
	overdue
	// refresherOpen completed the course RefresherCompletedDaysAgo days ago,
	// so its refresher window is open now.
	refresherOpen
)

// RefresherCompletedDaysAgo is when the refresher account completed its
// course: its certificate expires in about a month, inside the 60-day
// refresher window.
const RefresherCompletedDaysAgo = 335

type person struct {
	email, first, last, dept, title, location string
	role                                      people.Role
	manager                                   string
	hiredDaysAgo                              int
	state                                     state
}

var staff = []person{
	{"hr@onramp.test", "Hannah", "Reyes", "Human Resources", "HR Compliance Lead", "Main Campus", people.RoleHRAdmin, "", 2100, completed},
	{"director@onramp.test", "Grace", "Whitfield", "Nursing", "Director of Nursing", "Main Campus", people.RoleManager, "", 3300, completed},
	{"manager@onramp.test", "Marcus", "Bell", "Nursing", "Nurse Manager", "Main Campus", people.RoleManager, "director@onramp.test", 1500, completed},
	{"newhire@onramp.test", "Nina", "Patel", "Nursing", "Registered Nurse", "Main Campus", people.RoleLearner, "manager@onramp.test", 3, notStarted},
	{"staff@onramp.test", "Sam", "Okafor", "Nursing", "Registered Nurse", "Main Campus", people.RoleLearner, "manager@onramp.test", 20, halfWay},
	{"li.chen@onramp.test", "Li", "Chen", "Nursing", "Nursing Assistant", "Main Campus", people.RoleLearner, "manager@onramp.test", 52, overdue},
	{"ade.bankole@onramp.test", "Adebayo", "Bankole", "Nursing", "Registered Nurse", "Riverside Clinic", people.RoleLearner, "manager@onramp.test", 900, completed},
	{"rosa.alvarez@onramp.test", "Rosa", "Alvarez", "Emergency", "Emergency Physician", "Main Campus", people.RoleLearner, "director@onramp.test", 12, notStarted},
	{"tom.nguyen@onramp.test", "Tom", "Nguyen", "Radiology", "Radiographer", "Main Campus", people.RoleLearner, "director@onramp.test", 40, overdue},
	{"fatima.siddiqui@onramp.test", "Fatima", "Siddiqui", "Pharmacy", "Clinical Pharmacist", "Riverside Clinic", people.RoleLearner, "director@onramp.test", 25, halfWay},
	{"owen.price@onramp.test", "Owen", "Price", "Patient Services", "Receptionist", "Riverside Clinic", people.RoleLearner, "hr@onramp.test", 600, completed},
	{"julia.novak@onramp.test", "Julia", "Novak", "Communications", "Social Media Coordinator", "Main Campus", people.RoleLearner, "hr@onramp.test", 8, notStarted},
	{"refresher@onramp.test", "Rachel", "Osei", "Nursing", "Staff Nurse", "Main Campus", people.RoleLearner, "manager@onramp.test", 1200, refresherOpen},
	{Educator, "Erin", "Walsh", "Nursing", "Clinical Nurse Educator", "Main Campus", people.RoleLearner, "director@onramp.test", 2400, completed},
}

// Seed fills the database with the demo organisation unless it already has
// people. It is safe to run on every start.
func Seed(ctx context.Context, a *app.App) error {
	var n int64
	if err := a.DB.WithContext(ctx).Model(&people.Employee{}).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	now := a.Clock.Now()
	byEmail := map[string]*people.Employee{}
	type pending struct {
		employee *people.Employee
		course   string
		state    state
	}
	var work []pending
	err = a.DB.Tx(ctx, func(tx *gorm.DB) error {
		for _, p := range staff {
			hired := compliance.Day(now.AddDate(0, 0, -p.hiredDaysAgo))
			num := fmt.Sprintf("SB%05d", 10000+len(byEmail)*37)
			e := &people.Employee{
				EmployeeNumber: &num, Email: p.email, FirstName: p.first, LastName: p.last,
				Department: p.dept, JobTitle: p.title, Location: p.location, Role: p.role,
				HireDate: &hired, TimeZone: "Europe/London", PasswordHash: hash,
			}
			if m := byEmail[p.manager]; m != nil {
				e.ManagerID = &m.ID
			}
			if err := people.Create(tx, e, now); err != nil {
				return err
			}
			byEmail[p.email] = e
			for _, course := range a.Catalog.Courses {
				if course.ID == OrientationCourse {
					continue // the new clinical staff's only (seedOrientation)
				}
				if _, err := assign(tx, course, e, p, now); err != nil {
					return err
				}
				work = append(work, pending{e, course.ID, p.state})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed demo people: %w", err)
	}
	for _, w := range work {
		var err error
		switch w.state {
		case halfWay:
			err = advance(ctx, a, w.employee, w.course, 0.5)
		case completed:
			_, err = a.Learning.CompleteCourse(ctx, w.employee, w.course)
		case refresherOpen:
			// Completed last year, on that day's clock (and without a
			// year-old confirmation e-mail).
			last := &learning.Service{
				DB: a.Learning.DB, Clock: clock.NewFake(now.AddDate(0, 0, -RefresherCompletedDaysAgo)),
				Catalog: a.Learning.Catalog, Cycles: a.Learning.Cycles, People: a.Learning.People,
			}
			_, err = last.CompleteCourse(ctx, w.employee, w.course)
		}
		if err != nil {
			return fmt.Errorf("seed demo progress for %s: %w", w.employee.Email, err)
		}
	}
	if err := seedOrientation(ctx, a, byEmail); err != nil {
		return fmt.Errorf("seed demo orientation: %w", err)
	}
	// Open the refresher windows that are due (the refresher account's) now,
	// not at the scheduler's first pass.
	if _, err := a.Engine.Advance(ctx, now); err != nil {
		return fmt.Errorf("seed demo refreshers: %w", err)
	}
	return nil
}

// assign gives the person the course with a due date that tells their story.
func assign(tx *gorm.DB, course *catalog.Course, e *people.Employee, p person, now time.Time) (*compliance.Cycle, error) {
	dueDays := 30
	if r := course.DefaultRule; r != nil && r.DueDays > 0 {
		dueDays = r.DueDays
	}
	hired := *e.HireDate
	due := hired.AddDate(0, 0, dueDays)
	why := fmt.Sprintf("due %s: %d days after your hire date, %s", compliance.FormatDay(due), dueDays, compliance.FormatDay(hired))
	switch {
	case p.state == refresherOpen:
		// Assigned and completed last year, ahead of its due date.
		at := compliance.Day(now.AddDate(0, 0, -RefresherCompletedDaysAgo-14))
		due = at.AddDate(0, 0, dueDays)
		why = fmt.Sprintf("due %s: %d days after this course was assigned to you", compliance.FormatDay(due), dueDays)
		return compliance.Assign(tx, e.ID, course.ID, at, due, why)
	case p.state == completed:
		// Long-serving staff finished this year's course ahead of its due date.
		due = compliance.Day(now.AddDate(0, 0, 21))
		why = fmt.Sprintf("due %s: %d days after this course was assigned to you", compliance.FormatDay(due), dueDays)
	case p.hiredDaysAgo > 60:
		due = compliance.Day(now.AddDate(0, 0, dueDays))
		why = fmt.Sprintf("due %s: %d days after this course was assigned to you", compliance.FormatDay(due), dueDays)
	}
	return compliance.Assign(tx, e.ID, course.ID, now.AddDate(0, 0, -p.hiredDaysAgo), due, why)
}

// advance completes the first fraction of the required steps on the
// person's path, as a learner part-way through would have.
func advance(ctx context.Context, a *app.App, e *people.Employee, courseID string, fraction float64) error {
	j, err := a.Learning.Journey(ctx, e, courseID)
	if err != nil {
		return err
	}
	_, total := j.Counts()
	todo := int(float64(total) * fraction)
	for _, m := range j.Path {
		for _, st := range m.Steps {
			if todo == 0 {
				return nil
			}
			if !st.Required {
				continue
			}
			if _, err := a.Learning.CompleteStep(ctx, e, courseID, m.ID, st.ID); err != nil {
				return fmt.Errorf("%s/%s: %w", m.ID, st.ID, err)
			}
			todo--
		}
	}
	return nil
}
