package report_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// teamPerson is someone of the team fixture, with what the team page
// should make of them.
type teamPerson struct {
	e        *people.Employee
	manager  *teamPerson
	active   bool
	statuses map[string]string // course → standing
}

// depthBelow is how far p is below m in the management chain (0: not).
func (p *teamPerson) depthBelow(m *teamPerson) int {
	d := 1
	for up := p.manager; up != nil; up = up.manager {
		if up == m {
			return d
		}
		d++
	}
	return 0
}

// teamOrg is a boss with direct reports, a lead's reports (depth 2) and
// a sub-lead's (depth 3); another manager's people beside them; people
// who share a name (the ID decides), leavers, people with nothing
// assigned, a mix of standings in two courses, two job titles and two
// sites.
type teamOrg struct {
	f      *fixture
	boss   *teamPerson
	people []*teamPerson
}

func newTeamOrg(t *testing.T) *teamOrg {
	f := newFixture(t)
	o := &teamOrg{f: f}
	add := func(first, last string, manager *teamPerson, active bool, statuses map[string]string) *teamPerson {
		t.Helper()
		e := &people.Employee{Email: fmt.Sprintf("p%03d@example.org", len(o.people)), FirstName: first, LastName: last,
			Department: "Ward " + last[:1], JobTitle: []string{"Nurse", "Porter", "Nurse", "Nurse"}[len(o.people)%4],
			Location: []string{"North", "North", "South", "North", "North", "South", "North"}[len(o.people)%7]}
		if manager != nil {
			e.ManagerID = &manager.e.ID
		}
		if !active {
			e.Status = people.StatusInactive
		}
		must(t, f.db.Transaction(func(tx *gorm.DB) error { return people.Create(tx, e, testNow) }))
		for course, status := range statuses {
			must(t, f.db.Exec(`INSERT INTO compliance_status (employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at,
				department, sort_name, refreshed_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
				e.ID, course, "a-"+e.ID+course, "c-"+e.ID+course, status, testNow, e.Department,
				strings.ToLower(e.LastName+" "+e.FirstName), testNow).Error)
		}
		p := &teamPerson{e: e, manager: manager, active: active, statuses: statuses}
		o.people = append(o.people, p)
		return p
	}
	o.boss = add("Bea", "Boss", nil, true, nil)
	lead := add("Len", "Lead", o.boss, true, nil)
	other := add("Olga", "Other", nil, true, map[string]string{"fire": "overdue"})
	var sub *teamPerson
	lasts := []string{"Adams", "Baker", "Clark", "Baker", "Young"}
	standings := []map[string]string{
		{"fire": "overdue"},
		{"fire": "completed", "privacy": "expired"},
		{"fire": "not_started"},
		nil, // nothing assigned
		{"fire": "completed", "privacy": "in_progress"},
		{"privacy": "overdue"},
	}
	for i := range 48 {
		manager := []*teamPerson{o.boss, lead, other}[i%3]
		if sub != nil && i%8 == 7 {
			manager = sub
		}
		// Two of each first name and last name: some people share both.
		p := add(fmt.Sprintf("P%d", i%9), lasts[i%5], manager, i%13 != 6, standings[i%6])
		if i == 4 {
			sub = p
		}
	}
	return o
}

// want is the boss's team for a filter on a course, a department, a job
// title or a site (or none), in the page's order: those who need attention first, then
// by name and ID.
func (o *teamOrg) want(f report.Filter) (ids []string, attention int) {
	type member struct {
		p    *teamPerson
		rank int
	}
	var ms []member
	for _, p := range o.people {
		if !p.active || p.depthBelow(o.boss) == 0 {
			continue
		}
		rank := 1
		if f.JobTitle != "" && p.e.JobTitle != f.JobTitle || f.Location != "" && p.e.Location != f.Location {
			continue
		}
		matches := f.Course == "" && f.Department == "" && f.JobTitle == "" && f.Location == ""
		for c, s := range p.statuses {
			if f.Course != "" && c != f.Course || f.Department != "" && p.e.Department != f.Department {
				continue
			}
			matches = true
			if s == "overdue" || s == "expired" {
				rank = 0
			}
		}
		if matches {
			ms = append(ms, member{p, rank})
		}
	}
	slices.SortFunc(ms, func(a, b member) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.p.e.LastName, b.p.e.LastName),
			cmp.Compare(a.p.e.FirstName, b.p.e.FirstName), cmp.Compare(a.p.e.ID, b.p.e.ID))
	})
	for _, m := range ms {
		ids = append(ids, fmt.Sprintf("%s %s (%d, %v)", m.p.e.FullName(), m.p.e.ID[len(m.p.e.ID)-4:], m.p.depthBelow(o.boss), m.rank == 0))
		if m.rank == 0 {
			attention++
		}
	}
	return ids, attention
}

func (o *teamOrg) shown(team report.Team) []string {
	var out []string
	for _, m := range team.Members {
		out = append(out, fmt.Sprintf("%s %s (%d, %v)", m.Name, m.EmployeeID[len(m.EmployeeID)-4:], m.Depth, m.Attention))
	}
	return out
}

// TestTeamPagesEveryWay: the team page reads a part of the team (those
// who need attention, the others) either from the whole staff by name,
// testing each person's management chain, or by walking the chain down,
// and may switch from the first to the second halfway; or it reads both
// parts at once in one walk of the chain sorted by (rank, name), as for
// a narrow filter such as a department (a page at a time, or the whole
// walk kept in memory and paged). Whichever way, with no filter, a
// course, a department, a job title or a site (the last two are the
// employee record's, not copied into the standings),
// walking the pages forwards with Next and backwards with Previous, in
// pages of 1, 2, 5 and 50 people, shows the team in its order (attention
// first, then by name, the ID breaking ties) across the boundary between
// the parts, with depths, and nobody twice or missing: leavers, other
// managers' people and, with a filter, those without a standing that
// matches it are left out.
func TestTeamPagesEveryWay(t *testing.T) {
	t.Parallel()
	o := newTeamOrg(t)
	ways := []struct {
		name string
		ctx  context.Context
	}{
		{"as TeamOf chooses", context.Background()},
		{"by the chain", report.TeamReadByChain(context.Background())},
		{"by name", report.TeamReadByName(context.Background(), 1<<20)},
		{"by name, then the chain after 3 people", report.TeamReadByName(context.Background(), 3)},
		{"in one walk of the chain, kept", report.TeamReadInOneWalk(context.Background(), true)},
		{"in one walk of the chain a page", report.TeamReadInOneWalk(context.Background(), false)},
	}
	for _, f := range []report.Filter{{}, {Course: "fire"}, {Department: "Ward B"}, {JobTitle: "Nurse"},
		{JobTitle: "Nurse", Course: "fire"}, {JobTitle: "Porter"}, {Location: "South"}} {
		want, attention := o.want(f)
		if attention == 0 || attention == len(want) || len(want) < 6 {
			t.Fatalf("the fixture does not have both parts for %v: %d of %d need attention", f.Map(), attention, len(want))
		}
		course := fmt.Sprint(f.Map())
		for _, way := range ways {
			for _, size := range []int{1, 2, 5, 50} {
				name := fmt.Sprintf("%s, filter %s, pages of %d", way.name, course, size)
				var got []string
				var pages []report.Team
				cur := ""
				for {
					team, err := report.TeamOf(way.ctx, o.f.db, o.boss.e.ID, f, cur, size)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if team.People != len(want) || team.Attention != attention {
						t.Errorf("%s: counts %d people, %d need attention; want %d, %d", name, team.People, team.Attention, len(want), attention)
					}
					if (cur == "") != (team.Prev == "") || len(team.Members) == 0 || len(team.Members) > size {
						t.Fatalf("%s: page %d has %d people, previous link %q", name, len(pages)+1, len(team.Members), team.Prev)
					}
					got = append(got, o.shown(team)...)
					pages = append(pages, team)
					if team.Next == "" || len(pages) > len(want) {
						break
					}
					cur = team.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s, forwards:\n got %q\nwant %q", name, got, want)
					continue
				}
				// Backwards from the last page: the pages before it, in
				// the same order.
				var back []string
				cur = pages[len(pages)-1].Prev
				for n := 0; cur != ""; n++ {
					team, err := report.TeamOf(way.ctx, o.f.db, o.boss.e.ID, f, cur, size)
					if err != nil {
						t.Fatalf("%s, backwards: %v", name, err)
					}
					if team.Next == "" || len(team.Members) != size || n > len(want) {
						t.Fatalf("%s, backwards: %d people, next %q", name, len(team.Members), team.Next)
					}
					back = append(o.shown(team), back...)
					cur = team.Prev
				}
				if before := want[:len(want)-len(pages[len(pages)-1].Members)]; !slices.Equal(back, before) {
					t.Errorf("%s, backwards:\n got %q\nwant %q", name, back, before)
				}
			}
		}
	}
}

// TestTeamCountsAreKeptUntilTheReportsChange: the team's counts (and a
// small team's walk, its pages' people) are read once per filter and kept
// (the page asks for them on every request, and counting walks the whole
// chain), and read again as soon as the report generation moves on.
func TestTeamCountsAreKeptUntilTheReportsChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	boss := f.person("Maria", "Manager", "Nursing", nil)
	ana := f.person("Ana", "Tester", "Ward A", boss)
	standing := func(e *people.Employee, course, status string) {
		t.Helper()
		must(t, f.db.Exec(`INSERT INTO compliance_status (employee_id, course_id, assignment_id, cycle_id, cycle_number, status, due_at,
			department, sort_name, refreshed_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
			e.ID, course, "a-"+e.ID, "c-"+e.ID, status, testNow, e.Department, e.LastName, testNow).Error)
	}
	standing(ana, "fire", "overdue")
	counts := func(flt report.Filter) (int, int) {
		t.Helper()
		team, err := report.TeamOf(ctx, f.db, boss.ID, flt, "", 0)
		must(t, err)
		// The page's people are kept (a small team is read in one walk
		// kept in memory) as the counts are.
		if len(team.Members) != team.People {
			t.Errorf("%v: %d people on the page, counted %d", flt.Map(), len(team.Members), team.People)
		}
		return team.People, team.Attention
	}
	if p, a := counts(report.Filter{}); p != 1 || a != 1 {
		t.Fatalf("before: %d people, %d need attention; want 1, 1", p, a)
	}
	// A change the report generation does not know about: the kept counts
	// stand; a filter not counted yet is counted now.
	ben := f.person("Ben", "Tester", "Ward A", boss)
	standing(ben, "privacy", "expired")
	if p, a := counts(report.Filter{}); p != 1 || a != 1 {
		t.Fatalf("counted again without a change of generation: %d people, %d need attention; want the kept 1, 1", p, a)
	}
	if p, a := counts(report.Filter{Course: "privacy"}); p != 1 || a != 1 {
		t.Fatalf("privacy: %d people, %d need attention; want 1, 1", p, a)
	}
	must(t, f.db.Transaction(func(tx *gorm.DB) error { return report.Changed(tx) }))
	if p, a := counts(report.Filter{}); p != 2 || a != 2 {
		t.Fatalf("after the reports changed: %d people, %d need attention; want 2, 2", p, a)
	}
}

// TestTeamPlans checks on SQLite, without statistics (as Onramp runs it:
// nothing runs ANALYZE), that the team's queries read what TeamOf's
// comments say: by name, a range of employees_name_idx with no sort; a
// member's standings through the primary key of compliance_status, never
// through an index of the filtered column (a department filter read the
// department's rows once per member); by the chain and in one walk of it
// (a narrow filter), the chain walked down with no full read or sort of
// the staff.
func TestTeamPlans(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if f.db.Dialect != db.SQLite {
		t.Skip("SQLite's plans")
	}
	boss := f.person("Maria", "Manager", "Nursing", nil)
	for _, flt := range []report.Filter{{}, {Department: "Ward A"}, {Department: "Ward A", Status: report.StatusOverdue}, {JobTitle: "Nurse", Location: "North"}, {Course: "fire"}} {
		for _, q := range report.TeamSQL(f.db, boss.ID, flt) {
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			must(t, f.db.Raw("EXPLAIN QUERY PLAN "+q.SQL, q.Args...).Scan(&plan).Error)
			var lines []string
			for _, p := range plan {
				lines = append(lines, p.Detail)
			}
			all := strings.Join(lines, "\n")
			t.Logf("%s %v:\n%s", q.Name, flt.Map(), all)
			for _, index := range []string{"compliance_status_department_idx", "compliance_status_job_title_idx", "compliance_status_location_idx",
				"compliance_status_course_idx", "SCAN s"} {
				if strings.Contains(all, index) {
					t.Errorf("%s %v: a member's standings are read through %s:\n%s", q.Name, flt.Map(), index, all)
				}
			}
			if strings.HasPrefix(q.Name, "one walk") || q.Name == "by chain" {
				// The narrow-filter reads: the chain walked down and each
				// member read by primary key; nothing read or sorted of
				// the whole staff (only the members are grouped and
				// sorted).
				if !strings.Contains(all, "employees_manager_idx") || !strings.Contains(all, "SEARCH e USING INDEX sqlite_autoindex_employees_1 (id=?)") {
					t.Errorf("%s %v: not a walk down the chain:\n%s", q.Name, flt.Map(), all)
				}
				for _, whole := range []string{"SCAN e\n", "SCAN employees", "employees_name_idx", "COVERING INDEX employees_"} {
					if strings.Contains(all+"\n", whole) {
						t.Errorf("%s %v: reads the whole staff (%q):\n%s", q.Name, flt.Map(), strings.TrimSpace(whole), all)
					}
				}
			}
			if strings.HasPrefix(q.Name, "by name") {
				if !strings.Contains(all, "employees_name_idx") || strings.Contains(all, "TEMP B-TREE") {
					t.Errorf("%s %v: not a range of employees_name_idx in order:\n%s", q.Name, flt.Map(), all)
				}
			}
		}
	}
}
