package report

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/onramp-lms/onramp/internal/db"
)

// TeamMember is one person who reports to a manager, directly or through
// others, with their standing in each course.
type TeamMember struct {
	EmployeeID string
	Name       string
	JobTitle   string
	Department string
	// Depth is 1 for direct reports, 2 for their reports, and so on.
	Depth int
	// Attention is true when the person is overdue or expired somewhere.
	Attention bool
	Courses   []CurrentStatus
}

// Team is a page of a manager's team.
type Team struct {
	Members []TeamMember
	// People is how many people match the filter in all (Members holds one
	// page of them); Attention is how many of them need attention.
	People    int
	Attention int
	// Next and Prev are the cursors of the following and the preceding
	// page; "" when there is none.
	Next, Prev string
}

// TeamPageSize is how many people a page of the team shows.
const TeamPageSize = 50

// statusConds are the filter's conditions on one person's
// compliance_status rows (alias s), the manager aside, and (person) those
// on their employee record (alias e): job title and site are not copied
// into the standings, and are the same for all of a person's rows. On
// SQLite, which plans without statistics, every column of s but the course
// is written +s.column so that a lookup of one person's rows
// (s.employee_id = …) goes through the primary key (employee_id,
// course_id), never through an index of the department or standing, which
// holds thousands of rows per value: a team filtered by department read
// the department's rows once per member (29 s for 2,340 people at 10,000 ×
// 20 courses).
func statusConds(d *db.DB, f Filter) (conds string, args []any, person string, personArgs []any) {
	var cs, ps []string
	plus := ""
	if d.Dialect == db.SQLite {
		plus = "+"
	}
	add := func(c string, a any) { cs = append(cs, c); args = append(args, a) }
	if f.Department != "" {
		add(plus+"s.department = ?", f.Department)
	}
	if f.JobTitle != "" {
		ps, personArgs = append(ps, "e.job_title = ?"), append(personArgs, f.JobTitle)
	}
	if f.Location != "" {
		ps, personArgs = append(ps, "e.location = ?"), append(personArgs, f.Location)
	}
	if f.Course != "" {
		add("s.course_id = ?", f.Course)
	}
	if f.Status != "" {
		add(plus+"s.status = ?", string(f.Status))
	}
	return strings.Join(cs, " AND "), args, strings.Join(ps, " AND "), personArgs
}

// teamQuery holds what the team's queries share: the manager, and the
// filter's conditions as SQL on a person (alias e) and their
// compliance_status rows.
type teamQuery struct {
	d       *db.DB
	manager string
	// attention is a condition on the person (alias e) that holds when
	// they need attention in a standing that matches the filter; matches
	// ("" with no filter) when they match it: some standing of theirs
	// does, and so does their record. standingAttention is attention
	// without the record's conditions, for people already known to match.
	attention, matches, standingAttention             string
	attentionArgs, matchesArgs, standingAttentionArgs []any
}

func newTeamQuery(d *db.DB, managerID string, f Filter) teamQuery {
	q := teamQuery{d: d, manager: managerID}
	conds, args, person, personArgs := statusConds(d, f)
	standing := "EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = e.id"
	q.standingAttention = standing + " AND s.status IN ('overdue', 'expired')"
	if conds != "" {
		q.standingAttention += " AND " + conds
		q.standingAttentionArgs = args
		q.matches = standing + " AND " + conds + ")"
		q.matchesArgs = args
	}
	q.standingAttention += ")"
	q.attention, q.attentionArgs = q.standingAttention, q.standingAttentionArgs
	if person != "" {
		q.attention += " AND " + person
		q.attentionArgs = append(slices.Clone(q.attentionArgs), personArgs...)
		if q.matches == "" {
			q.matches = standing + ")"
		}
		q.matches += " AND " + person
		q.matchesArgs = append(slices.Clone(q.matchesArgs), personArgs...)
	}
	return q
}

