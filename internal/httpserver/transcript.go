package httpserver

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/evidence"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// transcriptRoutes: a person's transcript, as a page and a PDF, for HR, the
// person's managers up the chain, and the person (also at /me/transcript).
//
//	GET /admin/people/:id/transcript       page (HR, manager chain, self)
//	GET /admin/people/:id/transcript.pdf   PDF (same people)
//	GET /me/transcript                     the signed-in person's own
//	GET /me/transcript.pdf                 its PDF
func (s *Server) transcriptRoutes(e *echo.Echo) {
	e.GET("/admin/people/:id/transcript", s.transcriptPage, requireSignedIn)
	e.GET("/admin/people/:id/transcript.pdf", s.transcriptPDF, requireSignedIn)
	e.GET("/me/transcript", s.myTranscriptPage, requireSignedIn)
	e.GET("/me/transcript.pdf", s.myTranscriptPDF, requireSignedIn)
}

// transcriptFor loads personID's transcript if the viewer may see it.
func (s *Server) transcriptFor(c echo.Context, personID string) (*evidence.Transcript, error) {
	ctx := c.Request().Context()
	ok, err := s.maySeePerson(ctx, viewerOf(c).Employee, personID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.New(apperr.Forbidden, "This transcript belongs to someone who does not report to you. HR and the person's managers can see it.")
	}
	t, err := s.Evidence.Transcript(ctx, personID, s.Clock.Now())
	if t != nil {
		t.Organisation = s.Config.OrgName
	}
	return t, err
}

func (s *Server) transcriptPage(c echo.Context) error {
	t, err := s.transcriptFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderTranscript(c, t, "/admin/people/"+t.Employee.ID+"/transcript.pdf")
}

func (s *Server) myTranscriptPage(c echo.Context) error {
	t, err := s.transcriptFor(c, viewerOf(c).Employee.ID)
	if err != nil {
		return err
	}
	return s.renderTranscript(c, t, "/me/transcript.pdf")
}

func (s *Server) transcriptPDF(c echo.Context) error {
	t, err := s.transcriptFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.sendTranscriptPDF(c, t)
}

func (s *Server) myTranscriptPDF(c echo.Context) error {
	t, err := s.transcriptFor(c, viewerOf(c).Employee.ID)
	if err != nil {
		return err
	}
	return s.sendTranscriptPDF(c, t)
}

func (s *Server) sendTranscriptPDF(c echo.Context, t *evidence.Transcript) error {
	var buf bytes.Buffer
	if err := evidence.WriteTranscriptPDF(&buf, t); err != nil {
		return err
	}
	id := t.EmployeeNumber()
	if id == "" {
		id = t.Employee.ID
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=\"transcript-%s.pdf\"", evidenceFileName(id)))
	noStore(c)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

// evidenceFileName keeps letters, digits, dots and hyphens, so the name is
// safe inside a Content-Disposition header.
func evidenceFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func (s *Server) renderTranscript(c echo.Context, t *evidence.Transcript, pdfURL string) error {
	viewer := viewerOf(c).Employee
	e := t.Employee
	v := views.TranscriptView{
		Name: e.FullName(), EmployeeNumber: t.EmployeeNumber(), Email: e.Email, JobTitle: e.JobTitle,
		Department: e.Department, Location: e.Location, Manager: t.ManagerName, Hired: evidence.DayPtr(e.HireDate),
		Status: "Active", Generated: evidence.Moment(t.GeneratedAt), PDFURL: pdfURL, Self: viewer.ID == e.ID,
		AdminNav: viewer.Can(people.RoleHRAdmin),
	}
	if e.Status == people.StatusInactive {
		v.Status = "Inactive"
		if e.DeactivatedAt != nil {
			v.Status += " since " + evidence.Day(*e.DeactivatedAt)
		}
	}
	for _, course := range t.Courses {
		tc := views.TranscriptCourse{Title: course.Title}
		if course.AssignmentStatus == "closed" {
			tc.Closed = "No longer assigned"
			if course.ClosedReason != "" {
				tc.Closed += ": " + course.ClosedReason
			}
			tc.Closed += "."
		}
		for _, cr := range course.Cycles {
			tc.Cycles = append(tc.Cycles, transcriptCycleView(cr))
		}
		for _, se := range course.Sessions {
			tc.Sessions = append(tc.Sessions, views.TranscriptSession{
				When: se.When(), Place: strings.TrimSpace(se.Place + " " + se.VideoURL),
				Trainer: se.TrainerName + " (" + se.TrainerQualification + ")", RecordedAs: strings.Trim(se.EmployeeName+", "+se.JobTitle, ", "),
				Attendance: se.AttendanceLabel(),
			})
		}
		for _, q := range course.Questions {
			tc.Questions = append(tc.Questions, views.TranscriptQuestion{
				Question: q.Question, Contact: q.ContactName, Asked: evidence.Moment(q.AskedAt), Answered: evidence.QuestionAnswered(q),
			})
		}
		v.Courses = append(v.Courses, tc)
	}
	title := e.FullName() + ": transcript"
	nav := "team"
	switch {
	case v.Self:
		title, nav = "Your transcript", "learn"
	case v.AdminNav:
		nav = "admin"
	}
	noStore(c)
	return render(c, http.StatusOK, views.Transcript(s.page(c, title, nav), v))
}

