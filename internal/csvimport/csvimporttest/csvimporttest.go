// Package csvimporttest holds what the importers' tests share: text saved
// as UTF-16 and the check that an importer refuses it.
package csvimporttest

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/onramp-lms/onramp/internal/csvimport"
)

// UTF16 encodes s as UTF-16, as Excel's "Unicode Text" saves it.
func UTF16(s string, order binary.AppendByteOrder, bom bool) []byte {
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

// RefusesUTF16 checks that parse refuses text saved as UTF-16 (little- or
// big-endian, with or without a byte-order mark) with the one problem
// csvimport.UTF16Message, and reads the text with a UTF-8 byte-order mark
// into wantRows rows.
func RefusesUTF16(t *testing.T, text string, wantRows int, parse func(io.Reader) (rows int, err error)) {
	t.Helper()
	for name, in := range map[string][]byte{
		"LE with BOM":    UTF16(text, binary.LittleEndian, true),
		"BE with BOM":    UTF16(text, binary.BigEndian, true),
		"LE without BOM": UTF16(text, binary.LittleEndian, false),
		"BE without BOM": UTF16(text, binary.BigEndian, false),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parse(strings.NewReader(string(in)))
			ie, ok := errors.AsType[*csvimport.Error](err)
			if !ok {
				t.Fatalf("err = %v", err)
			}
			if len(ie.Problems) != 1 || ie.Problems[0].String() != csvimport.UTF16Message {
				t.Errorf("problems = %q", ie.Lines())
			}
		})
	}
	n, err := parse(strings.NewReader("\uFEFF" + text))
	if err != nil || n != wantRows {
		t.Fatalf("UTF-8 with a byte-order mark: %d rows, %v", n, err)
	}
}
