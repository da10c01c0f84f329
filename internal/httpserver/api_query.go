package httpserver

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/report"
)

// apiCheckQuery refuses (400, in the API's error format) a query string
// with a parameter the call does not take, a parameter given twice, or an
// empty or unreadable value: a client's typo or a blank variable must not
// quietly widen what the call returns.
func apiCheckQuery(c echo.Context, takes ...string) error {
	q := c.QueryParams()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.Contains(takes, k) {
			return apperr.New(apperr.Malformed, fmt.Sprintf("Unknown parameter “%s”: this call takes %s.", apiClip(k), strings.Join(takes, ", ")))
		}
		vs := q[k]
		switch v := strings.TrimSpace(vs[0]); {
		case len(vs) > 1:
			return apperr.New(apperr.Malformed, fmt.Sprintf("%s is given %d times; give it once.", k, len(vs)))
		case v == "":
			return apperr.New(apperr.Malformed, fmt.Sprintf("%s is empty; give a value or leave it out.", k))
		case !utf8.ValidString(vs[0]) || strings.IndexFunc(vs[0], unicode.IsControl) >= 0:
			return apperr.New(apperr.Malformed, fmt.Sprintf("%s holds a control character or is not valid text (UTF-8).", k))
		case utf8.RuneCountInString(v) > 200:
			return apperr.New(apperr.Malformed, fmt.Sprintf("%s is longer than 200 characters.", k))
		}
	}
	return nil
}

// apiCheckCourse refuses (400) a ?course= that names no course Onramp has
// ever had (the courses table keeps retired ones, whose records stay).
func (s *Server) apiCheckCourse(c echo.Context) error {
	id := c.QueryParam("course")
	if id == "" {
		return nil
	}
	known, err := s.Cycles.CourseExists(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !known {
		var ids []string
		for _, co := range s.Catalog.Courses {
			ids = append(ids, co.ID)
		}
		return apperr.New(apperr.Malformed, fmt.Sprintf("There is no course “%s”; the courses are %s.", apiClip(id), strings.Join(ids, ", ")))
	}
	return nil
}

// apiReportParams are the query parameters GET /api/v1/reports/:name takes.
var apiReportParams = []string{"format", report.ParamDepartment, report.ParamCourse, report.ParamJobTitle, report.ParamLocation,
	report.ParamStatus, report.ParamManager, report.ParamDays}

// apiCheckReportFilter refuses (400) a filter the report does not use (a
// status on the completions report, days on any but expiring), which would
// otherwise be ignored without a word.
func apiCheckReportFilter(c echo.Context, r *report.Report) error {
	for _, p := range apiReportParams {
		if c.QueryParams().Has(p) && p != "format" && !r.Uses(p) {
			return apperr.New(apperr.Malformed, fmt.Sprintf("The %s report does not use the %s filter; leave it out.", r.Name, p))
		}
	}
	return nil
}

func apiClip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