// TeamOf returns a page of the people who report to managerID, directly
// or through others, who match the filter (its Manager is ignored:
// managerID is the root): those who need attention first, then by name,
// size of them (TeamPageSize when size ≤ 0) after the cursor (the first
// page when cursor is ""). With no filter, people with nothing assigned are
// included. A cursor that is not one TeamOf gave out is a *CursorError.
//
// Its cost is the page's, not the team's: the team is read in two parts,
// those who need attention and the others, each in name order. A part
// with many of the team in it is read from the whole staff in name order
// (employees_name_idx), each person tested by walking up their management
// chain (a few primary-key reads) and probing their standings, until the
// page is full: at 100,000 people a page of a top manager's 22,228 reads a
// few hundred people. A part with few of them is read the other way,
// walking the chain down and sorting what matches; when both parts are
// (a small team, a narrow filter such as a department), the page is read
// in one walk sorted by (rank, name), and the whole walk, a few thousand
// people at most, is kept like the counts (teamWalkOf), so that the next
// pages and visits cost their page. Which way is decided from the team's
// counts (teamCounts), which are shown and kept per report generation: the
// only reading whose cost grows with the team is theirs, once per
// generation. The standings are read for the page's people only.
func TeamOf(ctx context.Context, d *db.DB, managerID string, f Filter, cur string, size int) (Team, error) {
	var t Team
	if size <= 0 {
		size = TeamPageSize
	}
	size = min(size, MaxPageSize)
	var key *teamKey
	var before bool
	if cur != "" {
		k, b, err := decodeTeamCursor(cur)
		if err != nil {
			return t, err
		}
		key, before = &k, b
	}
	counts, err := teamCountsOf(ctx, d, managerID, f)
	if err != nil {
		return t, err
	}
	t.People, t.Attention = counts.People, counts.Attention
	q := newTeamQuery(d, managerID, f)
	// The parts in the order they are read: forwards, attention (rank 0)
	// then the others; backwards (a Previous link), the other way round.
	// The cursor's part is read from the cursor, the next one from its
	// start (or, backwards, its end).
	ranks := []int{0, 1}
	if before {
		ranks = []int{1, 0}
	}
	want := size + 1
	var rows []teamRow
	if q.byOneWalk(ctx, counts, want) {
		if rows, err = q.walkPage(ctx, f, counts, key, before, want); err != nil {
			return t, fmt.Errorf("team of %s: %w", managerID, err)
		}
		ranks = nil
	}
	started := key == nil
	for _, rank := range ranks {
		if !started {
			if rank != key.rank {
				continue
			}
			started = true
		}
		var from *teamKey
		if key != nil && rank == key.rank {
			from = key
		}
		part, err := q.part(ctx, counts, rank, from, before, want-len(rows))
		if err != nil {
			return t, fmt.Errorf("team of %s: %w", managerID, err)
		}
		rows = append(rows, part...)
		if len(rows) >= want {
			break
		}
	}
	if len(rows) == 0 {
		return t, nil
	}
	more := len(rows) > size
	if more {
		rows = rows[:size]
	}
	if before {
		slices.Reverse(rows)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		t.Members = append(t.Members, TeamMember{
			EmployeeID: r.ID, Name: strings.TrimSpace(r.FirstName + " " + r.LastName), JobTitle: r.JobTitle,
			Department: r.Department, Depth: r.depth(), Attention: r.Rank == 0,
		})
	}
	if !before && more || before {
		t.Next = encodeTeamCursor(rows[len(rows)-1].key(), false)
	}
	if !before && cur != "" || before && more {
		t.Prev = encodeTeamCursor(rows[0].key(), true)
	}
	byEmployee, err := statusesOf(ctx, d, ids, f)
	if err != nil {
		return t, err
	}
	for i := range t.Members {
		t.Members[i].Courses = byEmployee[t.Members[i].EmployeeID]
	}
	return t, nil
}

// teamRow is one person as the team's queries read them.
type teamRow struct {
	ID, FirstName, LastName, JobTitle, Department string
	// Depth is nil for someone outside the team (read by name from the
	// whole staff).
	Depth *int
	// Rank is 0 for someone who needs attention, 1 otherwise; Matches is
	// 1 when a standing of theirs matches the filter (always with none).
	Rank, Matches int
}

func (r teamRow) depth() int {
	if r.Depth == nil {
		return 0
	}
	return *r.Depth
}