func transcriptCycleView(cr *evidence.CycleRecord) views.TranscriptCycle {
	cy := cr.Cycle
	out := views.TranscriptCycle{
		Number: cy.Number, Path: evidence.PathLabel(cy.Path), Status: string(cr.Status), StatusLabel: evidence.StatusLabel(cr.Status),
		WindowOpens: evidence.Day(cy.WindowOpensAt), Due: evidence.Day(cy.DueAt), Started: evidence.MomentPtr(cy.StartedAt),
		Completed: evidence.MomentPtr(cy.CompletedAt), Expires: evidence.DayPtr(cy.ExpiresAt), Derivation: cy.Derivation,
		CourseVersion: evidence.VersionLabel(cr.CourseVersion),
	}
	if cy.ClosedAt != nil {
		out.Closed = evidence.Moment(*cy.ClosedAt)
		if cy.ClosedReason != "" {
			out.Closed += " (" + cy.ClosedReason + ")"
		}
	}
	if cert := cr.Certificate; cert != nil {
		out.Certificate, out.CertificateURL = cert.Code, certificateURL(cert.Code)
		if cert.ScorePercent != nil && cert.PassMark != nil {
			out.FinalScore = fmt.Sprintf("final quiz %d%% (pass mark %d%%)", *cert.ScorePercent, *cert.PassMark)
		}
	}
	if imp := cr.Imported; imp != nil {
		out.Imported = "Imported from the previous system (" + imp.SourceFile + ", row " + strconv.Itoa(imp.SourceRow) + ")"
		if imp.Score != nil {
			out.Imported += fmt.Sprintf("; score %d%%", *imp.Score)
		}
		if imp.Evidence != "" {
			out.Imported += "; " + imp.Evidence
		}
	}
	for _, st := range cr.Steps {
		out.Steps = append(out.Steps, views.TranscriptStep{
			Module: st.Module, Step: st.Step, Started: evidence.Moment(st.Progress.StartedAt),
			Completed: evidence.MomentPtr(st.Progress.CompletedAt), Version: evidence.VersionLabel(st.Version),
		})
	}
	for _, co := range cr.Checkoffs {
		tco := views.TranscriptCheckoff{Step: co.Step}
		for _, sk := range co.Skills {
			ts := views.TranscriptSkill{Skill: sk.Skill, Result: sk.Result(), MarkedAt: evidence.SkillMarkedAt(sk)}
			if sk.Mark != nil {
				ts.Observer, ts.Comment = sk.Mark.ObserverName, sk.Mark.Comment
			}
			tco.Skills = append(tco.Skills, ts)
		}
		if so := co.SignOff; so != nil {
			tco.SignedBy, tco.SignedAt, tco.Meaning, tco.IP = so.PrintedName, evidence.Moment(so.SignedAt), so.Meaning, so.IP
		}
		out.Checkoffs = append(out.Checkoffs, tco)
	}
	for _, a := range cr.Attempts {
		out.Attempts = append(out.Attempts, views.TranscriptAttempt{
			Quiz: a.Step, Number: a.Attempt.Number, Submitted: evidence.MomentPtr(a.Attempt.SubmittedAt),
			Score: evidence.AttemptScore(a), PassMark: strconv.Itoa(a.Attempt.PassMark) + "%", Result: evidence.AttemptResult(a),
			Passed: a.Attempt.Passed, Version: evidence.VersionLabel(a.Version),
		})
	}
	for _, vid := range cr.Videos {
		out.Videos = append(out.Videos, views.TranscriptVideo{Module: vid.Module, Video: vid.Step, Watched: evidence.VideoWatched(vid)})
	}
	for _, a := range cr.Attestations {
		at := a.Attestation
		out.Attestations = append(out.Attestations, views.TranscriptAttestation{
			Step: a.Step, PrintedName: at.PrintedName, SignedAt: evidence.Moment(at.SignedAt), Meaning: at.Meaning,
			PolicyVersion: at.PolicyVersion, Version: evidence.VersionLabel(a.Version), IP: at.IP,
		})
	}
	for _, ch := range cr.Changes {
		out.Changes = append(out.Changes, views.TranscriptChange{
			What: evidence.ChangeLabel(ch), Granted: evidence.Moment(ch.CreatedAt), Reason: ch.Reason, By: ch.ChangedBy,
		})
	}
	return out
}
