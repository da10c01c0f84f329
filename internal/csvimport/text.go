package csvimport

// Encoding sniffing: an uploaded CSV file is prepared for encoding/csv by
// skipping a UTF-8 byte-order mark and recognising UTF-16 text (what Excel
// saves as "Unicode Text"), which the importers refuse with a message that
// says what to do instead of a list of unreadable columns.

import (
	"bufio"
	"bytes"
	"io"
)

// UTF16Message says what to do with a UTF-16 file. Importers report it as a
// problem of the file as a whole.
const UTF16Message = `the file is UTF-16 text (Excel's "Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" in Excel and import it again`

// sniff is how many bytes the UTF-16 check looks at.
const sniff = 64

// Open returns a reader of r's text with any UTF-8 byte-order mark skipped,
// and whether the text is UTF-16 (little- or big-endian, with or without a
// byte-order mark); the caller then refuses the file with UTF16Message.
func Open(r io.Reader) (*bufio.Reader, bool) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(sniff)
	if bytes.HasPrefix(head, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
		return br, false
	}
	return br, isUTF16(head)
}

// isUTF16 recognises UTF-16 by its byte-order mark, or, without one, by the
// zero byte every ASCII character carries in UTF-16: a CSV's first line is
// column names, and UTF-8 text never holds zero bytes.
func isUTF16(head []byte) bool {
	if len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		return true
	}
	n := len(head) &^ 1
	if n < 4 {
		return false
	}
	zeroEven, zeroOdd := 0, 0
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	pairs := n / 2
	// Mostly ASCII: one byte of each pair is zero, the other is not.
	return (zeroOdd*4 >= pairs*3 && zeroEven == 0) || (zeroEven*4 >= pairs*3 && zeroOdd == 0)
}
