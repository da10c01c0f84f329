package people

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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
	// Total counts everyone the query matches.
	Total int
	// Page is the page shown (from 1) of Pages.
	Page, Pages int
}

// directoryColumns are the columns the list shows; never the password hash.
const directoryColumns = `id, employee_number, email, first_name, last_name, department, job_title, location,
manager_id, hire_date, status, time_zone, role, created_at, updated_at, deactivated_at`

// SearchDirectory returns one page of the people the query matches, and
// how many there are. Every condition is served by an index (see
// migrations/00009_people_search.sql), so it stays quick at 100,000 people.
func SearchDirectory(ctx context.Context, d *db.DB, q DirectoryQuery) (*DirectoryPage, error) {
	where := func() *gorm.DB { return q.filter(d.WithContext(ctx).Table("employees")) }
	var total int64
	if err := where().Count(&total).Error; err != nil {
		return nil, fmt.Errorf("count people: %w", err)
	}
	page := &DirectoryPage{Total: int(total), Standings: map[string]Standing{}}
	page.Pages = max(1, (page.Total+DirectoryPageSize-1)/DirectoryPageSize)
	page.Page = min(max(q.Page, 1), page.Pages)
	err := where().Select(directoryColumns).Order("last_name, first_name, id").
		Limit(DirectoryPageSize).Offset((page.Page - 1) * DirectoryPageSize).Find(&page.People).Error
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	if len(page.People) == 0 {
		return page, nil
	}
	ids := make([]string, len(page.People))
	for i, e := range page.People {
		ids[i] = e.ID
	}
	var rows []struct {
		EmployeeID string
		Status     string
	}
	if err := d.WithContext(ctx).Raw(`SELECT employee_id, status FROM compliance_status WHERE employee_id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load standings: %w", err)
	}
	for _, r := range rows {
		page.Standings[r.EmployeeID] = worse(page.Standings[r.EmployeeID], Standing(r.Status))
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

// filter adds the query's conditions to q.
func (dq DirectoryQuery) filter(q *gorm.DB) *gorm.DB {
	words := strings.Fields(dq.Text)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	for _, w := range words {
		cond, args := wordCondition(w)
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

// prefixCondition matches a word at the start of a first name, last name,
// e-mail or employee_id. The substr(lower(…), 1, 2) terms are what the
// indexes hold: they find the candidates; LIKE checks the whole word. The
// database lower-cases the word itself, so both sides fold case the same way.
const prefixCondition = `(
 (substr(lower(first_name), 1, 2) = substr(lower(?), 1, 2) AND lower(first_name) LIKE lower(?) ESCAPE '\') OR
 (substr(lower(last_name), 1, 2) = substr(lower(?), 1, 2) AND lower(last_name) LIKE lower(?) ESCAPE '\') OR
 (substr(lower(email), 1, 2) = substr(lower(?), 1, 2) AND lower(email) LIKE lower(?) ESCAPE '\') OR
 (substr(lower(employee_number), 1, 2) = substr(lower(?), 1, 2) AND lower(employee_number) LIKE lower(?) ESCAPE '\'))`

// likeCondition is the search for a one-character word, which the
// two-character keys cannot narrow: LIKE alone, over the whole table.
const likeCondition = `(lower(first_name) LIKE lower(?) ESCAPE '\' OR lower(last_name) LIKE lower(?) ESCAPE '\' OR
 lower(email) LIKE lower(?) ESCAPE '\' OR lower(employee_number) LIKE lower(?) ESCAPE '\')`

// wordCondition returns the condition and arguments matching one word.
func wordCondition(word string) (string, []any) {
	pattern := likeEscaper.Replace(word) + "%"
	if utf8.RuneCountInString(word) < 2 {
		return likeCondition, []any{pattern, pattern, pattern, pattern}
	}
	return prefixCondition, []any{word, pattern, word, pattern, word, pattern, word, pattern}
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

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
