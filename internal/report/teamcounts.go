package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
)

// teamCounts are a manager's team as counted for a filter: what the team
// page shows (People, Attention) and what TeamOf decides how to read a
// page from (Chain, Employees).
type teamCounts struct {
	// People match the filter; Attention of them need attention.
	People, Attention int
	// Chain is how many people walking the chain down visits (anyone
	// below the manager, active or not); Employees, the whole staff.
	Chain, Employees int
}

// teamCountsOf counts managerID's team for the filter (its Manager and
// Days aside): one walk down the chain, with a probe of each member's
// standings. The counts are kept per database, manager and filter for up
// to optionsMaxAge and while the report generation stays, as a manager's
// filter choices are (teamOptions): the team page asks for them on every
// request, paging included, and at 100,000 people the benchmark's top
// manager has 22,228 people below him.
func teamCountsOf(ctx context.Context, d *db.DB, managerID string, f Filter) (teamCounts, error) {
	return teamCountsKept.get(ctx, d, managerID, f)
}

type teamCountsCache struct {
	mu sync.Mutex
	m  map[teamCountsKey]teamCountsEntry
}

type teamCountsKey struct {
	d       *db.DB
	manager string
	// The filter's conditions on standings (statusConds): Manager and
	// Days play no part in the team's counts.
	department, jobTitle, location, course string
	status                                 Status
}

type teamCountsEntry struct {
	generation int64
	at         time.Time
	counts     teamCounts
}

var teamCountsKept = &teamCountsCache{m: map[teamCountsKey]teamCountsEntry{}}

func (c *teamCountsCache) get(ctx context.Context, d *db.DB, managerID string, f Filter) (teamCounts, error) {
	gen, err := Generation(ctx, d)
	if err != nil {
		return teamCounts{}, err
	}
	k := teamCountsKey{d: d, manager: managerID, department: f.Department, jobTitle: f.JobTitle, location: f.Location, course: f.Course, status: f.Status}
	c.mu.Lock()
	have, ok := c.m[k]
	c.mu.Unlock()
	if ok && have.generation >= gen && time.Since(have.at) < optionsMaxAge {
		return have.counts, nil
	}
	n, err := countTeam(ctx, d, managerID, f)
	if err != nil {
		return teamCounts{}, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedTeams {
		clear(c.m)
	}
	c.m[k] = teamCountsEntry{generation: gen, at: time.Now(), counts: n}
	c.mu.Unlock()
	return n, nil
}

// countTeam counts the team in one query (countSQL).
func countTeam(ctx context.Context, d *db.DB, managerID string, f Filter) (teamCounts, error) {
	s, args := newTeamQuery(d, managerID, f).countSQL()
	var n teamCounts
	if err := d.WithContext(ctx).Raw(s, args...).Scan(&n).Error; err != nil {
		return n, fmt.Errorf("count the team of %s: %w", managerID, err)
	}
	return n, nil
}

// countSQL counts the team. Its plan on SQLite: the chain materialized
// (employees_manager_idx, recursively) and counted; each member read once
// by primary key (the chain's IDs as a list, so someone reached twice
// through a loop in the HR data counts once) and probed in
// compliance_status_attention_idx (and, with a filter, in the primary key
// of compliance_status); the staff counted from an index.
func (q teamQuery) countSQL() (string, []any) {
	args := append([]any{q.manager}, q.attentionArgs...)
	where := ""
	if q.matches != "" {
		where = " AND " + q.matches
		args = append(args, q.matchesArgs...)
	}
	return chainSQL + `SELECT (SELECT COUNT(*) FROM chain) AS chain, (SELECT COUNT(*) FROM employees) AS employees, t.people, t.attention
	  FROM (SELECT COUNT(*) AS people, COALESCE(SUM(CASE WHEN ` + q.attention + ` THEN 1 ELSE 0 END), 0) AS attention
	    FROM employees e WHERE e.id IN (SELECT id FROM chain) AND e.status = 'active'` + where + `) t`, args
}

// maxKeptWalk bounds the people of a team walk kept in memory (teamWalkOf):
// a narrow filter's team, read in one walk of the chain, holds a few
// thousand at most (readByName reads any part denser than that by name).
const maxKeptWalk = 5000

// maxCachedWalks bounds the walks kept.
const maxCachedWalks = 100

type teamWalkEntry struct {
	generation int64
	at         time.Time
	rows       []teamRow
}

type teamWalkCache struct {
	mu sync.Mutex
	m  map[teamCountsKey]teamWalkEntry
}

var teamWalksKept = &teamWalkCache{m: map[teamCountsKey]teamWalkEntry{}}

// teamWalkOf is the whole team for the filter in the page's order, read
// in one walk of the chain (walk), kept per database, manager and filter
// for up to optionsMaxAge and while the report generation stays, as the
// counts are: at 100,000 people a department of the benchmark's top
// manager's team is 544 of the 22,228 people below him, and each walk
// probes every one of them; kept, a page of it costs its page.
func teamWalkOf(ctx context.Context, q teamQuery, f Filter) ([]teamRow, error) {
	c := teamWalksKept
	gen, err := Generation(ctx, q.d)
	if err != nil {
		return nil, err
	}
	k := teamCountsKey{d: q.d, manager: q.manager, department: f.Department, jobTitle: f.JobTitle, location: f.Location, course: f.Course, status: f.Status}
	c.mu.Lock()
	have, ok := c.m[k]
	c.mu.Unlock()
	if ok && have.generation >= gen && time.Since(have.at) < optionsMaxAge {
		return have.rows, nil
	}
	rows, err := q.walk(ctx, nil, false, 0)
	if err != nil {
		return nil, err
	}
	if len(rows) > maxKeptWalk {
		return rows, nil
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedWalks {
		clear(c.m)
	}
	c.m[k] = teamWalkEntry{generation: gen, at: time.Now(), rows: rows}
	c.mu.Unlock()
	return rows, nil
}
