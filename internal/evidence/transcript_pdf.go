package evidence

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// WriteTranscriptPDF writes the transcript as an A4 portrait PDF with the Go
// fonts embedded: the person, then every course and every cycle with the
// records behind it, tables flowing over as many pages as they need, and
// "Page N of M" on each page.
func WriteTranscriptPDF(w io.Writer, t *Transcript) error {
	e := t.Employee
	who := e.FullName()
	if n := t.EmployeeNumber(); n != "" {
		who += " (" + n + ")"
	}
	brand, footer := "ONRAMP", "Onramp training transcript: "+who
	if t.Organisation != "" {
		brand, footer = t.Organisation, t.Organisation+" training transcript: "+who
	}
	d, err := newDocument("Training transcript: "+e.FullName(), who, footer)
	if err != nil {
		return err
	}
	d.paragraph(true, 9, 40, brand, 2)
	d.paragraph(true, 20, 20, "Training transcript", 6)
	d.paragraph(true, 15, 20, e.FullName(), 4)
	d.field("Employee ID", t.EmployeeNumber())
	d.field("E-mail", e.Email)
	d.field("Job title", e.JobTitle)
	d.field("Department", e.Department)
	d.field("Location", e.Location)
	d.field("Manager", t.ManagerName)
	d.field("Hired", DayPtr(e.HireDate))
	status := "Active"
	if e.Status == people.StatusInactive {
		status = "Inactive"
		if e.DeactivatedAt != nil {
			status += " since " + Day(*e.DeactivatedAt)
		}
	}
	d.field("Status", status)
	d.field("Generated", Moment(t.GeneratedAt))
	d.y += 4
	d.paragraph(false, 8, 80, "Every time is UTC. A content version is the start of the SHA-256 of the course's or module's source, with its record ID in brackets; the evidence pack holds each version's text.", 10)

	if len(t.Courses) == 0 {
		d.paragraph(false, 10, 20, "No course has been assigned to this person.", 0)
	}
	for _, c := range t.Courses {
		d.heading(14, c.Title, 60)
		if c.AssignmentStatus == "closed" {
			reason := "no longer assigned"
			if c.ClosedReason != "" {
				reason += ": " + c.ClosedReason
			}
			d.paragraph(false, 9, 80, strings.ToUpper(reason[:1])+reason[1:]+".", 4)
		}
		if len(c.Cycles) == 0 {
			d.paragraph(false, 9, 20, "No cycle yet.", 6)
		}
		for _, cr := range c.Cycles {
			writeCyclePDF(d, cr, e.FullName())
		}
		if len(c.Sessions) > 0 {
			d.paragraph(true, 9, 20, "Classroom sessions", 2)
			rows := make([][]string, len(c.Sessions))
			for i, se := range c.Sessions {
				rows[i] = []string{se.When(), strings.TrimSpace(se.Place + " " + se.VideoURL), se.TrainerName + " (" + se.TrainerQualification + ")",
					strings.Trim(se.EmployeeName+", "+se.JobTitle, ", "), se.AttendanceLabel()}
			}
			d.table([]column{{"Date and time", 0.2}, {"Place", 0.15}, {"Trainer and qualification", 0.25}, {"Recorded as", 0.18}, {"Attendance", 0.22}}, rows)
		}
		if len(c.Questions) > 0 {
			d.paragraph(true, 9, 20, "Questions to "+c.Questions[0].ContactName, 2)
			rows := make([][]string, len(c.Questions))
			for i, q := range c.Questions {
				rows[i] = []string{q.Question, Moment(q.AskedAt), QuestionAnswered(q)}
			}
			d.table([]column{{"Question", 0.56}, {"Asked", 0.22}, {"Answered", 0.22}}, rows)
		}
	}
	return d.finish(w)
}

