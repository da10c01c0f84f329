package people_test

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/onramp-lms/onramp/internal/people"
)

// utf16Text encodes s as UTF-16, as Excel's "Unicode Text" saves it.
func utf16Text(s string, order binary.AppendByteOrder, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return out
}

// TestParseStaffCSVNamesUTF16: a UTF-16 file, with or without a byte-order
// mark, little- or big-endian, is named as UTF-16 with what to do, instead
// of a confusing list of missing columns; a UTF-8 byte-order mark still
// reads.
func TestParseStaffCSVNamesUTF16(t *testing.T) {
	text := staffCSV("E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,,Europe/London")
	for name, in := range map[string][]byte{
		"LE with BOM":    utf16Text(text, binary.LittleEndian, true),
		"BE with BOM":    utf16Text(text, binary.BigEndian, true),
		"LE without BOM": utf16Text(text, binary.LittleEndian, false),
		"BE without BOM": utf16Text(text, binary.BigEndian, false),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := people.ParseStaffCSV(strings.NewReader(string(in)))
			ie := importError(t, err)
			want := `the file is UTF-16 text (Excel's "Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" in Excel and import it again`
			if len(ie.Problems) != 1 || ie.Problems[0].String() != want {
				t.Errorf("problems = %q", ie.Lines())
			}
		})
	}
	f, err := people.ParseStaffCSV(strings.NewReader("\uFEFF" + text))
	if err != nil || len(f.Rows) != 1 {
		t.Fatalf("UTF-8 with a byte-order mark: %v", err)
	}
}
