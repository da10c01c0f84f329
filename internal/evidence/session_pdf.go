package evidence

import (
	"io"
	"strings"
)

// SessionSheet is a training session's sign-in sheet (before it) or
// attendance record (after it), with what OSHA 29 CFR 1910.1030(h)(2)
// asks a training record to hold: the dates and times, the course and its
// content version with a summary, the trainer's name and qualification,
// and each attendee's name and job title at the time.
type SessionSheet struct {
	// Record is true for the attendance record, false for the sign-in
	// sheet (blank signature column).
	Record        bool
	Organisation  string
	Title         string
	When          string
	Where         string
	CourseVersion string
	Summary       string
	Trainer       string
	Qualification string
	Generated     string
	Rows          []SessionSheetRow
}

// SessionSheetRow is one attendee.
type SessionSheetRow struct {
	Name, JobTitle, Department string
	// Attendance is what the record says ("Attended, arrived late",
	// "No-show"); empty on a sign-in sheet.
	Attendance string
}

// WriteSessionPDF writes the sheet as a PDF (the layout of the transcripts
// and certificates).
func WriteSessionPDF(w io.Writer, s SessionSheet) error {
	kind := "Sign-in sheet"
	if s.Record {
		kind = "Attendance record"
	}
	brand := "ONRAMP"
	if s.Organisation != "" {
		brand = s.Organisation
	}
	d, err := newDocument(kind+": "+s.Title, s.When, brand+" "+strings.ToLower(kind)+": "+s.Title+", "+s.When)
	if err != nil {
		return err
	}
	d.paragraph(true, 9, 40, brand, 2)
	d.paragraph(true, 20, 20, kind, 6)
	d.paragraph(true, 15, 20, s.Title, 4)
	d.field("Date and time", s.When)
	d.field("Place", s.Where)
	d.field("Content version", s.CourseVersion)
	d.field("Trainer", s.Trainer)
	d.field("Qualification", s.Qualification)
	d.field("Generated", s.Generated)
	d.y += 4
	d.heading(12, "What the session covers", 40)
	d.paragraph(false, 9, 20, s.Summary, 8)
	d.heading(12, "Attendees", 40)
	last := column{"Signature", 0.3}
	if s.Record {
		last = column{"Attendance", 0.3}
	}
	rows := make([][]string, len(s.Rows))
	for i, r := range s.Rows {
		rows[i] = []string{r.Name, r.JobTitle, r.Department, r.Attendance}
	}
	if len(rows) == 0 {
		d.paragraph(false, 9, 20, "Nobody is booked.", 0)
	} else {
		d.table([]column{{"Name", 0.25}, {"Job title", 0.25}, {"Department", 0.2}, last}, rows)
	}
	return d.finish(w)
}
