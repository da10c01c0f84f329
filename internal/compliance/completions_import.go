package compliance

// The completions import brings an organisation's training history over from
// the system it used before Onramp, so refreshers continue from the right
// dates instead of everybody starting again. It works like the staff import,
// all or nothing:
//
//	rows, err := ParseCompletionsCSV(r, now)       // read and check every row
//	res, err := ImportCompletions(ctx, d, r, opts) // parse, plan and apply in one transaction
//
// ImportCompletions plans against the database and, unless it is a dry run,
// applies exactly that plan in the same transaction, so what a dry run
// shows is what gets recorded. Problems come back together as
// *CompletionsImportError, one ImportProblem per bad cell, each naming the
// row, the column and the fix.

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/csvimport"
)

// The completions CSV's columns. employee_id, course and completed_at are
// required; score and evidence are optional.
const (
	CompletionColumnEmployeeID  = "employee_id"
	CompletionColumnCourse      = "course"
	CompletionColumnCompletedAt = "completed_at"
	CompletionColumnScore       = "score"
	CompletionColumnEvidence    = "evidence"
)

// CompletionColumns lists every column of the completions CSV, required
// ones first, in the order an example file shows them.
var CompletionColumns = []string{
	CompletionColumnEmployeeID, CompletionColumnCourse, CompletionColumnCompletedAt,
	CompletionColumnScore, CompletionColumnEvidence,
}

var requiredCompletionColumns = CompletionColumns[:3]

// MaxEvidenceChars is the longest evidence text a row may carry.
const MaxEvidenceChars = 2000

// earliestCompletion is the earliest completion date believed: anything
// before is a typo in the year, not training history.
var earliestCompletion = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// completionDateFix ends every message about a completion date.
const completionDateFix = "use YYYY-MM-DD (e.g. 2025-06-01) or an RFC 3339 time (e.g. 2025-06-01T14:30:00Z)"

// CompletionRow is one checked row of the completions CSV.
type CompletionRow struct {
	// Row is the row's line number in the file; the header is line 1.
	Row int
	// EmployeeNumber is the HR system's ID, the CSV's employee_id.
	EmployeeNumber string
	// CourseID is the course's ID, as `onramp courses` lists it.
	CourseID string
	// CompletedAt is when the course was completed, in UTC; a date alone
	// is midnight UTC of that day.
	CompletedAt time.Time
	// Score is the percentage scored, nil when the file gives none.
	Score *int
	// Evidence is free text kept with the completion (a certificate
	// number, the old system's record ID…).
	Evidence string
}

// ImportProblem is one thing wrong with an import file, with the fix in its
// message: its row (0 for the file as a whole), column, value and message.
type ImportProblem = csvimport.Problem

// MaxCompletionProblems is how many problems a CompletionsImportError lists;
// the rest are only counted.
const MaxCompletionProblems = csvimport.MaxProblems

// CompletionsImportError says why a completions file cannot be imported,
// problem by problem (sorted by row). Nothing was written when it is
// returned.
type CompletionsImportError = csvimport.Error

// importProblems collects a completions import's problems.
type importProblems = csvimport.Problems

// completionsSubject names the file in a CompletionsImportError's text.
const completionsSubject = "completions file"

// completionsFile is a parsed file, compact enough to hold 1.4 million
// rows in well under 100 MB: employee_ids and course IDs are interned, and
// each sound row is a compactRow. The references of unsound rows are kept
// too, so the database checks can still report an unknown employee or
// course on a row whose date is also wrong.
type completionsFile struct {
	// numbers and courses are the distinct employee_ids and course IDs, in
	// the order the file first names them.
	numbers, courses []string
	numberIdx        map[string]int32
	courseIdx        map[string]int32
	// rows are the sound rows; after parseCompletions, sorted by employee,
	// course and date, with repeated rows reported and removed.
	rows []compactRow
	// refs are the rows with a problem of their own, for the database checks.
	refs []compactRef
	// ignored are header names the import does not use, as written.
	ignored []string
	// sha256 is the hash of the whole file (resuming an interrupted import
	// recognises the file by it).
	sha256 string
}

// compactRow is one sound row of the file.
type compactRow struct {
	row         int32
	number      int32 // index into completionsFile.numbers
	course      int32 // index into completionsFile.courses
	score       int16 // -1 for none
	completedAt int64 // Unix nanoseconds, UTC
	evidence    string
}

// compactRef is where an unsound row points: -1 for a missing value.
type compactRef struct {
	row, number, course int32
}

func (r *compactRow) at() time.Time { return time.Unix(0, r.completedAt).UTC() }

