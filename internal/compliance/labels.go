package compliance

import (
	"regexp"
	"strings"
)

// statusLabels are the words for every cycle status, defined once: pages,
// e-mails, exports and PDFs all say a status through StatusLabel. An open
// cycle with nothing done is "Not started" (never "Open").
var statusLabels = map[CycleStatus]string{
	StatusUpcoming:   "Upcoming",
	StatusOpen:       "Not started",
	StatusInProgress: "In progress",
	StatusOverdue:    "Overdue",
	StatusCompleted:  "Completed",
	StatusExpired:    "Expired",
	StatusExempt:     "Exempt",
	StatusClosed:     "No longer required",
}

// StatusLabel says a cycle status in words.
func StatusLabel(st CycleStatus) string {
	if l, ok := statusLabels[st]; ok {
		return l
	}
	return string(st)
}

// Derivations are stored in the second person, as the learner reads them
// ("30 days after your hire date"). AboutPerson says the same of the
// person by name, for HR and managers' pages, exports and evidence
// ("30 days after Li Chen's hire date"); the learner's own pages show the
// stored text.
var (
	youWere = regexp.MustCompile(`\byou were\b`)
	your    = regexp.MustCompile(`\b[Yy]our\b`)
	you     = regexp.MustCompile(`\byou\b`)
)

// AboutPerson rewrites a second-person derivation about name.
func AboutPerson(derivation, name string) string {
	name = strings.TrimSpace(name)
	if derivation == "" || name == "" {
		return derivation
	}
	s := youWere.ReplaceAllLiteralString(derivation, "they were")
	s = your.ReplaceAllLiteralString(s, name+"'s")
	return you.ReplaceAllLiteralString(s, name)
}
