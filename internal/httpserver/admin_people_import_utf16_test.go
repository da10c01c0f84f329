package httpserver_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/PuerkitoBio/goquery"
)

// TestStaffImportNamesAUTF16File: Excel's "Unicode Text" (UTF-16, here
// little-endian with its byte-order mark) is refused with one problem that
// names the encoding and says how to save the file, not as nine missing
// columns.
func TestStaffImportNamesAUTF16File(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	before := staffState(t, env)
	text := staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,")
	var b strings.Builder
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(text))...) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	res := uploadStaff(t, c, "unicode.txt", b.String(), false)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	var cells []string
	learnerDoc(t, res).Find(`[data-testid=import-problem] td`).Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
	if len(cells) != 4 || cells[0] != "the file" || !strings.Contains(cells[3], "UTF-16") || !strings.Contains(cells[3], `save it as "CSV UTF-8`) {
		t.Errorf("problem row: %q", cells)
	}
	if after := staffState(t, env); len(after) != len(before) {
		t.Errorf("a refused file changed the employees: %d → %d", len(before), len(after))
	}
}
