package compliance_test

import (
	"io"
	"testing"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/csvimport/csvimporttest"
)

// TestParseCompletionsCSVNamesUTF16: see TestParseStaffCSVNamesUTF16.
func TestParseCompletionsCSVNamesUTF16(t *testing.T) {
	t.Parallel()
	text := header + "E1,basic,2025-06-01,92,Certificate 1234\n"
	csvimporttest.RefusesUTF16(t, text, 1, func(r io.Reader) (int, error) {
		rows, err := compliance.ParseCompletionsCSV(r, day("2026-01-01"))
		return len(rows), err
	})
}
