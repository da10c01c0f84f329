package httpserver

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// Work HR starts from a page that can take minutes at hospital scale (a
// rule change for everyone, a staff list of 100,000 people) runs as a job
// (internal/jobs): the request waits JobWait, then sends HR to the job's
// page, which follows it to the end.

// DefaultJobWait is how long a request that starts a job waits for it
// before it sends HR to the job's page: a rule change for a department or
// a staff list with the day's changes is done well within it; a change for
// everyone in a hospital system takes most of a minute.
const DefaultJobWait = 3 * time.Second

// jobWait is how long a request waits for the job it started.
func (s *Server) jobWait() time.Duration {
	if s.JobWait == 0 {
		return DefaultJobWait
	}
	return s.JobWait
}

// jobKinds are the pages of each kind of job: where a job's page lives and
// how it puts the job into words.
var jobKinds = map[jobs.Kind]struct {
	path string
	view func(j jobs.Job, v *views.JobView)
}{
	jobs.KindRuleChange:  {"/admin/rules/changes/", ruleJobView},
	jobs.KindStaffImport: {"/admin/people/imports/", staffJobView},
}

// jobURL is the page of job id of the kind.
func jobURL(kind jobs.Kind, id string) string { return jobKinds[kind].path + id }

// adminJob answers a job's page: how far it is, then what it did. A request
// from app.js (data-poll) gets only the status region.
func (s *Server) adminJob(kind jobs.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		j, err := s.Jobs.Get(c.Request().Context(), kind, c.Param("id"))
		if err != nil {
			return err
		}
		v := jobView(j, time.Now())
		// It says something new at every look, and the same URL answers
		// app.js with the status region alone: never from a cache.
		noStore(c)
		c.Response().Header().Add("Vary", "X-Onramp-Poll")
		if c.Request().Header.Get("X-Onramp-Poll") == "1" {
			return render(c, http.StatusOK, views.JobStatus(v))
		}
		p := s.page(c, v.Heading, "admin")
		return render(c, http.StatusOK, views.AdminJob(p, v))
	}
}

// jobView puts a job into words; now is the real time, to tell a job whose
// process stopped.
func jobView(j jobs.Job, now time.Time) views.JobView {
	v := views.JobView{ID: j.ID, By: j.ActorName, Started: formatMoment(j.StartedAt),
		Total: j.Total, Done: j.Done, Percent: j.Percent(), PollURL: jobURL(j.Kind, j.ID), Problem: j.Error}
	if v.By == "" {
		v.By = "HR"
	}
	switch {
	case j.FinishedAt != nil && j.Error == "":
		v.State = "done"
	case j.FinishedAt != nil && j.Begun():
		v.State = "partly"
	case j.FinishedAt != nil:
		v.State = "failed"
	case j.Stopped(now) && j.Begun():
		v.State = "stopped"
	case j.Stopped(now):
		v.State, v.Problem = "failed", "The server stopped before anything was written."
	default:
		v.State = "running"
	}
	jobKinds[j.Kind].view(j, &v)
	return v
}

// ruleJobView is a rule change's words.
func ruleJobView(j jobs.Job, v *views.JobView) {
	var f compliance.RuleFigures
	_ = j.FiguresInto(&f) // the figures are ours; unreadable ones read as none
	v.Nav, v.BackURL, v.BackLabel = "rules", "/admin/rules", "assignment rules"
	v.Heading = "Saving the rule “" + j.Title + "”"
	v.Doing = "Applying it to the people it concerns"
	v.About = "The rule is applied a batch of people at a time, so learners and the rest of the site carry on meanwhile."
	v.Result = fmt.Sprintf("Saved the rule “%s”: %s assigned, %s no longer required.", j.Title, rulesPeople(f.Assigned), rulesPeople(f.Closed))
	v.PartlyHeading = "The rule was saved, but not yet applied to everyone"
	v.PartlyNext = "Nothing needs doing: the next scheduler pass applies it to the others."
	if v.State == "partly" {
		v.Result = fmt.Sprintf("So far: %s assigned, %s no longer required.", rulesPeople(f.Assigned), rulesPeople(f.Closed))
	}
	v.StoppedText = "The rule is saved as it is; the next scheduler pass applies it to the others."
	v.FailedHeading = "The rule was not saved"
	v.RetryURL, v.RetryLabel = "/admin/rules/new", "Open a new rule"
	if j.Subject != "" {
		v.RetryURL, v.RetryLabel = "/admin/rules/"+j.Subject+"/edit", "Open the rule again"
	}
}

// jobsRunningOf lists a section's jobs still running.
func (s *Server) jobsRunningOf(c echo.Context, kind jobs.Kind) ([]views.JobRunning, error) {
	running, err := s.Jobs.Running(c.Request().Context(), kind, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]views.JobRunning, len(running))
	for i, j := range running {
		out[i] = views.JobRunning{Title: j.Title, URL: jobURL(kind, j.ID), Total: j.Total, Done: j.Done}
	}
	return out, nil
}

// staffJobView is a staff import's words.
func staffJobView(j jobs.Job, v *views.JobView) {
	var f people.ImportFigures
	_ = j.FiguresInto(&f) // the figures are ours; unreadable ones read as none
	v.Nav, v.BackURL, v.BackLabel = "people", "/admin/people", "people"
	v.Heading = "Importing “" + j.Title + "”"
	v.Doing = "Writing the people in the file, each with their courses"
	v.About = "The staff list is written a batch of people at a time, with the assignment rules applied to each, so the rest of the site carries on meanwhile."
	courses := "courses"
	if f.Assigned == 1 {
		courses = "course"
	}
	v.Result = fmt.Sprintf("Imported %s: %d added, %d changed, %d deactivated, %d reactivated, %d unchanged. The assignment rules were applied to everyone the import touched: %d %s assigned, %d closed. The import is in the audit trail.",
		j.Title, f.Added, f.Changed, f.Deactivated, f.Reactivated, f.Unchanged, f.Assigned, courses, f.Closed)
	if v.State == "partly" {
		v.Result = ""
	}
	v.PartlyHeading = "The staff list was only partly imported"
	v.PartlyNext = "Upload the same file again and apply it: the people already written stay as they are, and the others are written."
	v.StoppedText = v.PartlyNext
	v.FailedHeading = "The staff list was not imported"
	v.RetryURL, v.RetryLabel = "/admin/people/import", "Upload the file again"
}
