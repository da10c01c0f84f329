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
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/csvtext"
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
// message.
type ImportProblem struct {
	// Row is the line number in the file (the header is 1), or 0 for a
	// problem of the file as a whole.
	Row int
	// Column is the column's name, several separated by ", " when the
	// problem lies in their combination, or "" for the whole row.
	Column string
	// Value is the cell as written, trimmed.
	Value string
	// Message says what is wrong and how to fix it.
	Message string
}

// String formats the problem as "row 14, column completed_at: message".
func (p ImportProblem) String() string {
	switch {
	case p.Row == 0:
		return p.Message
	case p.Column == "":
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	case strings.Contains(p.Column, ","):
		return fmt.Sprintf("row %d, columns %s: %s", p.Row, p.Column, p.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// MaxCompletionProblems is how many problems a CompletionsImportError lists;
// the rest are only counted.
const MaxCompletionProblems = 200

// CompletionsImportError says why a completions file cannot be imported.
// Nothing was written when it is returned.
type CompletionsImportError struct {
	// Problems are sorted by row, at most MaxCompletionProblems of them.
	Problems []ImportProblem
	// More counts the problems found beyond Problems.
	More int
}

func (e *CompletionsImportError) Error() string {
	n := len(e.Problems) + e.More
	if n == 1 {
		return "completions file: " + e.Problems[0].String()
	}
	return fmt.Sprintf("completions file has %d problems; the first is %s", n, e.Problems[0])
}

// Lines returns one line per problem, and a last "… and N more problems"
// line when some were left out.
func (e *CompletionsImportError) Lines() []string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if e.More == 1 {
		lines = append(lines, "… and 1 more problem")
	} else if e.More > 1 {
		lines = append(lines, fmt.Sprintf("… and %d more problems", e.More))
	}
	return lines
}

// importProblems collects problems up to MaxCompletionProblems and counts
// the rest.
type importProblems struct {
	list []ImportProblem
	more int
}

func (l *importProblems) add(row int, column, value, message string) {
	if len(l.list) >= MaxCompletionProblems {
		l.more++
		return
	}
	l.list = append(l.list, ImportProblem{Row: row, Column: column, Value: value, Message: message})
}

func (l *importProblems) empty() bool { return len(l.list) == 0 && l.more == 0 }

// err returns the problems as a *CompletionsImportError sorted by row, or nil.
func (l *importProblems) err() error {
	if l.empty() {
		return nil
	}
	sort.SliceStable(l.list, func(i, j int) bool { return l.list[i].Row < l.list[j].Row })
	return &CompletionsImportError{Problems: l.list, More: l.more}
}

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
	if err := problems.err(); err != nil {
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
				problems.add(int(r.row), CompletionColumnEmployeeID+", "+CompletionColumnCourse+", "+CompletionColumnCompletedAt, "",
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

func readCompletions(r io.Reader, now time.Time, problems *importProblems) (*completionsFile, error) {
	br, isUTF16 := csvtext.Open(r)
	if isUTF16 {
		problems.add(0, "", "", csvtext.UTF16Message)
		return &completionsFile{}, nil
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short or long row is reported, not fatal

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problems.add(1, "", "", "the file is empty; its first line must name the columns: "+strings.Join(CompletionColumns, ",")+" (score and evidence are optional)")
		return &completionsFile{}, nil
	}
	if err != nil {
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			problems.add(pe.Line, "", "", csvProblem(pe))
			return &completionsFile{}, nil
		}
		return nil, fmt.Errorf("read completions file: %w", err)
	}
	f := &completionsFile{numberIdx: map[string]int32{}, courseIdx: map[string]int32{}}
	cols, ok := readCompletionsHeader(header, f, problems)
	if !ok {
		return f, nil
	}
	p := &completionParser{cols: cols, width: len(header), now: now, file: f, problems: problems}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				// After a quoting error the reader cannot tell where the
				// next row starts, so the rows after it are not checked.
				problems.add(pe.Line, "", "", csvProblem(pe))
				break
			}
			return nil, fmt.Errorf("read completions file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p.parse(line, rec)
	}
	if problems.empty() && len(f.rows) == 0 {
		problems.add(2, "", "", "the file has a header but no completions; export the completions from the previous system")
	}
	return f, nil
}

// readCompletionsHeader maps the header's names to columns. It reports
// missing and repeated columns.
func readCompletionsHeader(header []string, f *completionsFile, problems *importProblems) (map[string]int, bool) {
	known := map[string]bool{}
	for _, c := range CompletionColumns {
		known[c] = true
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		problems.add(1, "", header[0], "the columns are separated by semicolons or tabs; save the file as CSV with commas between the columns")
		return nil, false
	}
	cols := map[string]int{}
	ok := true
	for i, raw := range header {
		name := columnName(raw)
		if !known[name] {
			if name != "" {
				f.ignored = append(f.ignored, strings.TrimSpace(raw))
			}
			continue
		}
		if first, dup := cols[name]; dup {
			problems.add(1, name, strings.TrimSpace(raw), fmt.Sprintf("appears twice in the header (columns %d and %d); keep only one", first+1, i+1))
			ok = false
			continue
		}
		cols[name] = i
	}
	var missing []string
	for _, c := range requiredCompletionColumns {
		if _, found := cols[c]; !found {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		what := "is missing from the header"
		if len(missing) > 1 {
			what = "are missing from the header"
		}
		problems.add(1, strings.Join(missing, ", "), "", what+"; the first line must name the columns "+
			strings.Join(requiredCompletionColumns, ",")+" (and optionally score,evidence)")
		ok = false
	}
	return cols, ok
}

// columnName makes " Employee ID" and "employee-id" both read as employee_id.
func columnName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

func csvProblem(pe *csv.ParseError) string {
	return fmt.Sprintf("is not valid CSV (%v); put values that contain commas or quotes in double quotes, and double any quote inside them", pe.Err)
}

// completionParser checks data rows one by one; repeated rows are found
// afterwards (completionsFile.removeRepeats).
type completionParser struct {
	cols     map[string]int
	width    int
	now      time.Time
	file     *completionsFile
	problems *importProblems
}

// parse checks one data row and, when it is sound, adds it to the file.
func (p *completionParser) parse(line int, rec []string) {
	if blank(rec) {
		// Spreadsheets export empty rows as a line of commas.
		return
	}
	if len(rec) != p.width {
		p.problems.add(line, "", "", fmt.Sprintf("has %d values but the header has %d columns; check for a missing or extra comma, and quote values that contain commas", len(rec), p.width))
		return
	}
	bad := false
	badColumn := map[string]bool{}
	report := func(column, value, message string) {
		p.problems.add(line, column, value, message)
		bad = true
		badColumn[column] = true
	}
	cell := func(column string, multiline bool) string {
		i, ok := p.cols[column]
		if !ok {
			return ""
		}
		v := strings.TrimSpace(rec[i])
		if !utf8.ValidString(v) {
			report(column, strings.ToValidUTF8(v, "\uFFFD"), "is not UTF-8 text; save the file as \"CSV UTF-8\"")
			return ""
		}
		if strings.IndexFunc(v, func(r rune) bool {
			return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
		}) >= 0 {
			what := "a control character (such as a line break or tab)"
			if multiline {
				what = "a control character"
			}
			report(column, v, "contains "+what+"; remove it")
			return ""
		}
		return v
	}
	row := CompletionRow{
		Row:            line,
		EmployeeNumber: cell(CompletionColumnEmployeeID, false),
		CourseID:       cell(CompletionColumnCourse, false),
		Evidence:       cell(CompletionColumnEvidence, true),
	}
	completed := cell(CompletionColumnCompletedAt, false)
	score := cell(CompletionColumnScore, false)
	f := p.file
	number := f.intern(f.numberIdx, &f.numbers, row.EmployeeNumber)
	course := f.intern(f.courseIdx, &f.courses, row.CourseID)

	required := []struct{ column, value, fix string }{
		{CompletionColumnEmployeeID, row.EmployeeNumber, "give the employee's ID from the HR system, as in the staff import"},
		{CompletionColumnCourse, row.CourseID, "give the course's ID, as `onramp courses` lists it"},
		{CompletionColumnCompletedAt, completed, "give the date the course was completed; " + completionDateFix},
	}
	for _, r := range required {
		if r.value == "" && !badColumn[r.column] {
			report(r.column, "", "is empty; "+r.fix)
		}
	}
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
	if bad {
		f.refs = append(f.refs, compactRef{row: int32(line), number: number, course: course})
		return
	}
	c := compactRow{row: int32(line), number: number, course: course, score: -1, completedAt: row.CompletedAt.UnixNano()}
	if row.Score != nil {
		c.score = int16(*row.Score)
	}
	if row.Evidence != "" {
		c.evidence = strings.Clone(row.Evidence)
	}
	f.rows = append(f.rows, c)
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

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
