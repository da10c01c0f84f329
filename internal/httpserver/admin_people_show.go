package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// adminPerson is HR's page about one person: details, what can be done
// about them, and every record of their training.
func (s *Server) adminPerson(c echo.Context) error {
	ctx := c.Request().Context()
	emp, err := s.personFromPath(c)
	if err != nil {
		return err
	}
	v, err := s.personView(ctx, emp, viewerOf(c).Employee.ID)
	if err != nil {
		return err
	}
	stuck, err := s.Learning.StuckFor(ctx, emp.ID)
	if err != nil {
		return err
	}
	v.Stuck = stuckItems(stuck)
	p := s.page(c, emp.FullName(), "admin")
	p.Flash = personNotice(c.QueryParam("done"))
	noStore(c)
	return render(c, http.StatusOK, views.AdminPerson(p, *v))
}

// personFromPath loads the person the URL names (404 when nobody).
func (s *Server) personFromPath(c echo.Context) (*people.Employee, error) {
	return s.People.ByID(c.Request().Context(), c.Param("id"))
}

// personURL is HR's page about a person.
func personURL(id string) string { return "/admin/people/" + url.PathEscape(id) }

// personNotices are the one-off messages a redirect back to a person's
// page asks for with ?done=.
var personNotices = map[string]string{
	"added":       "Added. The assignment rules have been applied: the courses they must take are below.",
	"saved":       "Saved. The assignment rules have been applied again.",
	"unchanged":   "Nothing changed, so nothing was saved.",
	"deactivated": "Deactivated: they are signed out, can no longer sign in, and their open course cycles are closed.",
	"reactivated": "Reactivated. The assignment rules have been applied again.",
	"granted":     "Granted. The attempts are available now, and an e-mail telling them is on its way.",
}

func personNotice(key string) string { return personNotices[key] }

