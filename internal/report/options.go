package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/onramp-lms/onramp/internal/db"
)

// Choice is one value a filter can take, with the words for it.
type Choice struct {
	Value string
	Label string
}

// Options are the values the filters offer.
type Options struct {
	Departments []Choice
	Courses     []Choice
	JobTitles   []Choice
	Locations   []Choice
	// Managers are the people (in scope) who have someone reporting to them.
	Managers []Choice
}

// maxOptions caps a filter's list; past it the page would be unusable and
// the value can still be given in the address.
const maxOptions = 1000

// FilterOptions lists the values the filters offer: the organisation's
// when managerID is "", otherwise those of the people who report to
// managerID, so a manager's page names nothing outside their team.
//
// The organisation's are kept in memory per database for up to
// optionsMaxAge and while the report generation (see Changed) stays: at
// 100,000 people, reading them takes a few hundred milliseconds.
func FilterOptions(ctx context.Context, d *db.DB, managerID string) (Options, error) {
	if managerID != "" {
		return teamOptions.get(ctx, d, managerID)
	}
	e, err := orgFacts.get(ctx, d)
	return e.options, err
}

// teamOptionsCache keeps a manager's filter choices per database and
// manager for up to optionsMaxAge and while the report generation stays:
// each reading walks the management chain four times (22,228 people below
// the top manager of the 100,000-people benchmark), and the team page asks
// for them on every request, paging included.
type teamOptionsCache struct {
	mu sync.Mutex
	m  map[teamOptionsKey]teamOptionsEntry
}

type teamOptionsKey struct {
	d       *db.DB
	manager string
}

type teamOptionsEntry struct {
	generation int64
	at         time.Time
	options    Options
}

// maxCachedTeams bounds the managers whose choices are kept.
const maxCachedTeams = 2000

var teamOptions = &teamOptionsCache{m: map[teamOptionsKey]teamOptionsEntry{}}

func (c *teamOptionsCache) get(ctx context.Context, d *db.DB, managerID string) (Options, error) {
	gen, err := Generation(ctx, d)
	if err != nil {
		return Options{}, err
	}
	k := teamOptionsKey{d, managerID}
	c.mu.Lock()
	have, ok := c.m[k]
	c.mu.Unlock()
	if ok && have.generation >= gen && time.Since(have.at) < optionsMaxAge {
		return have.options, nil
	}
	o, err := filterOptions(ctx, d, managerID)
	if err != nil {
		return Options{}, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedTeams {
		clear(c.m)
	}
	c.m[k] = teamOptionsEntry{generation: gen, at: time.Now(), options: o}
	c.mu.Unlock()
	return o, nil
}

// ActivePeople counts the active employees (kept in memory as the
// organisation's FilterOptions are).
func ActivePeople(ctx context.Context, d *db.DB) (int, error) {
	e, err := orgFacts.get(ctx, d)
	return e.people, err
}

// optionsMaxAge bounds how long the organisation's filter choices and
// head count are kept.
const optionsMaxAge = time.Minute

type factsEntry struct {
	generation int64
	at         time.Time
	options    Options
	people     int
}

type factsCache struct {
	mu      sync.Mutex
	m       map[*db.DB]*factsEntry
	running map[*db.DB]chan struct{}
}

var orgFacts = &factsCache{m: map[*db.DB]*factsEntry{}, running: map[*db.DB]chan struct{}{}}

// get returns the organisation's choices and head count. When the kept
// ones are out of date they are read again in the background, and the
// request waits for them up to staleWait, as the dashboard does.
func (c *factsCache) get(ctx context.Context, d *db.DB) (factsEntry, error) {
	gen, err := Generation(ctx, d)
	if err != nil {
		return factsEntry{}, err
	}
	c.mu.Lock()
	have := c.m[d]
	if have != nil && have.generation >= gen && time.Since(have.at) < optionsMaxAge {
		c.mu.Unlock()
		return *have, nil
	}
	done := c.running[d]
	if done == nil {
		done = make(chan struct{})
		c.running[d] = done
		go func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
			defer cancel()
			e, err := readFacts(cctx, d, gen)
			c.mu.Lock()
			if err == nil {
				if len(c.m) >= maxCachedDBs {
					clear(c.m)
				}
				c.m[d] = e
			}
			delete(c.running, d)
			c.mu.Unlock()
			close(done)
		}()
	}
	c.mu.Unlock()
	var timeout <-chan time.Time
	if have != nil {
		timeout = time.After(staleWait)
	}
	select {
	case <-done:
	case <-timeout:
		return *have, nil
	case <-ctx.Done():
		return factsEntry{}, ctx.Err()
	}
	c.mu.Lock()
	e := c.m[d]
	c.mu.Unlock()
	if e != nil && e.generation >= gen {
		return *e, nil
	}
	// The reading failed: read again here, to return its error.
	e, err = readFacts(ctx, d, gen)
	if err != nil {
		return factsEntry{}, err
	}
	return *e, nil
}

