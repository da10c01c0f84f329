package report

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// Filter narrows a report. The zero Filter is everyone, everything.
type Filter struct {
	Department string
	// Course is a course ID.
	Course   string
	JobTitle string
	Location string
	// Status keeps one standing (not used by the completions and
	// by-department reports, nor by expiring, which is about completions).
	Status Status
	// Manager is an employee ID: only the people who report to them,
	// directly or through others.
	Manager string
	// Days is the horizon of the expiring report; 0 means DefaultDays.
	Days int
}

// Filter limits and defaults.
const (
	DefaultDays    = 30
	MaxDays        = 366
	maxFilterValue = 200
	maxIDLength    = 64
)

// The filter's query parameters (and, with dashes for underscores, the
// command line's flags).
const (
	ParamDepartment = "department"
	ParamCourse     = "course"
	ParamJobTitle   = "job_title"
	ParamLocation   = "location"
	ParamStatus     = "status"
	ParamManager    = "manager"
	ParamDays       = "days"
)

var filterParams = []string{ParamDepartment, ParamCourse, ParamJobTitle, ParamLocation, ParamStatus, ParamManager, ParamDays}

// pageParams are query parameters that may sit beside the filter on a
// report's address without being part of it.
var pageParams = map[string]bool{"report": true, "format": true, ParamCursor: true}

// ParamCursor is where a page of a report (or of the team page) starts, an
// opaque value from a Next or Previous link.
const ParamCursor = "cursor"

// FilterError says which filter is wrong and how, in words for the person
// who typed it.
type FilterError struct {
	Param   string
	Message string
}

func (e *FilterError) Error() string {
	if e.Param == "" {
		return e.Message
	}
	return e.Param + ": " + e.Message
}

// AppError makes a FilterError a Malformed apperr.Error (400) naming the
// parameter.
func (e *FilterError) AppError() *apperr.Error {
	return &apperr.Error{Code: apperr.Malformed, Message: "The filter is not right: " + e.Error() + ".",
		Problems: []apperr.Problem{{Field: e.Param, Message: e.Message}}, Err: e}
}

// ParseFilter reads a filter from query parameters (the reports page's
// form, an export link, or the command line's flags turned into values).
// Empty values mean "no filter". Unknown parameters, repeated ones, values
// over 200 characters or with control characters, an unknown status, a
// malformed manager ID and a days value outside 1–366 are errors.
func ParseFilter(values url.Values) (Filter, error) {
	var f Filter
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := pageParams[k]
		for _, p := range filterParams {
			known = known || k == p
		}
		if !known {
			return Filter{}, &FilterError{Message: fmt.Sprintf("unknown filter %q: the filters are %s", clip(k), strings.Join(filterParams, ", "))}
		}
	}
	get := func(param string) (string, error) {
		vs := values[param]
		if len(vs) > 1 {
			return "", &FilterError{param, fmt.Sprintf("give one value, not %d", len(vs))}
		}
		if len(vs) == 0 {
			return "", nil
		}
		v := strings.TrimSpace(vs[0])
		if !utf8.ValidString(v) {
			return "", &FilterError{param, "the value is not valid text (UTF-8)"}
		}
		if utf8.RuneCountInString(v) > maxFilterValue {
			return "", &FilterError{param, fmt.Sprintf("the value is longer than %d characters", maxFilterValue)}
		}
		for _, r := range v {
			if unicode.IsControl(r) {
				return "", &FilterError{param, "the value contains a control character (a tab, a line break or similar)"}
			}
		}
		return v, nil
	}
	var err error
	if f.Department, err = get(ParamDepartment); err != nil {
		return Filter{}, err
	}
	if f.Course, err = get(ParamCourse); err != nil {
		return Filter{}, err
	}
	if f.JobTitle, err = get(ParamJobTitle); err != nil {
		return Filter{}, err
	}
	if f.Location, err = get(ParamLocation); err != nil {
		return Filter{}, err
	}
	status, err := get(ParamStatus)
	if err != nil {
		return Filter{}, err
	}
	if status != "" {
		f.Status = Status(status)
		if !f.Status.valid() {
			names := make([]string, len(Statuses))
			for i, s := range Statuses {
				names[i] = string(s)
			}
			return Filter{}, &FilterError{ParamStatus, fmt.Sprintf("unknown status %q: choose %s", clip(status), strings.Join(names, ", "))}
		}
	}
	if f.Manager, err = get(ParamManager); err != nil {
		return Filter{}, err
	}
	if f.Manager != "" && !validID(f.Manager) {
		return Filter{}, &FilterError{ParamManager, "not an employee ID (letters, digits and dashes, at most 64)"}
	}
	days, err := get(ParamDays)
	if err != nil {
		return Filter{}, err
	}
	if days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > MaxDays {
			return Filter{}, &FilterError{ParamDays, fmt.Sprintf("give a whole number of days from 1 to %d", MaxDays)}
		}
		f.Days = n
	}
	return f, nil
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLength {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// HorizonDays is the expiring report's horizon.
func (f Filter) HorizonDays() int {
	if f.Days == 0 {
		return DefaultDays
	}
	return f.Days
}

// Values writes the filter back as query parameters, for links that keep it.
func (f Filter) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set(ParamDepartment, f.Department)
	set(ParamCourse, f.Course)
	set(ParamJobTitle, f.JobTitle)
	set(ParamLocation, f.Location)
	set(ParamStatus, string(f.Status))
	set(ParamManager, f.Manager)
	if f.Days != 0 {
		v.Set(ParamDays, strconv.Itoa(f.Days))
	}
	return v
}

// Map is the filter as a map of the parameters that are set, for the audit
// trail's details.
func (f Filter) Map() map[string]string {
	m := map[string]string{}
	for k, vs := range f.Values() {
		m[k] = vs[0]
	}
	return m
}

// Empty reports whether the filter keeps everything (Days aside).
func (f Filter) Empty() bool {
	return f.Department == "" && f.Course == "" && f.JobTitle == "" && f.Location == "" && f.Status == "" && f.Manager == ""
}

// Describe says the filter in words for the audit trail: `department
// "Nursing", course "fire"`.
func (f Filter) Describe() string {
	var parts []string
	for _, p := range filterParams {
		if v := f.Values().Get(p); v != "" {
			parts = append(parts, fmt.Sprintf("%s %q", strings.ReplaceAll(p, "_", " "), v))
		}
	}
	return strings.Join(parts, ", ")
}