// personView gathers everything the person page shows to the HR admin
// viewerID.
func (s *Server) personView(ctx context.Context, emp *people.Employee, viewerID string) (*views.PersonView, error) {
	v := &views.PersonView{
		ID: emp.ID, Name: emp.FullName(), Email: emp.Email, Department: emp.Department, JobTitle: emp.JobTitle,
		Location: emp.Location, Inactive: !emp.Active(), DeactivatedAt: formatMomentPtr(emp.DeactivatedAt),
		TimeZone: emp.TimeZone, Role: peopleRoleLabel(emp.Role), HasPassword: emp.PasswordHash != "",
		Self: emp.ID == viewerID,
	}
	if emp.EmployeeNumber != nil {
		v.EmployeeNumber = *emp.EmployeeNumber
	}
	if emp.HireDate != nil {
		v.HireDate = formatDay(*emp.HireDate)
	}
	if emp.ManagerID != nil {
		m, err := s.People.ByID(ctx, *emp.ManagerID)
		if err != nil {
			return nil, fmt.Errorf("load manager: %w", err)
		}
		v.ManagerName, v.ManagerURL = m.FullName(), personURL(m.ID)
	}
	reports, err := s.People.ActiveReports(ctx, emp.ID)
	if err != nil {
		return nil, err
	}
	v.Reports = int(reports)

	rec, err := s.loadTrainingRecord(ctx, emp.ID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	cycleNumber := map[string]int{}
	for _, cy := range rec.cycles {
		cycleNumber[cy.ID] = cy.Number
	}
	for _, a := range rec.assignments {
		pa := views.PersonAssignment{
			Course: s.courseTitle(a.CourseID), Active: a.Status == "active", Since: formatDay(a.CreatedAt),
			Closed: formatDayPtr(a.ClosedAt), ClosedReason: a.ClosedReason, Rule: "assigned by hand",
		}
		if a.RuleID != nil {
			pa.Rule = "assigned by a rule"
			if name := rec.ruleNames[*a.RuleID]; name != "" {
				pa.Rule = "assigned by the rule “" + name + "”"
			}
		}
		for _, cy := range rec.cycles {
			if cy.AssignmentID != a.ID {
				continue
			}
			st := cy.DisplayStatus(now)
			pa.Cycles = append(pa.Cycles, views.PersonCycle{
				Number: cy.Number, Path: string(cy.Path), Status: string(st), StatusLabel: peopleCycleLabel(st),
				WindowOpens: formatDay(cy.WindowOpensAt), Due: formatDay(cy.DueAt), Started: formatDayPtr(cy.StartedAt),
				Completed: formatDayPtr(cy.CompletedAt), Expires: formatDayPtr(cy.ExpiresAt), Closed: formatDayPtr(cy.ClosedAt),
				Why: cycleWhy(cy, emp.FullName()), PathName: s.Catalog.Course(cy.CourseID).RefresherLabel(),
			})
		}
		v.Assignments = append(v.Assignments, pa)
	}
	for _, at := range rec.attempts {
		v.Attempts = append(v.Attempts, views.PersonAttempt{
			Course: s.courseTitle(courseOfCycle(rec.cycles, at.CycleID)), Quiz: s.stepTitle(courseOfCycle(rec.cycles, at.CycleID), at.ModuleID, at.StepID),
			Cycle: cycleNumber[at.CycleID], Number: at.Number, Score: at.ScorePercent, PassMark: at.PassMark, Passed: at.Passed,
			Submitted: at.Submitted(), When: attemptWhen(at),
		})
	}
	for _, sig := range rec.attestations {
		course := courseOfCycle(rec.cycles, sig.CycleID)
		v.Attestations = append(v.Attestations, views.PersonAttestation{
			Course: s.courseTitle(course), Policy: s.stepTitle(course, sig.ModuleID, sig.StepID), PolicyVersion: sig.PolicyVersion,
			Cycle: cycleNumber[sig.CycleID], PrintedName: sig.PrintedName, Meaning: sig.Meaning, SignedAt: formatMoment(sig.SignedAt),
		})
	}
	certs, err := s.Learning.Certificates(ctx, emp.ID)
	if err != nil {
		return nil, err
	}
	for _, ct := range certs {
		v.Certificates = append(v.Certificates, views.PersonCertificate{
			Code: learning.FormatCode(ct.Code), URL: certificateURL(ct.Code), Course: ct.CourseTitle,
			Completed: formatDay(ct.CompletedAt), Expires: formatDayPtr(ct.ExpiresAt), Valid: !ct.Expired(now),
		})
	}
	return v, nil
}

// trainingRecord is every row of one person's training, oldest first.
type trainingRecord struct {
	assignments  []*compliance.Assignment
	cycles       []*compliance.Cycle
	ruleNames    map[string]string
	attempts     []*learning.QuizAttempt
	attestations []*learning.Attestation
}

// loadTrainingRecord reads a person's assignments, cycles (the latest of
// each assignment first), quiz attempts and attestations, each through its
// employee index.
func (s *Server) loadTrainingRecord(ctx context.Context, employeeID string) (*trainingRecord, error) {
	base, err := s.Cycles.RecordOf(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	rec := &trainingRecord{assignments: base.Assignments, cycles: base.Cycles, ruleNames: base.RuleNames}
	if rec.attempts, err = s.Learning.AttemptsOf(ctx, employeeID); err != nil {
		return nil, err
	}
	if rec.attestations, err = s.Learning.AttestationsOf(ctx, employeeID); err != nil {
		return nil, err
	}
	return rec, nil
}

func courseOfCycle(cycles []*compliance.Cycle, cycleID string) string {
	for _, cy := range cycles {
		if cy.ID == cycleID {
			return cy.CourseID
		}
	}
	return ""
}

// courseTitle is the course's title, or its ID when it is no longer loaded.
func (s *Server) courseTitle(id string) string {
	if c := s.Catalog.Course(id); c != nil {
		return c.Title
	}
	return id
}

// stepTitle names a step as "Module: Step", or its IDs when no longer loaded.
func (s *Server) stepTitle(courseID, moduleID, stepID string) string {
	m := s.Catalog.Course(courseID).Module(moduleID)
	if m == nil {
		return moduleID + "/" + stepID
	}
	if st := m.Step(stepID); st != nil && st.Title != "" && st.Title != m.Title {
		return m.Title + ": " + st.Title
	}
	return m.Title
}

// cycleWhy is the derivation sentence about the person (HR reads it), with
// the reason a closed cycle was closed.
func cycleWhy(cy *compliance.Cycle, name string) string {
	why := compliance.AboutPerson(cy.Derivation, name)
	if cy.Status == compliance.StatusClosed && cy.ClosedReason != "" {
		if why != "" {
			why += " "
		}
		why += "Closed: " + cy.ClosedReason + "."
	}
	return why
}

func attemptWhen(a *learning.QuizAttempt) string {
	if a.SubmittedAt != nil {
		return formatMoment(*a.SubmittedAt)
	}
	return "started " + formatMoment(a.StartedAt)
}

// peopleCycleLabel names a cycle's status in words (compliance.StatusLabel,
// the one place labels are defined).
func peopleCycleLabel(st compliance.CycleStatus) string { return compliance.StatusLabel(st) }
