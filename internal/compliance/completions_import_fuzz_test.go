package compliance_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// FuzzParseCompletionsCSV feeds the parser arbitrary files: it must never
// panic, and what it accepts or refuses must keep the import's promises.
// The seed corpus is in testdata/fuzz/FuzzParseCompletionsCSV.
func FuzzParseCompletionsCSV(f *testing.F) {
	f.Add([]byte("employee_id,course,completed_at,score,evidence\nE1,basic,2025-06-01,90,cert\n"))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := compliance.ParseCompletionsCSV(bytes.NewReader(data), now)
		if err != nil {
			var ie *compliance.CompletionsImportError
			if !errors.As(err, &ie) {
				t.Fatalf("not a *CompletionsImportError: %v", err)
			}
			if len(ie.Problems) == 0 || len(ie.Problems) > compliance.MaxCompletionProblems {
				t.Fatalf("%d problems", len(ie.Problems))
			}
			for _, p := range ie.Problems {
				// Row 0 is a problem with the whole file (e.g. UTF-16 text).
				if p.Row < 0 || p.Message == "" || (p.Row > 0 && !strings.HasPrefix(p.String(), "row ")) {
					t.Fatalf("problem %+v", p)
				}
			}
			_ = ie.Error()
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Row < 2 || r.EmployeeNumber == "" || r.CourseID == "" || r.CompletedAt.IsZero() {
				t.Fatalf("row %+v", r)
			}
			if compliance.Day(r.CompletedAt).After(compliance.Day(now)) || r.CompletedAt.Location() != time.UTC {
				t.Fatalf("completed_at %v", r.CompletedAt)
			}
			if r.Score != nil && (*r.Score < 0 || *r.Score > 100) {
				t.Fatalf("score %d", *r.Score)
			}
			if utf8.RuneCountInString(r.Evidence) > compliance.MaxEvidenceChars || !utf8.ValidString(r.Evidence) ||
				!utf8.ValidString(r.EmployeeNumber) || !utf8.ValidString(r.CourseID) || strings.ContainsRune(r.Evidence, 0) {
				t.Fatalf("text %+v", r)
			}
			key := r.EmployeeNumber + "\x00" + r.CourseID + "\x00" + compliance.Day(r.CompletedAt).String()
			if seen[key] {
				t.Fatalf("duplicate accepted: %+v", r)
			}
			seen[key] = true
		}
	})
}