func (r teamRow) key() teamKey {
	return teamKey{rank: r.Rank, last: r.LastName, first: r.FirstName, id: r.ID}
}

// teamKey is a place in the team's order (rank, last_name, first_name,
// id), what a cursor holds.
type teamKey struct {
	rank            int
	last, first, id string
}

// scanCost is how many people walking the chain down visits in the time
// reading one by name from the whole staff takes (walking their chain up
// and probing their standings): about 2.5 at 10,000 people with a
// department filter, more where chains are longer.
const scanCost = 3

// readByName reports whether a part of the team with inPart people in it is
// read from the whole staff by name (rather than by walking the chain
// down) for want of them.
func readByName(c teamCounts, inPart, want int) bool {
	// Reading by name visits about want × employees / inPart people;
	// walking the chain, all of it.
	return int64(want)*int64(c.Employees)*scanCost < int64(inPart)*int64(c.Chain)
}

// byOneWalk reports whether the page is read in one walk of the chain
// sorted by (rank, name) (walk): when every part it may read from would
// be read by the chain anyway (a narrow filter, a small team), which then
// walks the chain once a page instead of once a part.
func (q teamQuery) byOneWalk(ctx context.Context, c teamCounts, want int) bool {
	way, _ := ctx.Value(teamWayKey{}).(teamWay)
	switch {
	case way.oneWalk:
		return true
	case way.chain || way.scanBudget > 0:
		return false
	case q.matches != "" && c.People <= maxKeptWalk:
		// A filtered team small enough to keep: walked once per report
		// generation (teamWalkOf), then each page costs its page.
		return true
	}
	for _, inPart := range []int{c.Attention, c.People - c.Attention} {
		if inPart > 0 && readByName(c, inPart, want) {
			return false
		}
	}
	return true
}

// Reading a part of the team from the whole staff in name order: the
// first batch is sized from how densely the part is expected to sit in
// the staff, later ones double, up to maxScanBatch; the reading gives way
// to walking the chain once it has read as many people as the chain holds
// (a part spread unevenly over the alphabet, or its last page).
const (
	minScanBatch = 64
	maxScanBatch = 4000
)

// part reads up to want people of one part of the team (rank 0: those
// who need attention; 1: the others) after from (before it when back),
// in the part's order (reversed when back).
func (q teamQuery) part(ctx context.Context, c teamCounts, rank int, from *teamKey, back bool, want int) ([]teamRow, error) {
	inPart := c.Attention
	if rank == 1 {
		inPart = c.People - c.Attention
	}
	if inPart <= 0 || want <= 0 {
		// The counts are of this report generation, which every change
		// to compliance_status and to people moves on (Changed).
		return nil, nil
	}
	// Reading by name visits about want × employees / inPart people;
	// walking the chain, all of it, each visit scanCost times cheaper.
	expect := int64(want) * int64(c.Employees) / int64(inPart)
	budget := max(c.Chain/scanCost, 1)
	way, _ := ctx.Value(teamWayKey{}).(teamWay)
	switch {
	case way.chain:
		return q.partByChain(ctx, rank, from, back, want)
	case way.scanBudget > 0:
		budget = way.scanBudget
	case !readByName(c, inPart, want):
		return q.partByChain(ctx, rank, from, back, want)
	}
	var out []teamRow
	batch := int(min(max(2*expect, minScanBatch), maxScanBatch, int64(budget)))
	visited := 0
	for {
		got, err := q.scan(ctx, from, back, batch)
		if err != nil {
			return nil, err
		}
		visited += len(got)
		for _, r := range got {
			if r.Depth != nil && r.Rank == rank && r.Matches == 1 {
				out = append(out, r)
				if len(out) == want {
					return out, nil
				}
			}
		}
		if len(got) < batch {
			return out, nil // the end of the staff
		}
		last := got[len(got)-1].key()
		last.rank = rank
		from = &last
		if visited >= budget {
			more, err := q.partByChain(ctx, rank, from, back, want-len(out))
			return append(out, more...), err
		}
		batch = min(2*batch, maxScanBatch, budget-visited)
	}
}

