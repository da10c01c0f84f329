package csvimport

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// Problem is one thing wrong with an import's input, with the fix in its
// message.
type Problem struct {
	// Row is the row's number as the input's Numbering counts it (a file's
	// line, the header being 1), or 0 for a problem of the input as a
	// whole.
	Row int
	// Column is the column's name, several separated by ", " when the
	// problem lies in their combination, or "" for the whole row.
	Column string
	// Value is the cell as written, trimmed.
	Value string
	// Message says what is wrong and how to fix it.
	Message string
}

// String formats the problem as "row 14, column hire_date: message".
func (p Problem) String() string {
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

// MaxProblems is how many problems an Error lists; the rest are only
// counted.
const MaxProblems = 200

// Error says why an input cannot be imported. Nothing was written when it
// is returned.
type Error struct {
	// Subject names the input in Error's text: "staff file".
	Subject string
	// Problems are sorted by row, at most MaxProblems of them.
	Problems []Problem
	// More counts the problems found beyond Problems.
	More int
}

func (e *Error) Error() string {
	n := len(e.Problems) + e.More
	if n == 1 {
		return e.Subject + ": " + e.Problems[0].String()
	}
	return fmt.Sprintf("%s has %d problems; the first is %s", e.Subject, n, e.Problems[0])
}

// Lines returns one line per problem, and a last "… and N more problems"
// line when some were left out.
func (e *Error) Lines() []string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if e.More > 0 {
		lines = append(lines, MoreLine(e.More))
	}
	return lines
}

// MoreLine is the last line of a list of problems cut at MaxProblems.
func MoreLine(more int) string {
	if more == 1 {
		return "… and 1 more problem"
	}
	return fmt.Sprintf("… and %d more problems", more)
}

// Problems collects problems up to MaxProblems and counts the rest.
type Problems struct {
	list []Problem
	more int
}

// Add records a problem.
func (l *Problems) Add(row int, column, value, message string) {
	if len(l.list) >= MaxProblems {
		l.more++
		return
	}
	l.list = append(l.list, Problem{Row: row, Column: column, Value: value, Message: message})
}

// Empty reports whether nothing was added.
func (l *Problems) Empty() bool { return len(l.list) == 0 && l.more == 0 }

// Err returns the problems as an *Error about subject, sorted by row, or
// nil when there are none.
func (l *Problems) Err(subject string) error {
	if l.Empty() {
		return nil
	}
	sort.SliceStable(l.list, func(i, j int) bool { return l.list[i].Row < l.list[j].Row })
	return &Error{Subject: subject, Problems: l.list, More: l.more}
}

// Numbering says how an input numbers its rows: Problem.Row, and the words
// a message uses for another row and for the whole input.
type Numbering struct {
	// First is the number of the first record: 2 in a file whose first
	// line is its header, 1 in a list.
	First int
	// Name names row n in a message: "row 14", "employees[13]".
	Name func(n int) string
	// Input names the whole input in a message: "the file".
	Input string
}

// File numbers rows by their line in a CSV file with a header.
var File = Numbering{First: 2, Name: func(n int) string { return "row " + strconv.Itoa(n) }, Input: "the file"}

// List numbers the items of a request's list from 1 (Problem.Row 1 is
// list[0]) and names them as list[i] in messages.
func List(list string) Numbering {
	return Numbering{First: 1, Name: func(n int) string { return list + "[" + strconv.Itoa(n-1) + "]" }, Input: "the request"}
}

// Numbered returns n, or File when n is the zero Numbering.
func Numbered(n Numbering) Numbering {
	if n.Name == nil {
		return File
	}
	return n
}

// AppError makes an Error an Invalid apperr.Error: one problem per row
// problem (Row, Field the column), and More the problems only counted.
func (e *Error) AppError() *apperr.Error {
	problems := make([]apperr.Problem, 0, len(e.Problems))
	for _, p := range e.Problems {
		problems = append(problems, apperr.Problem{Row: p.Row, Field: p.Column, Value: p.Value, Message: p.Message})
	}
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Problems: problems, More: e.More, Err: e}
}
