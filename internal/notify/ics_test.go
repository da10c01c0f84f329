package notify_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/notify"
)

// parseICS checks the RFC 5545 framing (CRLF, 75-octet lines, folding) and
// returns the VEVENT's properties (name with parameters → unescaped value).
func parseICS(t testing.TB, data []byte) map[string]string {
	t.Helper()
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("calendar does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for _, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in line %q", l)
		}
		if len(l) > 75 {
			t.Fatalf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line split inside a UTF-8 sequence: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("calendar starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not a VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	props := map[string]string{}
	in := false
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			in = true
		case l == "END:VEVENT":
			in = false
		case in || name == "METHOD" || name == "VERSION" || name == "PRODID":
			props[name] = unescapeICS(value)
		}
	}
	return props
}

func unescapeICS(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n")
	return r.Replace(s)
}

func TestDueDateEventICS(t *testing.T) {
	t.Parallel()
	desc := "Complete \"Social Media; Guidelines, part 1\" by the end of the day.\nBack\\slash. " +
		strings.Repeat("Ünïcödé ✓ ", 12)
	ev := notify.DueDateEvent{
		UID:         "0123456789abcdef@onramp.example.org",
		Stamp:       time.Date(2026, 3, 2, 9, 30, 15, 0, time.FixedZone("CET", 3600)),
		Day:         time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Summary:     "Due: Social Media, Guidelines; 2026",
		Description: desc,
		URL:         "https://onramp.example.org/courses/social-media",
	}
	data := ev.ICS()
	props := parseICS(t, data)
	want := map[string]string{
		"VERSION":            "2.0",
		"METHOD":             "PUBLISH",
		"UID":                "0123456789abcdef@onramp.example.org",
		"DTSTAMP":            "20260302T083015Z",
		"DTSTART;VALUE=DATE": "20260401",
		"DTEND;VALUE=DATE":   "20260402",
		"SUMMARY":            "Due: Social Media, Guidelines; 2026",
		"DESCRIPTION":        desc,
		"URL":                "https://onramp.example.org/courses/social-media",
		"TRANSP":             "TRANSPARENT",
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	s := string(data)
	for _, escaped := range []string{`Due: Social Media\, Guidelines\; 2026`, `\nBack\\slash`} {
		if !strings.Contains(strings.ReplaceAll(s, "\r\n ", ""), escaped) {
			t.Errorf("calendar lacks the escaped text %q:\n%s", escaped, s)
		}
	}
	if !strings.Contains(s, "\r\n ") {
		t.Error("the long description was not folded")
	}
}

func TestDueDateEventUsesTheUTCDay(t *testing.T) {
	t.Parallel()
	// A due date is a UTC calendar day, whatever zone the time is in.
	ev := notify.DueDateEvent{UID: "x", Day: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).In(time.FixedZone("EST", -5*3600))}
	props := parseICS(t, ev.ICS())
	if props["DTSTART;VALUE=DATE"] != "20260401" {
		t.Errorf("DTSTART = %q", props["DTSTART;VALUE=DATE"])
	}
}