// full turns a compact row back into a CompletionRow.
func (f *completionsFile) full(r *compactRow) CompletionRow {
	row := CompletionRow{Row: int(r.row), EmployeeNumber: f.numbers[r.number], CourseID: f.courses[r.course],
		CompletedAt: r.at(), Evidence: r.evidence}
	if r.score >= 0 {
		n := int(r.score)
		row.Score = &n
	}
	return row
}

func (f *completionsFile) intern(idx map[string]int32, list *[]string, v string) int32 {
	if v == "" {
		return -1
	}
	if i, ok := idx[v]; ok {
		return i
	}
	i := int32(len(*list))
	v = strings.Clone(v) // not the whole record the CSV reader allocated
	idx[v] = i
	*list = append(*list, v)
	return i
}

// ParseCompletionsCSV reads a completions CSV and checks every row on its own
// and against the others: required values, dates (not after now), scores,
// evidence length, and rows repeating the same employee, course and day.
// The header decides which column is which (any order, any case, a UTF-8
// byte-order mark tolerated); unknown columns are ignored.
//
// Problems in the file come back together as a *CompletionsImportError;
// other errors are failures to read r. Whether the employees and courses
// exist is checked against the database by ImportCompletions.
func ParseCompletionsCSV(r io.Reader, now time.Time) ([]CompletionRow, error) {
	var problems importProblems
	f, err := parseCompletions(r, now, &problems)
	if err != nil {
		return nil, err
	}
	if err := problems.Err(completionsSubject); err != nil {
		return nil, err
	}
	slices.SortStableFunc(f.rows, func(a, b compactRow) int { return cmp.Compare(a.row, b.row) })
	out := make([]CompletionRow, len(f.rows))
	for i := range f.rows {
		out[i] = f.full(&f.rows[i])
	}
	return out, nil
}

func parseCompletions(r io.Reader, now time.Time, problems *importProblems) (*completionsFile, error) {
	hash := sha256.New()
	f, err := readCompletions(io.TeeReader(r, hash), now, problems)
	if err != nil {
		return nil, err
	}
	// Drain what the reader left (after a quoting error) so the hash is
	// the whole file's.
	if _, err := io.Copy(hash, r); err != nil {
		return nil, fmt.Errorf("read completions file: %w", err)
	}
	f.sha256 = hex.EncodeToString(hash.Sum(nil))
	f.removeRepeats(problems)
	return f, nil
}

