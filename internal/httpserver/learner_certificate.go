package httpserver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// certificateFor loads the :code certificate if the viewer may see it.
func (s *Server) certificateFor(c echo.Context) (*learning.Certificate, error) {
	ctx := c.Request().Context()
	cert, err := s.Learning.CertificateByCode(ctx, c.Param("code"))
	if err != nil {
		return nil, err
	}
	ok, err := s.maySeePerson(ctx, viewerOf(c).Employee, cert.EmployeeID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.New(apperr.Forbidden, "This certificate belongs to someone else. Anyone can check whether it is valid at /verify.")
	}
	return cert, nil
}

// learnerCertificate shows a certificate, printable, with its evidence.
func (s *Server) learnerCertificate(c echo.Context) error {
	cert, err := s.certificateFor(c)
	if err != nil {
		return err
	}
	v := views.CertificateView{
		Name: cert.EmployeeName, JobTitle: cert.JobTitle, Department: cert.Department, CourseTitle: cert.CourseTitle,
		Started: formatMomentPtr(cert.StartedAt), Completed: formatDay(cert.CompletedAt), Expires: formatDayPtr(cert.ExpiresAt),
		Expired: cert.Expired(s.Clock.Now()), Code: learning.FormatCode(cert.Code), VerifyURL: s.verifyURL(cert.Code),
		PDFURL: certificateURL(cert.Code) + "/pdf", CourseVersion: s.versionHash(c.Request().Context(), cert.CourseVersionID),
	}
	if cert.ScorePercent != nil && cert.PassMark != nil {
		v.HasScore, v.Score, v.PassMark = true, *cert.ScorePercent, *cert.PassMark
	}
	ev, err := s.evidenceView(c.Request().Context(), cert)
	if err != nil {
		return err
	}
	v.Evidence = ev
	noStore(c)
	return render(c, http.StatusOK, views.LearnerCertificate(s.page(c, "Certificate: "+cert.CourseTitle, "learn"), v))
}

// learnerCertificatePDF sends the certificate as a PDF.
func (s *Server) learnerCertificatePDF(c echo.Context) error {
	cert, err := s.certificateFor(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := learning.WriteCertificatePDFFor(&buf, cert, s.verifyURL(cert.Code), learning.Org{Name: s.Config.OrgName, Logo: s.OrgLogo}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"certificate-%s.pdf\"", learning.FormatCode(cert.Code)))
	noStore(c)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

// versionHash shows a content version by the start of its hash, the way
// authors see it; the row ID when the hash cannot be read.
func (s *Server) versionHash(ctx context.Context, versionID string) string {
	hash, err := s.Evidence.VersionHash(ctx, versionID)
	if err != nil || hash == "" {
		return versionID
	}
	if len(hash) > 12 {
		hash = hash[:12]
	}
	return hash
}

func (s *Server) evidenceView(ctx context.Context, cert *learning.Certificate) (*views.EvidenceView, error) {
	cycle, err := s.Cycles.ByID(ctx, cert.CycleID)
	if err != nil {
		return nil, err
	}
	ev, err := s.Learning.Evidence(ctx, cycle)
	if err != nil {
		return nil, err
	}
	course := s.Catalog.Course(cert.CourseID)
	names := func(moduleID, stepID string) (string, string) {
		m := course.Module(moduleID)
		if m == nil {
			return moduleID, stepID
		}
		if st := m.Step(stepID); st != nil {
			return m.Title, st.Title
		}
		return m.Title, stepID
	}
	v := &views.EvidenceView{}
	for _, p := range ev.Steps {
		if !p.Done() {
			continue
		}
		mt, stt := names(p.ModuleID, p.StepID)
		v.Steps = append(v.Steps, views.EvidenceStep{
			Module: mt, Step: stt, Started: formatMoment(p.StartedAt), Completed: formatMomentPtr(p.CompletedAt),
			Version: s.versionHash(ctx, p.ModuleVersionID),
		})
	}
	for _, a := range ev.Attempts {
		// Named by module: quiz steps are often all called "Check your
		// understanding"; the rows come in the order they were taken.
		mt, stt := names(a.ModuleID, a.StepID)
		if stt != mt {
			stt = mt + ": " + stt
		}
		v.Attempts = append(v.Attempts, views.EvidenceAttempt{
			Step: stt, Number: a.Number, Started: formatMoment(a.StartedAt), Submitted: formatMomentPtr(a.SubmittedAt),
			Correct: a.CorrectCount, Count: a.QuestionCount, Score: a.ScorePercent, PassMark: a.PassMark, Passed: a.Passed,
		})
	}
	for _, vp := range ev.Videos {
		_, stt := names(vp.ModuleID, vp.StepID)
		v.Videos = append(v.Videos, views.EvidenceVideo{
			Step: stt, WatchedPercent: int(vp.WatchedFraction() * 100),
			Watched: strconv.FormatFloat(vp.WatchedSeconds, 'f', 1, 64), Duration: strconv.FormatFloat(vp.DurationSeconds, 'f', 1, 64),
		})
	}
	for _, a := range ev.Attestations {
		_, stt := names(a.ModuleID, a.StepID)
		v.Attestations = append(v.Attestations, views.EvidenceAttestation{
			Step: stt, PrintedName: a.PrintedName, Meaning: a.Meaning, SignedAt: formatMoment(a.SignedAt),
			PolicyVersion: a.PolicyVersion, IP: a.IP, UserAgent: a.UserAgent,
		})
	}
	return v, nil
}

// verifyForm is the public page to type a certificate code; a submitted
// code goes to its own address.
func (s *Server) verifyForm(c echo.Context) error {
	if code := c.QueryParam("code"); code != "" {
		norm := learning.NormalizeCode(code)
		if norm == "" {
			return s.renderVerify(c, http.StatusNotFound, views.VerifyView{Typed: code})
		}
		return c.Redirect(http.StatusSeeOther, "/verify/"+learning.FormatCode(norm))
	}
	return s.renderVerify(c, http.StatusOK, views.VerifyView{})
}

// verifyCode is the public check of a certificate: valid or expired, the
// name and course on it, and its dates. Nothing more personal.
func (s *Server) verifyCode(c echo.Context) error {
	typed := c.Param("code")
	cert, err := s.Learning.CertificateByCode(c.Request().Context(), typed)
	if apperr.CodeOf(err) == apperr.NotFound {
		return s.renderVerify(c, http.StatusNotFound, views.VerifyView{Typed: typed})
	}
	if err != nil {
		return err
	}
	return s.renderVerify(c, http.StatusOK, views.VerifyView{
		Typed: typed, Found: true, Code: learning.FormatCode(cert.Code), Name: cert.EmployeeName,
		Course: cert.CourseTitle, Completed: formatDay(cert.CompletedAt), Expires: formatDayPtr(cert.ExpiresAt),
		Valid: !cert.Expired(s.Clock.Now()),
	})
}

func (s *Server) renderVerify(c echo.Context, status int, v views.VerifyView) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return render(c, status, views.VerifyCertificate(s.page(c, "Check a certificate", ""), v))
}
