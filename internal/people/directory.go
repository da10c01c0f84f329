package people

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// DirectoryPageSize is how many people one page of HR's list shows.
const DirectoryPageSize = 50

// maxSearchWords caps the words of a search: each adds a condition.
const maxSearchWords = 5

// Standing is where a person stands in their assigned courses, as the
// compliance reports count it (the compliance_status table of package
// report, refreshed by the scheduler's pass).
type Standing string

// The standings HR filters the list by. All but StandingCompliant and
// StandingNothingAssigned mean "in at least one course".
const (
	// StandingCompliant: every assigned course is completed and valid, or exempt.
	StandingCompliant Standing = "compliant"
	StandingOverdue   Standing = "overdue"
	StandingExpired   Standing = "expired"
	// StandingInProgress: started, not yet due.
	StandingInProgress Standing = "in_progress"
	// StandingNotStarted: assigned, not started, not yet due.
	StandingNotStarted Standing = "not_started"
	StandingExempt     Standing = "exempt"
	// StandingNothingAssigned: no course is assigned.
	StandingNothingAssigned Standing = "none"
)

// Standings lists the standings in the order a filter offers them.
var Standings = []Standing{
	StandingOverdue, StandingExpired, StandingNotStarted, StandingInProgress,
	StandingCompliant, StandingExempt, StandingNothingAssigned,
}

// DirectoryQuery is a search of the people list; zero fields match everyone.
type DirectoryQuery struct {
	// Text is up to five words; each must match the start of the person's
	// first name, last name, e-mail or employee_id, ignoring case.
	Text       string
	Department string
	JobTitle   string
	Status     Status
	Standing   Standing
	// NoPassword lists only people who have not set a password yet.
	NoPassword bool
	// Page counts from 1.
	Page int
}

// DirectoryPage is one page of the list.
type DirectoryPage struct {
	// People are in last name, first name order; PasswordHash is not loaded.
	People []Employee
	// Standings holds each listed person's standing by ID; a person with
	// nothing assigned has none.
	Standings map[string]Standing
	// NoPassword holds the IDs of listed people who have not set a
	// password yet.
	NoPassword map[string]bool
	// Total counts everyone the query matches.
	Total int
	// Page is the page shown (from 1) of Pages.
	Page, Pages int
}

// directoryColumns are the columns the list shows; never the password hash.
const directoryColumns = `id, employee_number, email, first_name, last_name, department, job_title, location,
manager_id, hire_date, status, time_zone, role, created_at, updated_at, deactivated_at`

// SearchDirectory returns one page of the people the query matches, and
// how many there are. The conditions are served by indexes (see
// migrations/00009_people_search.sql), so it stays quick at 100,000 people.
func SearchDirectory(ctx context.Context, d *db.DB, q DirectoryQuery) (*DirectoryPage, error) {
	byCodePoint := sortsByCodePoint(ctx, d)
	where := func() *gorm.DB { return q.filter(d.WithContext(ctx).Table("employees"), byCodePoint) }
	var total int64
	if err := where().Count(&total).Error; err != nil {
		return nil, fmt.Errorf("count people: %w", err)
	}
	page := &DirectoryPage{Total: int(total), Standings: map[string]Standing{}}
	page.Pages = max(1, (page.Total+DirectoryPageSize-1)/DirectoryPageSize)
	page.Page = min(max(q.Page, 1), page.Pages)
	// The page's IDs first, which the name index alone can answer, so a
	// page deep in the list does not drag every row it skips along; then
	// those 50 people.
	var ids []string
	offset := (page.Page - 1) * DirectoryPageSize
	var err error
	if strings.TrimSpace(q.Text) == "" {
		err = where().Select("id").Order("last_name, first_name, id").Limit(DirectoryPageSize).Offset(offset).Scan(&ids).Error
	} else {
		// A search finds its few people through the lower(…) indexes and
		// sorts them. Left to itself, a planner may instead walk the name
		// index in order and test every row until it has a page, which
		// reads half the table for a name in the middle of the alphabet.
		matches := where().Select("id, last_name, first_name")
		err = d.WithContext(ctx).Raw(`WITH matches AS MATERIALIZED (?) SELECT id FROM matches ORDER BY last_name, first_name, id LIMIT ? OFFSET ?`,
			matches, DirectoryPageSize, offset).Scan(&ids).Error
	}
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	if len(ids) > 0 {
		byID := map[string]Employee{}
		var rows []Employee
		if err := d.WithContext(ctx).Select(directoryColumns).Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("list people: %w", err)
		}
		for _, e := range rows {
			byID[e.ID] = e
		}
		for _, id := range ids {
			if e, ok := byID[id]; ok {
				page.People = append(page.People, e)
			}
		}
	}
	if len(page.People) == 0 {
		return page, nil
	}
	listed := make([]string, len(page.People))
	for i, e := range page.People {
		listed[i] = e.ID
	}
	var rows []struct {
		EmployeeID string
		Status     string
	}
	if err := d.WithContext(ctx).Raw(`SELECT employee_id, status FROM compliance_status WHERE employee_id IN ?`, listed).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load standings: %w", err)
	}
	for _, r := range rows {
		page.Standings[r.EmployeeID] = worse(page.Standings[r.EmployeeID], Standing(r.Status))
	}
	var unset []string
	if err := d.WithContext(ctx).Raw(`SELECT id FROM employees WHERE id IN ? AND password_hash = ''`, listed).Scan(&unset).Error; err != nil {
		return nil, fmt.Errorf("load who has no password: %w", err)
	}
	page.NoPassword = make(map[string]bool, len(unset))
	for _, id := range unset {
		page.NoPassword[id] = true
	}
	return page, nil
}

