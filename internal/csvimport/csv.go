package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Spec describes a CSV input's columns and the messages that name them.
type Spec struct {
	// Required columns must be in the header; Optional ones may be.
	Required, Optional []string
	// EmptyFile is the message for a file with nothing in it.
	EmptyFile string
	// MissingFix ends the message about columns missing from the header,
	// after "is missing from the header; ".
	MissingFix string
	// NoRows is the message for a header without any rows.
	NoRows string
}

// Header is what a file's header held.
type Header struct {
	// Columns maps each known column the header names to its position.
	Columns map[string]int
	// Ignored are header names the import does not use, as written.
	Ignored []string
	// Width is the number of columns in the header.
	Width int
}

// Has reports whether the header names column.
func (h *Header) Has(column string) bool {
	_, ok := h.Columns[column]
	return ok
}

// ReadCSV reads r as a CSV file with a header and spec's columns, reporting
// the file's own problems (UTF-16 text, another separator, no header,
// missing or repeated columns, bad quoting, rows of the wrong width) to
// problems. Once the header is read, it calls start (when not nil) with
// what it held; then row for every data row that is not blank, with the
// row's line number (the header is line 1) and cell, which returns the raw
// text of a column ("" when the header does not name it). An error is a
// failure to read r.
func ReadCSV(r io.Reader, spec Spec, problems *Problems, start func(*Header), row func(line int, cell func(column string) string)) error {
	br, isUTF16 := Open(r)
	if isUTF16 {
		problems.Add(0, "", "", UTF16Message)
		return nil
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short or long row is reported, not fatal
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problems.Add(1, "", "", spec.EmptyFile)
		return nil
	}
	if err != nil {
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			problems.Add(pe.StartLine, "", "", syntaxMessage(pe))
			return nil
		}
		return fmt.Errorf("read the file: %w", err)
	}
	h, ok := readHeader(header, spec, problems)
	if !ok {
		return nil
	}
	if start != nil {
		start(h)
	}
	var rec []string
	cell := func(column string) string {
		if i, ok := h.Columns[column]; ok {
			return rec[i]
		}
		return ""
	}
	rows := 0
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				// After a quoting error the reader cannot tell where the
				// next row starts, so the rows after it are not checked.
				problems.Add(pe.StartLine, "", "", syntaxMessage(pe))
				break
			}
			return fmt.Errorf("read the file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			// Spreadsheets export empty rows as a line of commas.
			continue
		}
		rows++
		if len(rec) != h.Width {
			problems.Add(line, "", "", fmt.Sprintf("has %d values but the header has %d columns; check for a missing or extra comma, and quote values that contain commas", len(rec), h.Width))
			continue
		}
		row(line, cell)
	}
	if problems.Empty() && rows == 0 {
		problems.Add(2, "", "", spec.NoRows)
	}
	return nil
}

// readHeader maps the header's names to columns. It reports another
// separator than commas, and missing and repeated columns.
func readHeader(header []string, spec Spec, problems *Problems) (*Header, bool) {
	known := map[string]bool{}
	for _, c := range spec.Required {
		known[c] = true
	}
	for _, c := range spec.Optional {
		known[c] = true
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		problems.Add(1, "", header[0], "the columns are separated by semicolons or tabs; save the file as CSV with commas between the columns")
		return nil, false
	}
	h := &Header{Columns: map[string]int{}, Width: len(header)}
	ok := true
	for i, raw := range header {
		name := ColumnName(raw)
		if !known[name] {
			if name != "" {
				h.Ignored = append(h.Ignored, strings.TrimSpace(raw))
			}
			continue
		}
		if first, dup := h.Columns[name]; dup {
			problems.Add(1, name, strings.TrimSpace(raw), fmt.Sprintf("appears twice in the header (columns %d and %d); keep only one", first+1, i+1))
			ok = false
			continue
		}
		h.Columns[name] = i
	}
	var missing []string
	for _, c := range spec.Required {
		if !h.Has(c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		what := "is missing from the header"
		if len(missing) > 1 {
			what = "are missing from the header"
		}
		problems.Add(1, strings.Join(missing, ", "), "", what+"; "+spec.MissingFix)
		ok = false
	}
	return h, ok
}

// ColumnName makes " Employee ID" and "employee-id" both read as
// employee_id.
func ColumnName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

func syntaxMessage(pe *csv.ParseError) string {
	return fmt.Sprintf("is not valid CSV (%v); put values that contain commas or quotes in double quotes, and double any quote inside them", pe.Err)
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
