package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/demo"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
)

// The refresher account's refresher is open the moment the demo starts: a
// newcomer sees that journey without time travel.
func TestDemoRefresherAccountHasAnOpenRefresher(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Demo: true})
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App); err != nil {
		t.Fatalf("seed: %v", err)
	}
	emp, err := env.App.People.ByEmail(ctx, "refresher@onramp.test")
	if err != nil {
		t.Fatalf("refresher account: %v", err)
	}
	if emp.Role != people.RoleLearner {
		t.Errorf("role %s", emp.Role)
	}
	cycles, err := env.App.Cycles.Current(ctx, emp.ID)
	if err != nil || len(cycles) == 0 {
		t.Fatalf("current cycles: %v, %v", cycles, err)
	}
	for _, c := range cycles {
		if c.Path != compliance.PathRefresher || c.Status != compliance.StatusOpen || c.WindowOpensAt.After(env.Clock.Now()) {
			t.Errorf("%s: path %s, status %s, window opens %s; want an open refresher", c.CourseID, c.Path, c.Status, c.WindowOpensAt)
		}
	}
	c := env.Client()
	c.Login("refresher@onramp.test", demo.Password)
}

// The demo shows the orientation day: a session next week with people
// booked and one on the wait-list; a past session with attendance taken
// (attended, late, a no-show) that completed the attendees' session step;
// Sam's skills check-off half done by the educator, an observer; a contact
// for questions. Every demo account signs in, the educator included.
func TestDemoOrientation(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true, ContentDir: filepath.Join(apptest.RepoRoot(), "content")})
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App); err != nil {
		t.Fatalf("seed: %v", err)
	}
	now := env.Clock.Now()
	o := env.App.Orientation
	byEmail := func(email string) *people.Employee {
		t.Helper()
		e, err := env.App.People.ByEmail(ctx, email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return e
	}
	educator := byEmail(demo.Educator)

	upcoming, err := o.List(ctx, orientation.Filter{CourseID: demo.OrientationCourse, From: now, Scheduled: true})
	if err != nil || len(upcoming) != 1 {
		t.Fatalf("upcoming sessions: %v, %v", upcoming, err)
	}
	next := upcoming[0]
	if d := next.StartsAt.Sub(now); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("the upcoming session starts in %s, want next week", d)
	}
	if next.Booked != demo.NextSessionPlaces || next.Waiting != 1 || !next.IsTrainer(educator) || next.TrainerQualification == "" {
		t.Errorf("next week's session: %d booked, %d waiting, trainer %s (%s)", next.Booked, next.Waiting, next.TrainerName, next.TrainerQualification)
	}
	roster, err := o.Roster(ctx, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, b := range roster {
		status[b.EmployeeName] = b.Status
	}
	if want := map[string]string{"Nina Patel": "booked", "Rosa Alvarez": "booked", "Fatima Siddiqui": "waitlisted"}; fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("next week's roster: %v, want %v", status, want)
	}
	if len(roster) == 3 && roster[2].Status != orientation.StatusWaitlisted {
		t.Errorf("the roster does not list the wait-list last: %v", roster[2].EmployeeName)
	}

	past, err := o.List(ctx, orientation.Filter{CourseID: demo.OrientationCourse, Before: now})
	if err != nil || len(past) != 1 {
		t.Fatalf("past sessions: %v, %v", past, err)
	}
	att, err := o.Attendees(ctx, past[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range att {
		got[b.EmployeeName] = orientation.AttendanceWords(b)
	}
	want := map[string]string{"Sam Okafor": "attended", "Li Chen": "attended, arrived late", "Rosa Alvarez": "no-show"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the past session's attendance: %v, want %v", got, want)
	}
	sam, li, rosa := byEmail("staff@onramp.test"), byEmail("li.chen@onramp.test"), byEmail("rosa.alvarez@onramp.test")
	for _, c := range []struct {
		e    *people.Employee
		done bool
	}{{sam, true}, {li, true}, {rosa, false}} {
		j, err := env.App.Learning.Journey(ctx, c.e, demo.OrientationCourse)
		if err != nil {
			t.Fatal(err)
		}
		if j.Done("orientation-day", "classroom-day") != c.done {
			t.Errorf("%s: session step done = %v, want %v", c.e.Email, !c.done, c.done)
		}
	}

	cl, err := o.Checklist(ctx, educator, sam.ID, demo.OrientationCourse, "clinical-skills", "core-skills")
	if err != nil {
		t.Fatalf("Sam's check-off, as the educator sees it: %v", err)
	}
	met, notMet := 0, 0
	for _, m := range cl.Latest {
		if m.Met {
			met++
		} else {
			notMet++
		}
		if m.ObserverName != "Erin Walsh" {
			t.Errorf("a mark by %s", m.ObserverName)
		}
	}
	if !cl.MaySign || cl.SignOff != nil || met == 0 || notMet == 0 || met+notMet >= len(cl.Step.Checkoff.Skills) {
		t.Errorf("Sam's check-off: may sign %v, signed %v, %d met, %d not yet, of %d skills; want half done",
			cl.MaySign, cl.SignOff != nil, met, notMet, len(cl.Step.Checkoff.Skills))
	}
	if c := env.App.Catalog.Course(demo.OrientationCourse); c.Contact == nil {
		t.Error("the orientation course names no contact for questions")
	}
	qs, err := o.Questions(ctx, sam.ID, demo.OrientationCourse)
	if err != nil || len(qs) != 1 {
		t.Errorf("Sam's questions: %v, %v", qs, err)
	}
	// The orientation course is the new clinical staff's only.
	if _, err := env.App.Learning.Journey(ctx, byEmail("hr@onramp.test"), demo.OrientationCourse); err == nil {
		t.Error("HR was assigned the orientation course")
	}

	for _, acc := range demo.Accounts {
		c := env.Client()
		c.Login(acc.Email, demo.Password)
	}
}