// teamWay, in a context (tests only), sets how TeamOf reads each part of
// the team: by walking the chain (chain), or by name with scanBudget as
// the budget, or in one walk of the chain (whatever the counts say).
type teamWay struct {
	chain, oneWalk bool
	// notKept reads each page of the one walk from the database, not
	// from the kept walk (teamWalkOf).
	notKept    bool
	scanBudget int
}

type teamWayKey struct{}

// upSQL is the depth of e below the manager (the first and second
// arguments: the manager's ID twice), NULL when e is not below them:
// e's management chain walked up, a primary-key read a level, as far as
// the manager or 32 levels (as chainSQL walks down).
const upSQL = `(WITH RECURSIVE up(id, depth) AS (
    SELECT e.manager_id, 1
    UNION ALL
    SELECT x.manager_id, up.depth + 1 FROM employees x JOIN up ON x.id = up.id WHERE up.depth < 32 AND up.id <> ?
  ) SELECT MIN(depth) FROM up WHERE id = ?)`

// scan reads n active people from the whole staff in name order after
// from (before it when back), each with their depth below the manager,
// whether they need attention and whether they match the filter.
func (q teamQuery) scan(ctx context.Context, from *teamKey, back bool, n int) ([]teamRow, error) {
	s, args := q.scanSQL(from, back, n)
	var rows []teamRow
	err := q.d.WithContext(ctx).Raw(s, args...).Scan(&rows).Error
	return rows, err
}

// scanSQL is scan's query. Its plan on SQLite (EXPLAIN QUERY PLAN):
//
//	SEARCH e USING INDEX employees_name_idx ((last_name,first_name,id)>(?,?,?))
//	CORRELATED SCALAR SUBQUERY: SEARCH x USING INDEX sqlite_autoindex_employees_1 (id=?), recursively
//	CORRELATED SCALAR SUBQUERY: SEARCH s USING INDEX compliance_status_attention_idx (employee_id=?)
//	(with a filter) CORRELATED SCALAR SUBQUERY: SEARCH s USING INDEX sqlite_autoindex_compliance_status_1 (employee_id=?)
func (q teamQuery) scanSQL(from *teamKey, back bool, n int) (string, []any) {
	args := []any{q.manager, q.manager}
	args = append(args, q.attentionArgs...)
	matches := "1"
	if q.matches != "" {
		matches = "CASE WHEN " + q.matches + " THEN 1 ELSE 0 END"
		args = append(args, q.matchesArgs...)
	}
	s := `SELECT e.id, e.first_name, e.last_name, e.job_title, e.department, ` + upSQL + ` AS depth,
	  CASE WHEN ` + q.attention + ` THEN 0 ELSE 1 END AS ` + "rank" + `, ` + matches + ` AS matches
	  FROM employees e WHERE e.status = 'active'`
	order := " ORDER BY e.last_name, e.first_name, e.id"
	if from != nil {
		op := " > "
		if back {
			op = " < "
		}
		s += " AND (e.last_name, e.first_name, e.id)" + op + "(?, ?, ?)"
		args = append(args, from.last, from.first, from.id)
	}
	if back {
		order = " ORDER BY e.last_name DESC, e.first_name DESC, e.id DESC"
	}
	return s + order + fmt.Sprintf(" LIMIT %d", n), args
}

// partByChain reads up to want people of one part of the team by walking
// the chain down and sorting those in the part.
func (q teamQuery) partByChain(ctx context.Context, rank int, from *teamKey, back bool, want int) ([]teamRow, error) {
	s, args := q.byChainSQL(rank, from, back, want)
	var rows []teamRow
	err := q.d.WithContext(ctx).Raw(s, args...).Scan(&rows).Error
	return rows, err
}

