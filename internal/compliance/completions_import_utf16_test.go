package compliance_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/onramp-lms/onramp/internal/compliance"
)

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

// TestParseCompletionsCSVNamesUTF16: see TestParseStaffCSVNamesUTF16.
func TestParseCompletionsCSVNamesUTF16(t *testing.T) {
	text := header + "E1,basic,2025-06-01,92,Certificate 1234\n"
	now := day("2026-01-01")
	for name, in := range map[string][]byte{
		"LE with BOM":    utf16Text(text, binary.LittleEndian, true),
		"BE with BOM":    utf16Text(text, binary.BigEndian, true),
		"LE without BOM": utf16Text(text, binary.LittleEndian, false),
		"BE without BOM": utf16Text(text, binary.BigEndian, false),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := compliance.ParseCompletionsCSV(strings.NewReader(string(in)), now)
			var ie *compliance.CompletionsImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v", err)
			}
			want := `the file is UTF-16 text (Excel's "Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" in Excel and import it again`
			if len(ie.Problems) != 1 || ie.Problems[0].String() != want {
				t.Errorf("problems = %q", ie.Lines())
			}
		})
	}
	rows, err := compliance.ParseCompletionsCSV(strings.NewReader("\uFEFF"+text), now)
	if err != nil || len(rows) != 1 {
		t.Fatalf("UTF-8 with a byte-order mark: %v", err)
	}
}
