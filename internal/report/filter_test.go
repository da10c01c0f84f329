package report_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/report"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	ok := []struct {
		query string
		want  report.Filter
	}{
		{"", report.Filter{}},
		{"department=Nursing&course=fire&job_title=Nurse&location=North&status=overdue&manager=01a2-b3&days=90",
			report.Filter{Department: "Nursing", Course: "fire", JobTitle: "Nurse", Location: "North", Status: report.StatusOverdue, Manager: "01a2-b3", Days: 90}},
		{"department=&course=&status=&days=", report.Filter{}},
		{"department=+Intensive+care+", report.Filter{Department: "Intensive care"}},
		{"report=matrix&format=csv&department=A%26E", report.Filter{Department: "A&E"}},
		{"department=Soins+intensifs+%C3%A9t%C3%A9", report.Filter{Department: "Soins intensifs été"}},
		{"days=1", report.Filter{Days: 1}},
		{"days=366", report.Filter{Days: 366}},
	}
	for _, c := range ok {
		v, _ := url.ParseQuery(c.query)
		got, err := report.ParseFilter(v)
		if err != nil || got != c.want {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", c.query, got, err, c.want)
		}
	}
	bad := []struct{ query, param, says string }{
		{"departmnet=Nursing", "", `unknown filter "departmnet"`},
		{"department=A&department=B", "department", "give one value, not 2"},
		{"status=late", "status", `unknown status "late"`},
		{"status=Completed", "status", "unknown status"},
		{"days=0", "days", "from 1 to 366"},
		{"days=367", "days", "from 1 to 366"},
		{"days=thirty", "days", "whole number"},
		{"days=1e3", "days", "whole number"},
		{"manager=not+an+id", "manager", "not an employee ID"},
		{"manager=" + strings.Repeat("a", 65), "manager", "not an employee ID"},
		{"department=" + strings.Repeat("x", 201), "department", "longer than 200"},
		{"department=a%0Ab", "department", "control character"},
		{"location=a%00b", "location", "control character"},
		{"job_title=%FF", "job_title", "not valid text"},
	}
	for _, c := range bad {
		v, _ := url.ParseQuery(c.query)
		_, err := report.ParseFilter(v)
		fe, isFilterError := errors.AsType[*report.FilterError](err)
		if !isFilterError || fe.Param != c.param || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseFilter(%q) = %v; want a FilterError on %q saying %q", c.query, err, c.param, c.says)
		}
	}
	// A filter written back as values reads the same.
	f := report.Filter{Department: "A&E", Status: report.StatusExpired, Days: 60, Manager: "m-1"}
	if got, err := report.ParseFilter(f.Values()); err != nil || got != f {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	if got := f.Describe(); got != `department "A&E", status "expired", manager "m-1", days "60"` {
		t.Errorf("Describe: %s", got)
	}
}
