package notify

import (
	"strconv"
	"strings"
	"time"
)

// The iCalendar methods of a session invitation (RFC 5546): REQUEST puts
// the event in the attendee's calendar (and updates it when SEQUENCE is
// higher), CANCEL removes it.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// MeetingEvent is a timed event with an organizer and one attendee: a
// training session invitation.
type MeetingEvent struct {
	// UID is stable for the session and the attendee, so an update or a
	// cancellation replaces the same calendar entry.
	UID string
	// Sequence counts the revisions sent to this attendee.
	Sequence    int
	Stamp       time.Time
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	// OrganizerName and OrganizerEmail say who sends it (the sender of
	// Onramp's e-mail); AttendeeName and AttendeeEmail who it is for.
	OrganizerName, OrganizerEmail string
	AttendeeName, AttendeeEmail   string
}

// MeetingContentType is the MIME type of a session invitation with method.
func MeetingContentType(method string) string {
	return "text/calendar; charset=utf-8; method=" + method
}

// MeetingCalendar renders e as an iCalendar file with the method (REQUEST
// or CANCEL): CRLF line endings, text escaped, lines folded at 75 octets.
func MeetingCalendar(method string, e MeetingEvent) []byte {
	var b strings.Builder
	line := func(s string) {
		b.WriteString(foldICSLine(s))
		b.WriteString("\r\n")
	}
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Onramp//Onramp LMS//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:" + method)
	line("BEGIN:VEVENT")
	line("UID:" + escapeICSText(e.UID))
	line("SEQUENCE:" + strconv.Itoa(e.Sequence))
	line("DTSTAMP:" + utc(e.Stamp))
	line("DTSTART:" + utc(e.Start))
	line("DTEND:" + utc(e.End))
	line("SUMMARY:" + escapeICSText(e.Summary))
	if e.Description != "" {
		line("DESCRIPTION:" + escapeICSText(e.Description))
	}
	if e.Location != "" {
		line("LOCATION:" + escapeICSText(e.Location))
	}
	if e.URL != "" {
		line("URL:" + e.URL)
	}
	if e.OrganizerEmail != "" {
		line("ORGANIZER;CN=" + icsParam(e.OrganizerName) + ":mailto:" + e.OrganizerEmail)
	}
	if e.AttendeeEmail != "" {
		line("ATTENDEE;CN=" + icsParam(e.AttendeeName) + ";ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:" + e.AttendeeEmail)
	}
	if method == MethodCancel {
		line("STATUS:CANCELLED")
	} else {
		line("STATUS:CONFIRMED")
	}
	line("END:VEVENT")
	line("END:VCALENDAR")
	return []byte(b.String())
}

// icsParam quotes a parameter value (RFC 5545 §3.2): double quotes are not
// allowed inside, so they are dropped.
func icsParam(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 {
			return -1
		}
		return r
	}, s)
	return `"` + s + `"`
}
