package csvimport

import (
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

func encode(s string, order binary.AppendByteOrder, bom bool) string {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	var out []byte
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return string(out)
}

func TestOpen(t *testing.T) {
	t.Parallel()
	text := "employee_id,email,first_name\nE1,ada@example.org,Ada\n"
	for _, tc := range []struct {
		name, in string
		utf16    bool
		rest     string
	}{
		{"UTF-8", text, false, text},
		{"UTF-8 with BOM", "\uFEFF" + text, false, text},
		{"UTF-16 LE with BOM", encode(text, binary.LittleEndian, true), true, ""},
		{"UTF-16 BE with BOM", encode(text, binary.BigEndian, true), true, ""},
		{"UTF-16 LE", encode(text, binary.LittleEndian, false), true, ""},
		{"UTF-16 BE", encode(text, binary.BigEndian, false), true, ""},
		{"UTF-16 LE, short", encode("a,b", binary.LittleEndian, false), true, ""},
		{"non-Latin UTF-8", "名前,メール\n", false, "名前,メール\n"},
		{"empty", "", false, ""},
		{"one byte", "a", false, "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, isUTF16 := Open(strings.NewReader(tc.in))
			if isUTF16 != tc.utf16 {
				t.Fatalf("UTF-16 = %v, want %v", isUTF16, tc.utf16)
			}
			if tc.utf16 {
				return
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != tc.rest {
				t.Errorf("read %q, want %q", rest, tc.rest)
			}
		})
	}
}
