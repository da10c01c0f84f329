package main

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestPickWritersFindsLearnersBehindTheManagers builds what the 100,000-people
// dataset has at its start: more managers with an open cycle than one page of
// cycles in ID order (the staff file lists the managers first, and IDs are
// time-ordered), then learners whose current cycle is a later one, in another
// course, done, or not theirs to write to, and more than a page of learners
// with nothing to do. The runner used to find nobody there.
func TestPickWritersFindsLearnersBehindTheManagers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	all := apptest.AddYearlyCourses(t, d, 3)
	courses, c0, c1 := all[:2], all[0], all[1]
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

	err = d.Transaction(func(tx *gorm.DB) error {
		person := func(email string, role people.Role, status people.Status) string {
			e := &people.Employee{Email: email, FirstName: "A", LastName: "B", Role: role, Status: status}
			if err := people.Create(tx, e, now); err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		// cycles gives the employee an assignment to the course with
		// one cycle per status, numbered in order.
		cycles := func(emp, course, assignment string, statuses ...compliance.CycleStatus) {
			a := compliance.Assignment{ID: db.NewID(), EmployeeID: emp, CourseID: course, Status: assignment, CreatedAt: now}
			if err := tx.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
			for i, s := range statuses {
				path := compliance.PathFull
				if i > 0 {
					path = compliance.PathRefresher
				}
				c := compliance.Cycle{ID: db.NewID(), AssignmentID: a.ID, EmployeeID: emp, CourseID: course, Number: i + 1,
					Path: path, Status: s, WindowOpensAt: now, DueAt: now, CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&c).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := range writerPage + 50 {
			m := person(fmt.Sprintf("manager.%03d@example.org", i), people.RoleManager, people.StatusActive)
			cycles(m, c0, "active", compliance.StatusOpen)
		}
		// Picked, with the course and cycle the comment names.
		a := person("a.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(a, c0, "active", compliance.StatusCompleted)
		cycles(a, c1, "active", compliance.StatusCompleted, compliance.StatusOpen) // a refresher
		b := person("b.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(b, c0, "active", compliance.StatusExpired, compliance.StatusOverdue) // the second cycle
		e := person("e.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(e, c0, "active", compliance.StatusInProgress)
		cycles(e, c1, "active", compliance.StatusOpen)
		// Not picked.
		c := person("c.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(c, c0, "active", compliance.StatusCompleted)
		cycles(c, c1, "active", compliance.StatusOverdue, compliance.StatusExpired) // only the latest counts
		dd := person("d.learner@example.org", people.RoleLearner, people.StatusInactive)
		cycles(dd, c0, "active", compliance.StatusOpen)
		f := person("f.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(f, c0, "closed", compliance.StatusOverdue)
		cycles(f, c1, "active", compliance.StatusExempt)
		g := person("g.learner@example.org", people.RoleLearner, people.StatusActive)
		cycles(g, all[2], "active", compliance.StatusOpen) // not a course of the benchmark
		// More than a page of learners with nothing to do, first by
		// e-mail.
		for i := range writerPage + 10 {
			l := person(fmt.Sprintf("0.done.%03d@example.org", i), people.RoleLearner, people.StatusActive)
			cycles(l, c0, "active", compliance.StatusCompleted)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	got, err := pickWriters(ctx, d.SQL(), courses, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []writer{{"a.learner@example.org", c1}, {"b.learner@example.org", c0}, {"e.learner@example.org", c0}}
	if !slices.Equal(got, want) {
		t.Errorf("pickWriters(…, 10) = %v, want %v", got, want)
	}
	if got, _ := pickWriters(ctx, d.SQL(), courses, 2); !slices.Equal(got, want[:2]) {
		t.Errorf("pickWriters(…, 2) = %v, want %v", got, want[:2])
	}
}