// worse returns the standing that says more about what is wrong: a person
// overdue in one course and compliant in another is overdue. A course's
// "completed" counts as compliant.
func worse(a, b Standing) Standing {
	if b == "completed" {
		b = StandingCompliant
	}
	rank := map[Standing]int{
		StandingExempt: 1, StandingCompliant: 2, StandingInProgress: 3,
		StandingNotStarted: 4, StandingExpired: 5, StandingOverdue: 6,
	}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// filter adds the query's conditions to q; byCodePoint is what
// sortsByCodePoint says of the database.
func (dq DirectoryQuery) filter(q *gorm.DB, byCodePoint bool) *gorm.DB {
	words := strings.Fields(dq.Text)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	for _, w := range words {
		cond, args := wordCondition(w, byCodePoint)
		q = q.Where(cond, args...)
	}
	if dq.Department != "" {
		q = q.Where("department = ?", dq.Department)
	}
	if dq.JobTitle != "" {
		q = q.Where("job_title = ?", dq.JobTitle)
	}
	if dq.Status != "" {
		q = q.Where("status = ?", dq.Status)
	}
	if dq.NoPassword {
		q = q.Where("password_hash = ''")
	}
	switch dq.Standing {
	case "":
	case StandingNothingAssigned:
		q = q.Where("NOT EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = employees.id)")
	case StandingCompliant:
		q = q.Where("EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = employees.id)").
			Where("NOT EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = employees.id AND s.status NOT IN ('completed', 'exempt'))")
	default:
		q = q.Where("EXISTS (SELECT 1 FROM compliance_status s WHERE s.employee_id = employees.id AND s.status = ?)", string(dq.Standing))
	}
	return q
}

// wordCondition matches word at the start of a first name, last name,
// e-mail or employee_id, ignoring case: lower(column) between the word and
// the word followed by the last code point, which the lower(…) indexes
// answer. The database lower-cases the word itself, so both sides fold case
// the same way. byCodePoint says the database's own text order is by code
// point; otherwise the comparisons say COLLATE "C", which keeps the range
// exactly the prefix (a locale's order is not) but cannot use the indexes.
func wordCondition(word string, byCodePoint bool) (string, []any) {
	var b strings.Builder
	b.WriteString("(")
	for i, column := range []string{"first_name", "last_name", "email", "employee_number"} {
		expr := "lower(" + column + ")"
		if !byCodePoint {
			expr += ` COLLATE "C"`
		}
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "(%s >= lower(?) AND %s < lower(?) || ?)", expr, expr)
	}
	b.WriteString(")")
	args := make([]any, 0, 12)
	for range 4 {
		args = append(args, word, word, lastCodePoint)
	}
	return b.String(), args
}

// lastCodePoint sorts after every character a name or address holds.
const lastCodePoint = "\U0010FFFF"

// codePointOrder remembers, per database, whether its text sorts by code
// point: asked once, since it cannot change while Onramp runs.
var codePointOrder sync.Map // *db.DB → bool

// sortsByCodePoint reports whether d compares text by code point: always
// on SQLite; on PostgreSQL when the database's collation is C or C.UTF-8,
// which a few comparisons that every locale orders differently tell.
func sortsByCodePoint(ctx context.Context, d *db.DB) bool {
	if d.Dialect != db.Postgres {
		return true
	}
	if v, ok := codePointOrder.Load(d); ok {
		return v.(bool)
	}
	var ok bool
	if err := d.WithContext(ctx).Raw(`SELECT 'B' < 'a' AND 'a-b' < 'ab' AND 'z' < 'é' AND 'Z' < 'a'`).Scan(&ok).Error; err != nil {
		return false // the exact, unindexed comparison is always right
	}
	codePointOrder.Store(d, ok)
	return ok
}

// DirectoryChoices are the values the list's filters offer.
type DirectoryChoices struct {
	Departments []string
	JobTitles   []string
	// StandingsAsOf is when the compliance standings were last brought up
	// to date; nil when they never have been.
	StandingsAsOf *time.Time
}

// LoadDirectoryChoices reads every department and job title in use (from
// their indexes) and the age of the compliance standings.
func LoadDirectoryChoices(ctx context.Context, d *db.DB) (*DirectoryChoices, error) {
	ch := &DirectoryChoices{}
	q := d.WithContext(ctx)
	if err := q.Raw("SELECT DISTINCT department FROM employees WHERE department <> '' ORDER BY department").Scan(&ch.Departments).Error; err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	if err := q.Raw("SELECT DISTINCT job_title FROM employees WHERE job_title <> '' ORDER BY job_title").Scan(&ch.JobTitles).Error; err != nil {
		return nil, fmt.Errorf("list job titles: %w", err)
	}
	var asOf []struct{ PassAt, FullAt *time.Time }
	if err := q.Raw("SELECT pass_at, full_at FROM compliance_refresh WHERE id = 1").Scan(&asOf).Error; err != nil {
		return nil, fmt.Errorf("read when standings were refreshed: %w", err)
	}
	if len(asOf) == 1 {
		ch.StandingsAsOf = asOf[0].PassAt
		if ch.StandingsAsOf == nil || (asOf[0].FullAt != nil && asOf[0].FullAt.After(*ch.StandingsAsOf)) {
			ch.StandingsAsOf = asOf[0].FullAt
		}
	}
	return ch, nil
}
