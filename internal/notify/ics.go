package notify

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarContentType is the MIME type of the .ics attached to an assigned
// message: an event published for the reader's calendar, not an invitation
// that expects a reply.
const CalendarContentType = "text/calendar; charset=utf-8; method=PUBLISH"

// DueDateEvent is an all-day calendar event on a due date (RFC 5545).
type DueDateEvent struct {
	// UID identifies the event across updates: derived from the dedupe key,
	// so the same assignment never makes two calendar entries.
	UID string
	// Stamp is when the event was made (DTSTAMP).
	Stamp time.Time
	// Day is the due date; only its UTC calendar day is used, as cycle
	// dates are days.
	Day         time.Time
	Summary     string
	Description string
	// URL is the course page.
	URL string
}

// ICS renders the event as an iCalendar file: CRLF line endings, text
// escaped, lines folded at 75 octets.
func (e DueDateEvent) ICS() []byte { return Calendar(e) }

// Calendar renders one iCalendar file holding every event given, one
// VEVENT each, as a digest of several assigned courses attaches.
func Calendar(events ...DueDateEvent) []byte {
	var b strings.Builder
	line := func(s string) {
		b.WriteString(foldICSLine(s))
		b.WriteString("\r\n")
	}
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Onramp//Onramp LMS//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	for _, e := range events {
		day := e.Day.UTC()
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		line("BEGIN:VEVENT")
		line("UID:" + escapeICSText(e.UID))
		line("DTSTAMP:" + e.Stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;VALUE=DATE:" + start.Format("20060102"))
		line("DTEND;VALUE=DATE:" + start.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY:" + escapeICSText(e.Summary))
		line("DESCRIPTION:" + escapeICSText(e.Description))
		if e.URL != "" {
			// URL is a URI value, not TEXT: it is not escaped.
			line("URL:" + e.URL)
		}
		// A deadline, not a meeting: it does not make the reader look busy.
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// escapeICSText escapes a TEXT value (RFC 5545 §3.3.11): backslash,
// semicolon and comma get a backslash, a line break becomes \n.
func escapeICSText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if r < 0x20 && r != '\t' || r == 0x7f {
				continue // control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldICSLine splits a content line into lines of at most 75 octets (RFC
// 5545 §3.1), each continuation starting with one space, never inside a
// UTF-8 sequence.
func foldICSLine(s string) string {
	const limit = 75
	if len(s) <= limit {
		return s
	}
	var b strings.Builder
	width := limit // the first line has 75 octets; the others 74 after the space
	for len(s) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		width = limit - 1
	}
	b.WriteString(s)
	return b.String()
}
