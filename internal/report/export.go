package report

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Format is a download's file format.
type Format string

// The formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	JSON Format = "json"
)

// Formats lists the formats in the order the page offers them.
var Formats = []Format{CSV, XLSX, JSON}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: choose csv, xlsx or json", clip(s))
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	switch f {
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case JSON:
		return "application/json; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}

// FileName is the name a download is saved under: the report and the day.
func FileName(report string, f Format, now time.Time) string {
	return fmt.Sprintf("onramp-%s-%s.%s", report, now.UTC().Format(time.DateOnly), f)
}

// flushEvery is how many rows go out before the writer pushes what it has
// to the client, so the first bytes leave long before the last row is read.
const flushEvery = 256

// Neutralise defuses a spreadsheet formula: a cell that starts with =, +,
// -, @, a tab or a carriage return gets a leading single quote, so a
// spreadsheet shows the text instead of running it (CSV injection).
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Write streams rows to w in format f and returns how many data rows it
// wrote. CSV and JSON go out as they are read: every flushEvery rows the
// buffered text is written to w and, when w can flush (an HTTP response),
// flushed to the client. XLSX cannot start before the end: the ZIP needs the
// whole sheet, so excelize's StreamWriter keeps the sheet in a temporary
// file (in memory up to 16 MiB) and the ZIP is written straight to w once
// the last row is read; memory stays bounded either way.
func Write(w io.Writer, f Format, rows Rows) (int, error) {
	switch f {
	case CSV:
		return writeCSV(w, rows)
	case XLSX:
		return writeXLSX(w, rows)
	case JSON:
		return writeJSON(w, rows)
	}
	return 0, fmt.Errorf("unknown format %q", f)
}

// httpFlusher is what an http.ResponseWriter (and echo's Response) offers.
type httpFlusher interface{ Flush() }

func flushTo(w io.Writer) {
	if fl, ok := w.(httpFlusher); ok {
		fl.Flush()
	}
}

func writeCSV(w io.Writer, rows Rows) (int, error) {
	cw := csv.NewWriter(w)
	cols := rows.Columns()
	record := make([]string, len(cols))
	for i, c := range cols {
		record[i] = Neutralise(c.Title)
	}
	if err := cw.Write(record); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		for i, v := range rows.Values() {
			if s, ok := v.(string); ok {
				record[i] = Neutralise(s)
			} else {
				record[i] = machineText(v)
			}
		}
		if err := cw.Write(record); err != nil {
			return n, err
		}
		n++
		if n%flushEvery == 0 {
			if err := flushCSV(cw, w); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flushCSV(cw, w)
}

func flushCSV(cw *csv.Writer, w io.Writer) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	flushTo(w)
	return nil
}

// writeJSON writes a JSON array of objects keyed by column key.
func writeJSON(w io.Writer, rows Rows) (int, error) {
	bw := bufio.NewWriterSize(w, 32<<10)
	cols := rows.Columns()
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		k, err := json.Marshal(c.Key)
		if err != nil {
			return 0, err
		}
		keys[i] = k
	}
	if _, err := bw.WriteString("["); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n{")
		for i, v := range rows.Values() {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.Write(keys[i])
			bw.WriteString(":")
			var val any = v
			switch x := v.(type) {
			case Date, time.Time:
				val = machineText(x)
			}
			b, err := json.Marshal(val)
			if err != nil {
				return n, err
			}
			bw.Write(b)
		}
		bw.WriteString("}")
		n++
		if n%flushEvery == 0 {
			if err := bw.Flush(); err != nil {
				return n, err
			}
			flushTo(w)
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	bw.WriteString("\n]\n")
	if err := bw.Flush(); err != nil {
		return n, err
	}
	flushTo(w)
	return n, nil
}

// sheetName is the one worksheet of an export.
const sheetName = "Report"

func writeXLSX(w io.Writer, rows Rows) (n int, err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return 0, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return 0, err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return 0, err
	}
	stampStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
	if err != nil {
		return 0, err
	}
	cols := rows.Columns()
	for i, c := range cols {
		width := float64(max(12, min(40, len(c.Title)+4)))
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return 0, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	cells := make([]any, len(cols))
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: header, Value: Neutralise(c.Title)}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return 0, err
	}
	for rows.Next() {
		for i, v := range rows.Values() {
			switch x := v.(type) {
			case string:
				cells[i] = Neutralise(x)
			case Date:
				cells[i] = excelize.Cell{StyleID: dateStyle, Value: time.Time(x)}
			case time.Time:
				cells[i] = excelize.Cell{StyleID: stampStyle, Value: x.UTC()}
			default:
				cells[i] = v
			}
		}
		ref, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return n, err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	// excelize builds its ZIP in a bytes.Buffer; handing it a zip writer on
	// w instead sends the file out as it is compressed, so memory holds
	// neither the sheet nor the ZIP.
	zw := &countingZip{Writer: zip.NewWriter(w)}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	if _, err := f.WriteToBuffer(); err != nil {
		return n, err
	}
	if !zw.closed {
		return n, errors.New("xlsx: the workbook was not finished")
	}
	flushTo(w)
	return n, nil
}

// countingZip notes that excelize closed the archive (wrote its directory).
type countingZip struct {
	*zip.Writer
	closed bool
}

func (z *countingZip) Close() error {
	err := z.Writer.Close()
	z.closed = err == nil
	return err
}

func ptr[T any](v T) *T { return &v }