func writeCyclePDF(d *document, cr *CycleRecord, name string) {
	cy := cr.Cycle
	d.heading(11, fmt.Sprintf("Cycle %d · %s · %s", cy.Number, PathLabel(cy.Path), StatusLabel(cr.Status)), 50)
	d.field("Window opens", Day(cy.WindowOpensAt))
	d.field("Due", Day(cy.DueAt))
	d.field("Started", MomentPtr(cy.StartedAt))
	d.field("Completed", MomentPtr(cy.CompletedAt))
	d.field("Expires", DayPtr(cy.ExpiresAt))
	if cy.ClosedAt != nil {
		d.field("Closed", Moment(*cy.ClosedAt)+" ("+cy.ClosedReason+")")
	}
	d.field("Why these dates", compliance.AboutPerson(cy.Derivation, name))
	d.field("Course version", VersionLabel(cr.CourseVersion))
	if cert := cr.Certificate; cert != nil {
		line := cert.Code
		if cert.ScorePercent != nil && cert.PassMark != nil {
			line += fmt.Sprintf(" · final quiz %d%% (pass mark %d%%)", *cert.ScorePercent, *cert.PassMark)
		}
		d.field("Certificate", line)
		d.field("Recorded as", strings.Trim(cert.EmployeeName+", "+cert.JobTitle+", "+cert.Department, ", "))
	}
	if imp := cr.Imported; imp != nil {
		line := "Imported from the previous system (" + imp.SourceFile + ", row " + strconv.Itoa(imp.SourceRow) + ")"
		if imp.Score != nil {
			line += fmt.Sprintf("; score %d%%", *imp.Score)
		}
		if imp.Evidence != "" {
			line += "; " + imp.Evidence
		}
		d.field("Source", line)
	}
	d.y += 4

	if len(cr.Steps) > 0 {
		rows := make([][]string, len(cr.Steps))
		for i, s := range cr.Steps {
			rows[i] = []string{s.Module, s.Step, Moment(s.Progress.StartedAt), MomentPtr(s.Progress.CompletedAt), VersionLabel(s.Version)}
		}
		d.table([]column{{"Module", 0.18}, {"Step", 0.2}, {"Started", 0.17}, {"Completed", 0.17}, {"Module version", 0.28}}, rows)
	}
	if len(cr.Attempts) > 0 {
		rows := make([][]string, len(cr.Attempts))
		for i, a := range cr.Attempts {
			rows[i] = []string{a.Step, strconv.Itoa(a.Attempt.Number), MomentPtr(a.Attempt.SubmittedAt),
				AttemptScore(a), strconv.Itoa(a.Attempt.PassMark) + "%", AttemptResult(a), VersionLabel(a.Version)}
		}
		d.table([]column{{"Quiz", 0.17}, {"Attempt", 0.08}, {"Submitted", 0.17}, {"Score", 0.12}, {"Pass mark", 0.09}, {"Result", 0.1}, {"Module version", 0.27}}, rows)
	}
	if len(cr.Videos) > 0 {
		rows := make([][]string, len(cr.Videos))
		for i, v := range cr.Videos {
			rows[i] = []string{v.Module, v.Step, VideoWatched(v), MomentPtr(v.Progress.LastBeaconAt)}
		}
		d.table([]column{{"Module", 0.22}, {"Video", 0.26}, {"Watched", 0.3}, {"Last watched", 0.22}}, rows)
	}
	for _, a := range cr.Attestations {
		at := a.Attestation
		d.ensure(70)
		d.paragraph(true, 9, 20, "Signature: "+a.Step, 2)
		d.field("Printed name", at.PrintedName)
		d.field("Signed", Moment(at.SignedAt))
		d.field("Meaning", at.Meaning)
		d.field("Policy version", at.PolicyVersion)
		d.field("Module version", VersionLabel(a.Version))
		d.field("From", strings.Trim(at.IP+" · "+at.UserAgent, " ·"))
		d.y += 4
	}
	for _, co := range cr.Checkoffs {
		d.ensure(70)
		d.paragraph(true, 9, 20, "Skills check-off: "+co.Step, 2)
		rows := make([][]string, len(co.Skills))
		for i, sk := range co.Skills {
			rows[i] = []string{sk.Skill, sk.Result(), SkillObserver(sk), SkillMarkedAt(sk)}
		}
		d.table([]column{{"Skill", 0.3}, {"Result", 0.16}, {"Observer and comment", 0.34}, {"Marked", 0.2}}, rows)
		if so := co.SignOff; so != nil {
			d.field("Signed off by", so.PrintedName)
			d.field("Signed", Moment(so.SignedAt))
			d.field("Meaning", so.Meaning)
			if so.IP != "" {
				d.field("From", so.IP)
			}
		} else {
			d.field("Signed off", "Not yet")
		}
		d.y += 4
	}
	if len(cr.Changes) > 0 {
		rows := make([][]string, len(cr.Changes))
		for i, ch := range cr.Changes {
			rows[i] = []string{ChangeLabel(ch), Moment(ch.CreatedAt), ch.Reason, ch.ChangedBy}
		}
		d.table([]column{{"Extension or exemption", 0.3}, {"Granted", 0.2}, {"Reason", 0.32}, {"By", 0.18}}, rows)
	}
	d.y += 6
}