// byChainSQL is partByChain's query. Its plan on SQLite: the chain
// materialized (employees_manager_idx, recursively), each member read by
// primary key and probed (compliance_status_attention_idx), those in the
// part grouped (a loop in the HR data reaches someone twice) and sorted.
func (q teamQuery) byChainSQL(rank int, from *teamKey, back bool, want int) (string, []any) {
	cond := q.attention
	args := []any{q.manager}
	args = append(args, q.attentionArgs...)
	if rank == 1 {
		cond = "NOT " + cond
		if q.matches != "" {
			cond += " AND " + q.matches
			args = append(args, q.matchesArgs...)
		}
	}
	s := chainSQL + `, members AS (
	  SELECT e.id, e.first_name, e.last_name, e.job_title, e.department, MIN(ch.depth) AS depth
	  FROM chain ch CROSS JOIN employees e
	  WHERE e.id = ch.id AND e.status = 'active' AND ` + cond + `
	  GROUP BY e.id, e.first_name, e.last_name, e.job_title, e.department)
	SELECT m.id, m.first_name, m.last_name, m.job_title, m.department, m.depth, ` + strconv.Itoa(rank) + ` AS ` + "rank" + `, 1 AS matches FROM members m`
	order := " ORDER BY m.last_name, m.first_name, m.id"
	if from != nil {
		op := " > "
		if back {
			op = " < "
		}
		s += " WHERE (m.last_name, m.first_name, m.id)" + op + "(?, ?, ?)"
		args = append(args, from.last, from.first, from.id)
	}
	if back {
		order = " ORDER BY m.last_name DESC, m.first_name DESC, m.id DESC"
	}
	return s + order + fmt.Sprintf(" LIMIT %d", want), args
}

// walkPage reads up to want people of the team after from (before it
// when back), both parts at once, in the team's order (reversed when
// back): from the whole walk of the chain kept for the manager, filter
// and report generation (teamWalkOf) when it is small enough to keep,
// otherwise from one walk (walk).
func (q teamQuery) walkPage(ctx context.Context, f Filter, c teamCounts, from *teamKey, back bool, want int) ([]teamRow, error) {
	if way, _ := ctx.Value(teamWayKey{}).(teamWay); c.People > maxKeptWalk || way.notKept {
		return q.walk(ctx, from, back, want)
	}
	all, err := teamWalkOf(ctx, q, f)
	if err != nil {
		return nil, err
	}
	// The cursor is a row of a page of the same generation: found by
	// its ID, not compared (the database's collation sorted them).
	at := 0
	if from != nil {
		at = slices.IndexFunc(all, func(r teamRow) bool { return r.ID == from.id && r.Rank == from.rank })
		if at < 0 {
			// Not one of the kept walk's (the reports changed since).
			return q.walk(ctx, from, back, want)
		}
		if !back {
			at++
		}
	}
	if !back {
		return slices.Clone(all[at:min(at+want, len(all))]), nil
	}
	out := slices.Clone(all[max(at-want, 0):at])
	slices.Reverse(out)
	return out, nil
}

// walk reads up to want people of the team after from (before it when
// back), both parts at once, in the team's order (reversed when back);
// with want 0, all of them in order.
func (q teamQuery) walk(ctx context.Context, from *teamKey, back bool, want int) ([]teamRow, error) {
	s, args := q.walkSQL(from, back, want)
	var rows []teamRow
	err := q.d.WithContext(ctx).Raw(s, args...).Scan(&rows).Error
	return rows, err
}

// walkSQL is walk's query. Its plan on SQLite: the chain materialized
// (employees_manager_idx, recursively), each member read by primary key
// and, with a filter, probed in the primary key of compliance_status;
// those who match grouped (a loop in the HR data reaches someone twice),
// ranked (compliance_status_attention_idx) and sorted.
func (q teamQuery) walkSQL(from *teamKey, back bool, want int) (string, []any) {
	args := []any{q.manager}
	where := ""
	if q.matches != "" {
		where = " AND " + q.matches
		args = append(args, q.matchesArgs...)
	}
	args = append(args, q.standingAttentionArgs...)
	// The rank is worked out on the grouped members, who all match the
	// filter, their record included.
	attention := strings.Replace(q.standingAttention, "s.employee_id = e.id", "s.employee_id = g.id", 1)
	s := chainSQL + `, members AS (
	  SELECT e.id, e.first_name, e.last_name, e.job_title, e.department, MIN(ch.depth) AS depth
	  FROM chain ch CROSS JOIN employees e
	  WHERE e.id = ch.id AND e.status = 'active'` + where + `
	  GROUP BY e.id, e.first_name, e.last_name, e.job_title, e.department),
	ranked AS (
	  SELECT g.id, g.first_name, g.last_name, g.job_title, g.department, g.depth,
	    CASE WHEN ` + attention + ` THEN 0 ELSE 1 END AS rank
	  FROM members g)
	SELECT m.id, m.first_name, m.last_name, m.job_title, m.department, m.depth, m.rank, 1 AS matches FROM ranked m`
	order := " ORDER BY m.rank, m.last_name, m.first_name, m.id"
	if from != nil {
		op := " > "
		if back {
			op = " < "
		}
		s += " WHERE (m.rank, m.last_name, m.first_name, m.id)" + op + "(?, ?, ?, ?)"
		args = append(args, from.rank, from.last, from.first, from.id)
	}
	if back {
		order = " ORDER BY m.rank DESC, m.last_name DESC, m.first_name DESC, m.id DESC"
	}
	if want <= 0 {
		return s + order, args
	}
	return s + order + fmt.Sprintf(" LIMIT %d", want), args
}