// removeRepeats sorts the sound rows by employee, course and day, and
// reports and drops every row that repeats an earlier row's employee,
// course and day.
func (f *completionsFile) removeRepeats(problems *importProblems) {
	const day = int64(24 * time.Hour)
	dayOf := func(r *compactRow) int64 { return floorDiv(r.completedAt, day) }
	slices.SortFunc(f.rows, func(a, b compactRow) int {
		return cmp.Or(cmp.Compare(a.number, b.number), cmp.Compare(a.course, b.course),
			cmp.Compare(dayOf(&a), dayOf(&b)), cmp.Compare(a.row, b.row))
	})
	kept := f.rows[:0]
	for i := range f.rows {
		r := f.rows[i]
		if n := len(kept); n > 0 {
			first := &kept[n-1]
			if first.number == r.number && first.course == r.course && dayOf(first) == dayOf(&r) {
				problems.Add(int(r.row), CompletionColumnEmployeeID+", "+CompletionColumnCourse+", "+CompletionColumnCompletedAt, "",
					fmt.Sprintf("repeats row %d (employee %s, course %s, completed %s); remove one of the two rows",
						first.row, f.numbers[r.number], f.courses[r.course], Day(r.at()).Format(time.DateOnly)))
				continue
			}
		}
		kept = append(kept, r)
	}
	clear(f.rows[len(kept):])
	f.rows = kept
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// completionsSpec is the completions CSV's header, for the CSV front end.
var completionsSpec = csvimport.Spec{
	Required:   requiredCompletionColumns,
	Optional:   CompletionColumns[len(requiredCompletionColumns):],
	EmptyFile:  "the file is empty; its first line must name the columns: " + strings.Join(CompletionColumns, ",") + " (score and evidence are optional)",
	MissingFix: "the first line must name the columns " + strings.Join(requiredCompletionColumns, ",") + " (and optionally score,evidence)",
	NoRows:     "the file has a header but no completions; export the completions from the previous system",
}

// readCompletions is the CSV front end: each row becomes a CompletionRecord
// for completionParser.
func readCompletions(r io.Reader, now time.Time, problems *importProblems) (*completionsFile, error) {
	f := &completionsFile{numberIdx: map[string]int32{}, courseIdx: map[string]int32{}}
	p := &completionParser{now: now, file: f, problems: problems}
	err := csvimport.ReadCSV(r, completionsSpec, problems, func(h *csvimport.Header) { f.ignored = h.Ignored },
		func(line int, cell func(string) string) {
			p.check(line, CompletionRecord{
				EmployeeID: cell(CompletionColumnEmployeeID), Course: cell(CompletionColumnCourse),
				CompletedAt: cell(CompletionColumnCompletedAt), Score: cell(CompletionColumnScore),
				Evidence: cell(CompletionColumnEvidence),
			})
		})
	if err != nil {
		return nil, fmt.Errorf("read completions file: %w", err)
	}
	return f, nil
}

// CompletionRecord is one past completion as a source gives it, before any
// check: the completions CSV's columns as text.
type CompletionRecord struct {
	EmployeeID string
	Course     string
	// CompletedAt is YYYY-MM-DD or an RFC 3339 time.
	CompletedAt string
	// Score is a whole percentage, with or without "%", or empty.
	Score    string
	Evidence string
}

// completionParser checks data rows one by one; repeated rows are found
// afterwards (completionsFile.removeRepeats).
type completionParser struct {
	now      time.Time
	file     *completionsFile
	problems *importProblems
}

// check checks one record and, when it is sound, adds it to the file.
func (p *completionParser) check(line int, rec CompletionRecord) {
	c := csvimport.Cells{Row: line, Problems: p.problems}
	report := c.Report
	row := CompletionRow{
		Row:            line,
		EmployeeNumber: c.Text(CompletionColumnEmployeeID, rec.EmployeeID, false),
		CourseID:       c.Text(CompletionColumnCourse, rec.Course, false),
		Evidence:       c.Text(CompletionColumnEvidence, rec.Evidence, true),
	}
	completed := c.Text(CompletionColumnCompletedAt, rec.CompletedAt, false)
	score := c.Text(CompletionColumnScore, rec.Score, false)
	f := p.file
	number := f.intern(f.numberIdx, &f.numbers, row.EmployeeNumber)
	course := f.intern(f.courseIdx, &f.courses, row.CourseID)

	c.Required(CompletionColumnEmployeeID, row.EmployeeNumber, "give the employee's ID from the HR system, as in the staff import")
	c.Required(CompletionColumnCourse, row.CourseID, "give the course's ID, as `onramp courses` lists it")
	c.Required(CompletionColumnCompletedAt, completed, "give the date the course was completed; "+completionDateFix)
	if completed != "" {
		at, err := parseCompletionTime(completed)
		switch {
		case err != nil:
			report(CompletionColumnCompletedAt, completed, fmt.Sprintf("%q is not a date; %s", completed, completionDateFix))
		case at.Before(earliestCompletion):
			report(CompletionColumnCompletedAt, completed, fmt.Sprintf("%q is before 1900; check the year", completed))
		case completedInFuture(completed, at, p.now):
			report(CompletionColumnCompletedAt, completed, fmt.Sprintf("%q is in the future (today is %s); a completion cannot be later than today, so check the date",
				completed, p.now.UTC().Format(time.DateOnly)))
		default:
			row.CompletedAt = at
		}
	}
	if score != "" {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(score, "%")))
		if err != nil || n < 0 || n > 100 {
			report(CompletionColumnScore, score, fmt.Sprintf("%q is not a score; give a whole number from 0 to 100 (e.g. 85), or leave it empty", score))
		} else {
			row.Score = &n
		}
	}
	if n := utf8.RuneCountInString(row.Evidence); n > MaxEvidenceChars {
		report(CompletionColumnEvidence, string([]rune(row.Evidence)[:40])+"…",
			fmt.Sprintf("is %d characters long; shorten it to at most %d (keep a reference to the full record instead)", n, MaxEvidenceChars))
	}
	if c.Bad {
		f.refs = append(f.refs, compactRef{row: int32(line), number: number, course: course})
		return
	}
	cr := compactRow{row: int32(line), number: number, course: course, score: -1, completedAt: row.CompletedAt.UnixNano()}
	if row.Score != nil {
		cr.score = int16(*row.Score)
	}
	if row.Evidence != "" {
		cr.evidence = strings.Clone(row.Evidence)
	}
	f.rows = append(f.rows, cr)
}

// parseCompletionTime reads a date (midnight UTC) or an RFC 3339 time.
func parseCompletionTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// completedInFuture reports whether a completion is later than now: for a
// date alone, a day after today's.
func completedInFuture(written string, at, now time.Time) bool {
	if len(written) == len(time.DateOnly) {
		return Day(at).After(Day(now))
	}
	return at.After(now)
}
