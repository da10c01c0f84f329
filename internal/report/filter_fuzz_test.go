package report_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/report"
)

// FuzzParseFilter parses arbitrary query strings as a report filter (the
// reports page's form and export links put them in the address, so anyone
// can type one). It must never panic; a refusal is a *FilterError whose
// message is short, valid text fit for the page; an accepted filter holds
// only clean, bounded values and survives being written back into a link
// (Values) and parsed again. The seed corpus is in
// testdata/fuzz/FuzzParseFilter.
func FuzzParseFilter(f *testing.F) {
	for _, q := range []string{
		"",
		"department=Nursing&course=basic&status=overdue&days=30",
		"job_title=Registered+Nurse&location=North+Wing&manager=01a2-b3c4",
		"report=expiring&format=csv&days=366",
		"days=0", "days=367", "days=%2B5", "days=-1", "days=99999999999999999999",
		"status=compliant&status=overdue", "manager=..%2F..%2Fetc", "manager=%27%3B+DROP+TABLE+employees%3B--",
		"department=%00", "department=%E2%80%A8", "department=%C0%AF", "location=+++", "evil=1",
		"department=" + strings.Repeat("x", 201), "%zz=1&department=a;b",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		values, _ := url.ParseQuery(query) // Echo keeps what parses, as here
		got, err := report.ParseFilter(values)
		if err != nil {
			var fe *report.FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FilterError", err, err)
			}
			msg := err.Error()
			if fe.Message == "" || !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > 400 {
				t.Fatalf("the message for %q is empty, not text or too long: %q", query, msg)
			}
			if got != (report.Filter{}) {
				t.Fatalf("an error and a filter: %+v", got)
			}
			return
		}
		for name, v := range map[string]string{
			"department": got.Department, "course": got.Course, "job_title": got.JobTitle,
			"location": got.Location, "manager": got.Manager, "status": string(got.Status),
		} {
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 200 || v != strings.TrimSpace(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
				t.Fatalf("%s accepted as %q", name, v)
			}
		}
		if got.Manager != "" && (len(got.Manager) > 64 || strings.Trim(got.Manager, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "") {
			t.Fatalf("manager accepted as %q", got.Manager)
		}
		if got.Days < 0 || got.Days > report.MaxDays || got.HorizonDays() < 1 || got.HorizonDays() > report.MaxDays {
			t.Fatalf("days accepted as %d", got.Days)
		}
		if got.Status != "" {
			known := false
			for _, s := range report.Statuses {
				known = known || s == got.Status
			}
			if !known {
				t.Fatalf("status accepted as %q", got.Status)
			}
		}
		again, err := report.ParseFilter(got.Values())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("the filter %+v, written back as %q, parses as %+v, %v", got, got.Values().Encode(), again, err)
		}
		if got.Empty() != (len(got.Map()) == 0 || (len(got.Map()) == 1 && got.Days != 0)) {
			t.Fatalf("Empty() = %v for %+v", got.Empty(), got)
		}
	})
}
