package httpserver

import (
	"context"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// parseReportFilter reads the filter from the query string; a bad one is a
// 400 whose message says what is wrong.
func parseReportFilter(c echo.Context) (report.Filter, error) {
	return report.ParseFilter(c.QueryParams())
}

// scopeToTeam limits a filter to the viewer's team: the people who report
// to them, directly or through others. A manager may narrow it to a
// manager within their team, never widen it: naming anyone else is a 403.
func (s *Server) scopeToTeam(ctx context.Context, viewer *people.Employee, f *report.Filter) error {
	if f.Manager == "" || f.Manager == viewer.ID {
		f.Manager = viewer.ID
		return nil
	}
	ok, err := s.Reports.Manages(ctx, viewer.ID, f.Manager)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "That manager is not on your team, so their team's report is not yours to see.")
	}
	return nil
}

// formFields says which filters a form offers.
type formFields struct {
	people  bool // job title, location, status, manager
	days    bool
	report  string
	managed string // limit the options to this manager's team
}

// reportFilterForm fills in the filter form for f.
func (s *Server) reportFilterForm(ctx context.Context, action string, f report.Filter, fields formFields) (views.ReportFilterForm, error) {
	form := views.ReportFilterForm{
		Action: action, Report: fields.report,
		Department: f.Department, Course: f.Course, JobTitle: f.JobTitle, Location: f.Location,
		Status: string(f.Status), Manager: f.Manager,
	}
	if f.Days != 0 {
		form.Days = strconv.Itoa(f.Days)
	}
	if fields.managed != "" && f.Manager == fields.managed {
		form.Manager = ""
	}
	opts, err := s.Reports.FilterOptions(ctx, fields.managed)
	if err != nil {
		return form, err
	}
	form.Departments = choices(opts.Departments, form.Department)
	form.Courses = choices(opts.Courses, form.Course)
	if fields.people {
		form.JobTitles = choices(opts.JobTitles, form.JobTitle)
		form.Locations = choices(opts.Locations, form.Location)
		form.Managers = choices(opts.Managers, form.Manager)
		form.Statuses = []views.ReportOption{}
		for _, st := range report.Statuses {
			form.Statuses = append(form.Statuses, views.ReportOption{Value: string(st), Label: st.Label()})
		}
	}
	if fields.days {
		form.DaysOptions = []views.ReportOption{{Value: "60", Label: "60 days"}, {Value: "90", Label: "90 days"}}
		if form.Days != "" && form.Days != "30" && form.Days != "60" && form.Days != "90" {
			form.DaysOptions = append(form.DaysOptions, views.ReportOption{Value: form.Days, Label: form.Days + " days"})
		}
	}
	return form, nil
}

// choices turns filter options into the form's, keeping a chosen value
// that the list does not hold (typed into the address) so the form shows it.
func choices(cs []report.Choice, chosen string) []views.ReportOption {
	out := make([]views.ReportOption, 0, len(cs)+1)
	found := chosen == ""
	for _, c := range cs {
		out = append(out, views.ReportOption{Value: c.Value, Label: c.Label})
		found = found || c.Value == chosen
	}
	if !found {
		out = append(out, views.ReportOption{Value: chosen, Label: chosen})
	}
	return out
}

// reportDownloads are a report's download links with the filter kept.
func reportDownloads(base, name string, f report.Filter) []views.ReportDownload {
	q := f.Values()
	var out []views.ReportDownload
	for _, format := range report.Formats {
		u := base + "/" + url.PathEscape(name) + "." + string(format)
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		label := "CSV"
		switch format {
		case report.XLSX:
			label = "Excel (XLSX)"
		case report.JSON:
			label = "JSON"
		}
		out = append(out, views.ReportDownload{Label: label, URL: u})
	}
	return out
}
