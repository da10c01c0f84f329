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

// statusConds are the filter's conditions on compliance_status rows (alias
// s), the manager aside.
func statusConds(f Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if f.Department != "" {
		add("s.department = ?", f.Department)
	}
	if f.JobTitle != "" {
		add("s.job_title = ?", f.JobTitle)
	}
	if f.Location != "" {
		add("s.location = ?", f.Location)
	}
	if f.Course != "" {
		add("s.course_id = ?", f.Course)
	}
	if f.Status != "" {
		add("s.status = ?", string(f.Status))
	}
	return strings.Join(conds, " AND "), args
}

// TeamOf returns a page of the people who report to managerID, directly
// or through others, who match the filter (its Manager is ignored:
// managerID is the root): those who need attention first, then by name,
// size of them (TeamPageSize when size ≤ 0) after the cursor (the first
// page when cursor is ""). With no filter, people with nothing assigned are
// included. The team is walked once, in one query that also counts it; its
// cost grows with the team (the management chain, then each member's
// standings by primary key), and the standings are read for the page's
// people only. A cursor that is not one TeamOf gave out is a *CursorError.
func TeamOf(ctx context.Context, d *db.DB, managerID string, f Filter, cur string, size int) (Team, error) {
	var t Team
	if size <= 0 {
		size = TeamPageSize
	}
	size = min(size, MaxPageSize)
	conds, condArgs := statusConds(f)
	// rank is 0 for people who need attention, 1 for the others: the page
	// order is (rank, last_name, first_name, id), ascending, so a cursor
	// is a plain row-value comparison. Whether someone needs attention is
	// one probe of the partial index compliance_status_attention_idx; the
	// chain comes first (CROSS JOIN fixes the order on SQLite, which would
	// otherwise read every employee and look each up in the chain). Its
	// plan on SQLite (EXPLAIN QUERY PLAN, 4,000 people × 20 courses):
	//
	//	MATERIALIZE chain: SEARCH employees USING INDEX employees_manager_idx (manager_id=?), recursively
	//	SCAN ch; SEARCH e USING INDEX sqlite_autoindex_employees_1 (id=?)
	//	CORRELATED SCALAR SUBQUERY: SEARCH s USING INDEX compliance_status_attention_idx (employee_id=?)
	//	USE TEMP B-TREE FOR GROUP BY, then ORDER BY: the team's members only
	attention := "SELECT 1 FROM compliance_status s WHERE s.employee_id = e.id AND s.status IN ('overdue', 'expired')"
	matches := ""
	args := []any{managerID}
	if conds != "" {
		// Once for attention, once for matches.
		args = append(append(args, condArgs...), condArgs...)
		attention += " AND " + conds
		matches = " AND EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = e.id AND " + conds + ")"
	}
	members := chainSQL + `, members AS (
	  SELECT e.id, e.first_name, e.last_name, e.job_title, e.department, MIN(ch.depth) AS depth,
	    CASE WHEN EXISTS (` + attention + `) THEN 0 ELSE 1 END AS ` + "rank" + `
	  FROM chain ch CROSS JOIN employees e
	  WHERE e.id = ch.id AND e.status = 'active'` + matches + `
	  GROUP BY e.id, e.first_name, e.last_name, e.job_title, e.department) `
	baseArgs := append([]any{}, args...)
	var before bool
	where := ""
	if cur != "" {
		key, b, err := decodeTeamCursor(cur)
		if err != nil {
			return t, err
		}
		before = b
		op := " > "
		if before {
			op = " < "
		}
		where = " WHERE (m.rank, m.last_name, m.first_name, m.id)" + op + "(?, ?, ?, ?)"
		args = append(args, key...)
	}
	order := " ORDER BY m.rank, m.last_name, m.first_name, m.id"
	if before {
		order = " ORDER BY m.rank DESC, m.last_name DESC, m.first_name DESC, m.id DESC"
	}
	var rows []struct {
		ID, FirstName, LastName, JobTitle, Department string
		Depth, Rank                                   int
		People                                        int
		Attention                                     *int
	}
	q := members + `SELECT m.id, m.first_name, m.last_name, m.job_title, m.department, m.depth, m.rank, t.people, t.attention
	  FROM members m CROSS JOIN (SELECT COUNT(*) AS people, SUM(1 - rank) AS attention FROM members) t` + where + order +
		fmt.Sprintf(" LIMIT %d", size+1)
	if err := d.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return t, fmt.Errorf("team of %s: %w", managerID, err)
	}
	if len(rows) == 0 {
		// Past the end of the team, or nobody in it: count it alone.
		var totals struct {
			People    int
			Attention *int
		}
		err := d.WithContext(ctx).Raw(members+`SELECT COUNT(*) AS people, SUM(1 - rank) AS attention FROM members`, baseArgs...).Scan(&totals).Error
		if err != nil {
			return t, fmt.Errorf("team of %s: %w", managerID, err)
		}
		t.People = totals.People
		if totals.Attention != nil {
			t.Attention = *totals.Attention
		}
		return t, nil
	}
	t.People = rows[0].People
	if rows[0].Attention != nil {
		t.Attention = *rows[0].Attention
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
			Department: r.Department, Depth: r.Depth, Attention: r.Rank == 0,
		})
	}
	key := func(i int) []string {
		r := rows[i]
		return []string{strconv.Itoa(r.Rank), r.LastName, r.FirstName, r.ID}
	}
	if !before && more || before {
		t.Next = encodeTeamCursor(key(len(rows)-1), false)
	}
	if !before && cur != "" || before && more {
		t.Prev = encodeTeamCursor(key(0), true)
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

// teamCursor names the team page in a cursor, which is otherwise a
// report's.
const teamCursor = "team"

func encodeTeamCursor(key []string, before bool) string {
	b, _ := json.Marshal(cursor{Report: teamCursor, Before: before, Key: key})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTeamCursor(s string) ([]any, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Report != teamCursor || len(c.Key) != 4 {
		return nil, false, &CursorError{}
	}
	rank, err := strconv.Atoi(c.Key[0])
	if err != nil || rank < 0 || rank > 1 {
		return nil, false, &CursorError{}
	}
	return []any{rank, c.Key[1], c.Key[2], c.Key[3]}, c.Before, nil
}

// statusesOf reads the standings of the given people that match the
// filter, by course title.
func statusesOf(ctx context.Context, d *db.DB, ids []string, f Filter) (map[string][]CurrentStatus, error) {
	out := map[string][]CurrentStatus{}
	conds, condArgs := statusConds(f)
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
// chain (directly or through others).
func Manages(ctx context.Context, d *db.DB, managerID, employeeID string) (bool, error) {
	var n int64
	err := d.WithContext(ctx).Raw(chainSQL+` SELECT COUNT(*) FROM chain WHERE id = ?`, managerID, employeeID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("management chain: %w", err)
	}
	return n > 0, nil
}