// teamCursor names the team page in a cursor, which is otherwise a
// report's.
const teamCursor = "team"

func encodeTeamCursor(k teamKey, before bool) string {
	b, _ := json.Marshal(cursor{Report: teamCursor, Before: before, Key: []string{strconv.Itoa(k.rank), k.last, k.first, k.id}})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTeamCursor(s string) (teamKey, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Report != teamCursor || len(c.Key) != 4 {
		return teamKey{}, false, &CursorError{}
	}
	rank, err := strconv.Atoi(c.Key[0])
	if err != nil || rank < 0 || rank > 1 {
		return teamKey{}, false, &CursorError{}
	}
	return teamKey{rank: rank, last: c.Key[1], first: c.Key[2], id: c.Key[3]}, c.Before, nil
}

// statusesOf reads the standings of the given people that match the
// filter, by course title. The people are the team's, who match the
// filter's conditions on their record (job title, site) already.
func statusesOf(ctx context.Context, d *db.DB, ids []string, f Filter) (map[string][]CurrentStatus, error) {
	out := map[string][]CurrentStatus{}
	conds, condArgs, _, _ := statusConds(d, f)
	for start := 0; start < len(ids); start += refreshChunk {
		part := ids[start:min(start+refreshChunk, len(ids))]
		q := `SELECT s.employee_id, s.course_id, COALESCE(co.title, s.course_id) AS course_title, s.cycle_id, s.status,
			s.due_at, s.completed_at, s.expires_at
			FROM compliance_status s LEFT JOIN courses co ON co.id = s.course_id WHERE s.employee_id IN ?`
		args := []any{part}
		if conds != "" {
			q += " AND " + conds
			args = append(args, condArgs...)
		}
		var sts []CurrentStatus
		if err := d.WithContext(ctx).Raw(q+" ORDER BY course_title, s.course_id", args...).Scan(&sts).Error; err != nil {
			return nil, fmt.Errorf("team standings: %w", err)
		}
		for _, s := range sts {
			out[s.EmployeeID] = append(out[s.EmployeeID], s)
		}
	}
	return out, nil
}

// StatusesOf returns one person's standing in each course.
func StatusesOf(ctx context.Context, d *db.DB, employeeID string) ([]CurrentStatus, error) {
	m, err := statusesOf(ctx, d, []string{employeeID}, Filter{})
	return m[employeeID], err
}

// ChainCTE is the recursive query of everyone below a manager in the
// management chain (directly or through others): `WITH RECURSIVE chain(id,
// depth) AS (…)` taking the manager's ID as its one argument, to be
// followed by a SELECT that reads chain.
const ChainCTE = chainSQL

// Manages reports whether managerID is above employeeID in the management
// chain (directly or through others): employeeID's chain walked up, a
// primary-key read a level.
func Manages(ctx context.Context, d *db.DB, managerID, employeeID string) (bool, error) {
	var rows []struct{ Depth *int }
	err := d.WithContext(ctx).Raw(`SELECT `+upSQL+` AS depth FROM employees e WHERE e.id = ?`, managerID, managerID, employeeID).Scan(&rows).Error
	if err != nil {
		return false, fmt.Errorf("management chain: %w", err)
	}
	return len(rows) == 1 && rows[0].Depth != nil, nil
}
