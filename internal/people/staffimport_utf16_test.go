package people_test

import (
	"io"
	"testing"

	"github.com/onramp-lms/onramp/internal/csvimport/csvimporttest"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestParseStaffCSVNamesUTF16: a UTF-16 file, with or without a byte-order
// mark, little- or big-endian, is named as UTF-16 with what to do, instead
// of a confusing list of missing columns; a UTF-8 byte-order mark still
// reads.
func TestParseStaffCSVNamesUTF16(t *testing.T) {
	t.Parallel()
	text := staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London")
	csvimporttest.RefusesUTF16(t, text, 1, func(r io.Reader) (int, error) {
		f, err := people.ParseStaffCSV(r)
		if err != nil {
			return 0, err
		}
		return len(f.Rows), nil
	})
}
