package csvimport

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cells checks the values of one record and reports its problems: every
// importer checks a record's text the same way, whatever the front end.
type Cells struct {
	Row      int
	Problems *Problems
	// Bad is set once any problem is reported for the record.
	Bad bool
	// badColumn marks the columns already reported.
	badColumn map[string]bool
}

// Report records a problem of column (or of the row, for "").
func (c *Cells) Report(column, value, message string) {
	c.Problems.Add(c.Row, column, value, message)
	c.Bad = true
	if c.badColumn == nil {
		c.badColumn = map[string]bool{}
	}
	c.badColumn[column] = true
}

// Text trims v and checks it is UTF-8 without control characters (line
// breaks and tabs are allowed in multiline text); a bad value is reported
// and read as "".
func (c *Cells) Text(column, v string, multiline bool) string {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		c.Report(column, strings.ToValidUTF8(v, "\uFFFD"), "is not UTF-8 text; save the file as \"CSV UTF-8\"")
		return ""
	}
	if strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}) >= 0 {
		what := "a control character (such as a line break or tab)"
		if multiline {
			what = "a control character"
		}
		c.Report(column, v, "contains "+what+"; remove it")
		return ""
	}
	return v
}

// Required reports an empty value of a column not already reported:
// "is empty; " and the fix.
func (c *Cells) Required(column, value, fix string) {
	if value == "" && !c.badColumn[column] {
		c.Report(column, "", "is empty; "+fix)
	}
}