func readFacts(ctx context.Context, d *db.DB, gen int64) (*factsEntry, error) {
	e := &factsEntry{generation: gen, at: time.Now()}
	var err error
	if e.options, err = filterOptions(ctx, d, ""); err != nil {
		return nil, err
	}
	var n int64
	if err := d.WithContext(ctx).Raw(`SELECT COUNT(*) FROM employees WHERE status = 'active'`).Row().Scan(&n); err != nil {
		return nil, fmt.Errorf("count people: %w", err)
	}
	e.people = int(n)
	return e, nil
}

func filterOptions(ctx context.Context, d *db.DB, managerID string) (Options, error) {
	var o Options
	with, scope, args := "", "", []any(nil)
	if managerID != "" {
		with, scope, args = chainSQL, " AND e.id IN (SELECT id FROM chain)", []any{managerID}
	}
	distinct := func(column string) ([]Choice, error) {
		var vs []string
		q := with + `SELECT DISTINCT e.` + column + ` FROM employees e WHERE e.status = 'active' AND e.` + column + ` <> ''` + scope +
			` ORDER BY e.` + column + fmt.Sprintf(" LIMIT %d", maxOptions)
		if err := d.WithContext(ctx).Raw(q, args...).Scan(&vs).Error; err != nil {
			return nil, fmt.Errorf("filter options (%s): %w", column, err)
		}
		out := make([]Choice, len(vs))
		for i, v := range vs {
			out[i] = Choice{v, v}
		}
		return out, nil
	}
	var err error
	if o.Departments, err = distinct("department"); err != nil {
		return o, err
	}
	if o.JobTitles, err = distinct("job_title"); err != nil {
		return o, err
	}
	if o.Locations, err = distinct("location"); err != nil {
		return o, err
	}
	var courses []struct{ ID, Title string }
	if err := d.WithContext(ctx).Raw(`SELECT id, title FROM courses ORDER BY title, id`).Scan(&courses).Error; err != nil {
		return o, fmt.Errorf("filter options (courses): %w", err)
	}
	for _, c := range courses {
		o.Courses = append(o.Courses, Choice{c.ID, c.Title})
	}
	var managers []struct{ ID, FirstName, LastName string }
	q := with + `SELECT m.id, m.first_name, m.last_name FROM employees m
		WHERE m.status = 'active' AND EXISTS (SELECT 1 FROM employees e WHERE e.manager_id = m.id AND e.status = 'active')` +
		scopeOn(scope, "m") + ` ORDER BY m.last_name, m.first_name, m.id` + fmt.Sprintf(" LIMIT %d", maxOptions)
	if err := d.WithContext(ctx).Raw(q, args...).Scan(&managers).Error; err != nil {
		return o, fmt.Errorf("filter options (managers): %w", err)
	}
	for _, m := range managers {
		o.Managers = append(o.Managers, Choice{m.ID, m.FirstName + " " + m.LastName})
	}
	return o, nil
}

func scopeOn(scope, alias string) string {
	if scope == "" {
		return ""
	}
	return " AND " + alias + ".id IN (SELECT id FROM chain)"
}

// LastRefresh is when compliance_status was last brought up to date, or
// nil when it never was.
func LastRefresh(ctx context.Context, d *db.DB) (*time.Time, error) {
	var t nullTime
	err := d.WithContext(ctx).Raw(`SELECT pass_at FROM compliance_refresh WHERE id = 1`).Row().Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("last refresh: %w", err)
	}
	return t.ptr(), nil
}
