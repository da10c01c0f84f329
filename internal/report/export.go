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
// whole sheet, so excelize's StreamWriter keeps the sheets in temporary
// files (in memory up to 16 MiB each) and the ZIP is written straight to w
// once the last row is read (see BuildXLSX: nothing is written before;
// past MaxSheetRows rows the workbook continues on further sheets); memory
// stays bounded either way.
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

// csvBuffer is how much CSV text collects before it goes to the writer:
// csv.Writer's own 4 KiB meant a system call (and, over HTTP, a chunk) for
// every 20 rows, which at 1.4 million rows was seconds of the download.
const csvBuffer = 64 << 10

func writeCSV(w io.Writer, rows Rows) (int, error) {
	// csv.NewWriter writes straight into a bufio.Writer that is already
	// large enough, so flushing it flushes this buffer.
	cw := csv.NewWriter(bufio.NewWriterSize(w, csvBuffer))
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

// sheetName names an export's first worksheet; the next are "Report 2",
// "Report 3" and so on.
const sheetName = "Report"

// MaxSheetRows is how many data rows one worksheet holds below its header:
// Excel's limit of 1,048,576 rows, less the header. A larger report
// continues on further sheets, each with the same header. (Tests lower it.)
var MaxSheetRows = 1_048_575

// Workbook is an XLSX report read whole, its sheets kept by excelize in
// temporary files, ready to be written. Close it.
type Workbook struct {
	f *excelize.File
	// Rows is how many data rows it holds; Sheets how many worksheets.
	Rows   int
	Sheets int
}

// BuildXLSX reads every row into a workbook, starting a new sheet (with
// the header again) every MaxSheetRows rows. Nothing is written anywhere
// but temporary files, so a caller that answers over HTTP can still send
// an error status if this fails, and sends the success status only once
// there is a whole workbook to follow it.
func BuildXLSX(rows Rows) (_ *Workbook, err error) {
	f := excelize.NewFile()
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return nil, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return nil, err
	}
	stampStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
	if err != nil {
		return nil, err
	}
	cols := rows.Columns()
	cells := make([]any, len(cols))
	wb := &Workbook{f: f}
	var sw *excelize.StreamWriter
	onSheet := 0
	// startSheet opens the next sheet with its column widths, frozen
	// header and header row.
	startSheet := func() error {
		name := sheetName
		if wb.Sheets > 0 {
			if err := sw.Flush(); err != nil {
				return err
			}
			name = fmt.Sprintf("%s %d", sheetName, wb.Sheets+1)
			if _, err := f.NewSheet(name); err != nil {
				return err
			}
		}
		wb.Sheets++
		onSheet = 0
		var err error
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		for i, c := range cols {
			width := float64(max(12, min(40, len(c.Title)+4)))
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = excelize.Cell{StyleID: header, Value: Neutralise(c.Title)}
		}
		return sw.SetRow("A1", head)
	}
	if err := startSheet(); err != nil {
		return nil, err
	}
	for rows.Next() {
		if onSheet == MaxSheetRows {
			if err := startSheet(); err != nil {
				return nil, err
			}
		}
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
		ref, err := excelize.CoordinatesToCellName(1, onSheet+2)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return nil, err
		}
		onSheet++
		wb.Rows++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	return wb, nil
}

// WriteTo writes the workbook to w. excelize builds its ZIP in a
// bytes.Buffer; handing it a zip writer on w instead sends the file out as
// it is compressed, so memory holds neither the sheets nor the ZIP.
func (wb *Workbook) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	zw := &countingZip{Writer: zip.NewWriter(cw)}
	wb.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	if _, err := wb.f.WriteToBuffer(); err != nil {
		return cw.n, err
	}
	if !zw.closed {
		return cw.n, errors.New("xlsx: the workbook was not finished")
	}
	flushTo(w)
	return cw.n, nil
}

// Close removes the workbook's temporary files.
func (wb *Workbook) Close() error { return wb.f.Close() }

// writeXLSX builds the whole workbook, then writes it: on an error while
// reading the rows nothing has been written to w.
func writeXLSX(w io.Writer, rows Rows) (int, error) {
	wb, err := BuildXLSX(rows)
	if err != nil {
		return 0, err
	}
	defer wb.Close()
	_, err = wb.WriteTo(w)
	return wb.Rows, err
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
