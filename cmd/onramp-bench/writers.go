package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// writer is a learner who posts progress during a pass, and the course
// they post it in.
type writer struct {
	Email, Course string
}

// writerStep is the page step the writers mark read. Every benchmark course
// is a copy of the shipped course, and the step is open on either path
// (the refresher path keeps the full modules open).
func writerStep(course string) string {
	return "/courses/" + course + "/modules/why-it-matters/steps/welcome"
}

// writerPage is how many learners pickWriters looks at per query.
const writerPage = 200

// pickWriters returns up to n active learners, in e-mail order, each with a
// course (the first of courses, in that order) whose current cycle takes
// progress: the latest cycle of an active assignment, open, in progress or
// overdue, on either path. A completed cycle is left out (the learner has
// nothing to do), and so are expired, exempt and closed ones (they refuse
// writes).
//
// It reads a page of learners by e-mail, then their cycles by employee, so
// each query is bounded whatever the planner's statistics: picking from the
// cycles in ID order first found nobody at 100,000 people, whose first
// 2,000 employees (by their time-ordered IDs, in the staff file's order) are
// the managers.
func pickWriters(ctx context.Context, db *sql.DB, courses []string, n int) ([]writer, error) {
	rank := map[string]int{}
	for i, c := range courses {
		rank[c] = i
	}
	var out []writer
	after := ""
	for len(out) < n {
		ids, emails, err := learnerPage(ctx, db, after)
		if err != nil {
			return out, err
		}
		if len(ids) == 0 {
			return out, nil
		}
		after = emails[len(emails)-1]
		best, err := progressable(ctx, db, ids, rank)
		if err != nil {
			return out, err
		}
		for i, id := range ids {
			if c, ok := best[id]; ok && len(out) < n {
				out = append(out, writer{Email: emails[i], Course: courses[c]})
			}
		}
	}
	return out, nil
}

// learnerPage is the next writerPage active learners after the e-mail
// address after.
func learnerPage(ctx context.Context, db *sql.DB, after string) (ids, emails []string, err error) {
	rs, err := db.QueryContext(ctx, `SELECT id, email FROM employees
		WHERE role = 'learner' AND status = 'active' AND email > $1 ORDER BY email LIMIT $2`, after, writerPage)
	if err != nil {
		return nil, nil, fmt.Errorf("learners: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id, email string
		if err := rs.Scan(&id, &email); err != nil {
			return nil, nil, err
		}
		ids, emails = append(ids, id), append(emails, email)
	}
	return ids, emails, rs.Err()
}

// progressable maps each of the employees who has a course of rank (one
// the benchmark made) whose latest cycle takes progress to the lowest such
// rank.
func progressable(ctx context.Context, db *sql.DB, ids []string, rank map[string]int) (map[string]int, error) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rs, err := db.QueryContext(ctx, `SELECT c.employee_id, c.course_id, c.number, c.status
		FROM cycles c JOIN assignments a ON a.id = c.assignment_id
		WHERE a.status = 'active' AND c.employee_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("cycles: %w", err)
	}
	defer rs.Close()
	type key struct{ employee, course string }
	type latest struct {
		number int
		status string
	}
	cur := map[key]latest{}
	for rs.Next() {
		var k key
		var l latest
		if err := rs.Scan(&k.employee, &k.course, &l.number, &l.status); err != nil {
			return nil, err
		}
		if c, ok := cur[k]; !ok || l.number > c.number {
			cur[k] = l
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	best := map[string]int{}
	for k, l := range cur {
		r, ok := rank[k.course]
		if !ok {
			continue
		}
		switch l.status {
		case "open", "in_progress", "overdue":
			if b, seen := best[k.employee]; !seen || r < b {
				best[k.employee] = r
			}
		}
	}
	return best, nil
}
