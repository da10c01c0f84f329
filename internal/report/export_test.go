package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onramp-lms/onramp/internal/report"
)

// observedRows wraps a report's rows and notes, in a shared event log, when
// the last row has been read (Next returned false).
type observedRows struct {
	report.Rows
	log  *[]string
	read int
}

func (o *observedRows) Next() bool {
	if o.Rows.Next() {
		o.read++
		return true
	}
	*o.log = append(*o.log, "last row read")
	return false
}

// observedWriter notes its first Write in the same log, and how many rows
// had been read by then.
type observedWriter struct {
	bytes.Buffer
	log         *[]string
	rows        *observedRows
	readAtFirst int
	flushes     int
}

func (w *observedWriter) Write(p []byte) (int, error) {
	if w.Len() == 0 {
		*w.log = append(*w.log, "first write")
		w.readAtFirst = w.rows.read
	}
	return w.Buffer.Write(p)
}

// Flush makes the writer look like an http.ResponseWriter.
func (w *observedWriter) Flush() { w.flushes++ }

// TestExportStreams: a 10,000-row report's first bytes are written before
// its last row is read (CSV and JSON), after a few hundred rows at most; the
// XLSX is whole and correct.
func TestExportStreams(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.populate(5000, []string{"fire", "privacy"})
	f.refresh(testNow, report.Refresh)
	rep, _ := report.Lookup("status")
	ctx := context.Background()
	for _, format := range report.Formats {
		t.Run(string(format), func(t *testing.T) {
			var log []string
			raw, err := rep.Open(ctx, f.db, report.Filter{}, testNow, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			rows := &observedRows{Rows: raw, log: &log}
			w := &observedWriter{log: &log, rows: rows}
			n, err := report.Write(w, format, rows)
			if err != nil {
				t.Fatal(err)
			}
			if n != 10_000 || rows.read != 10_000 {
				t.Fatalf("wrote %d rows, read %d, want 10,000", n, rows.read)
			}
			switch format {
			case report.XLSX:
				// The ZIP can only be written once the sheet is complete.
				if strings.Join(log, ", ") != "last row read, first write" {
					t.Errorf("events: %v", log)
				}
				x, err := excelize.OpenReader(bytes.NewReader(w.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				all, err := x.GetRows("Report")
				if err != nil || len(all) != 10_001 {
					t.Fatalf("the sheet has %d rows (%v), want 10,001", len(all), err)
				}
			default:
				if len(log) != 2 || log[0] != "first write" {
					t.Fatalf("events: %v; want the first write before the last row is read", log)
				}
				if w.readAtFirst > 1000 {
					t.Errorf("the first bytes left after %d rows, want a few hundred at most", w.readAtFirst)
				}
				if w.flushes < 10_000/300 {
					t.Errorf("%d flushes for 10,000 rows", w.flushes)
				}
				if format == report.CSV {
					records, err := csv.NewReader(bytes.NewReader(w.Bytes())).ReadAll()
					if err != nil || len(records) != 10_001 {
						t.Fatalf("CSV has %d records (%v)", len(records), err)
					}
				} else {
					var objects []map[string]any
					if err := json.Unmarshal(w.Bytes(), &objects); err != nil || len(objects) != 10_000 {
						t.Fatalf("JSON has %d objects (%v)", len(objects), err)
					}
					if objects[0]["employee_id"] == nil || objects[0]["course"] == nil {
						t.Errorf("first object: %v", objects[0])
					}
				}
			}
		})
	}
}

// sliceRows is a report held in memory, for the writers' tests.
type sliceRows struct {
	columns []report.Column
	rows    [][]any
	i       int
}

func (s *sliceRows) Columns() []report.Column { return s.columns }
func (s *sliceRows) Next() bool               { s.i++; return s.i <= len(s.rows) }
func (s *sliceRows) Values() []any            { return s.rows[s.i-1] }
func (s *sliceRows) Err() error               { return nil }
func (s *sliceRows) Close() error             { return nil }

var dangerous = []string{"=1+2", "+41 22 000", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", "=HYPERLINK(\"http://x\",\"y\")"}

// TestFormulaPrefixesNeutralised: every cell starting with = + - @ tab or
// carriage return gets a leading quote, in CSV and in XLSX, and no XLSX
// cell holds a formula. Other text, numbers and dates are left alone.
func TestFormulaPrefixesNeutralised(t *testing.T) {
	t.Parallel()
	build := func() *sliceRows {
		r := &sliceRows{columns: []report.Column{{"value", "Value"}, {"n", "N"}, {"day", "Day"}}}
		for _, v := range dangerous {
			r.rows = append(r.rows, []any{v, -5, report.Date(day(2026, 3, 2))})
		}
		r.rows = append(r.rows, []any{"plain text", 7, nil})
		return r
	}
	var out bytes.Buffer
	if _, err := report.Write(&out, report.CSV, build()); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range dangerous {
		if got := records[i+1][0]; got != "'"+v {
			t.Errorf("CSV: %q written as %q, want %q", v, got, "'"+v)
		}
		if records[i+1][1] != "-5" || records[i+1][2] != "2026-03-02" {
			t.Errorf("CSV: number or date changed: %q", records[i+1])
		}
	}
	if got := records[len(dangerous)+1][0]; got != "plain text" {
		t.Errorf("CSV: plain text written as %q", got)
	}

	out.Reset()
	if _, err := report.Write(&out, report.XLSX, build()); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range dangerous {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		got, err := x.GetCellValue("Report", cell)
		if err != nil || got != "'"+v {
			t.Errorf("XLSX %s: %q written as %q (%v), want %q", cell, v, got, err, "'"+v)
		}
		if formula, _ := x.GetCellFormula("Report", cell); formula != "" {
			t.Errorf("XLSX %s holds a formula %q", cell, formula)
		}
		num, _ := x.GetCellValue("Report", "B"+cell[1:])
		if num != "-5" {
			t.Errorf("XLSX number %s = %q", "B"+cell[1:], num)
		}
		typ, _ := x.GetCellType("Report", "C"+cell[1:])
		if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("XLSX date %s is text, want a date", "C"+cell[1:])
		}
	}
}

// TestFormulaInDataNeutralised: a name typed into the HR system as a
// formula comes out of a real report defused.
func TestFormulaInDataNeutralised(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.person("=cmd|' /C calc'!A0", "Evil", "@Nursing", nil)
	f.assign(e, "fire", cycleSpec{status: "open", due: day(2026, 4, 1)})
	f.refresh(testNow, report.Refresh)
	rep, _ := report.Lookup("status")
	rows, err := rep.Open(context.Background(), f.db, report.Filter{}, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out bytes.Buffer
	if _, err := report.Write(&out, report.CSV, rows); err != nil {
		t.Fatal(err)
	}
	records, _ := csv.NewReader(&out).ReadAll()
	if got := records[1][1]; got != "'=cmd|' /C calc'!A0 Evil" {
		t.Errorf("employee written as %q", got)
	}
	if got := records[1][2]; got != "'@Nursing" {
		t.Errorf("department written as %q", got)
	}
}

// TestFileNameAndFormats: downloads are named after the report and the day.
func TestFileNameAndFormats(t *testing.T) {
	t.Parallel()
	if got := report.FileName("overdue", report.XLSX, time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)); got != "onramp-overdue-2026-03-02.xlsx" {
		t.Errorf("file name %q", got)
	}
	for _, bad := range []string{"", "pdf", "CSV", "csv "} {
		if _, err := report.ParseFormat(bad); err == nil {
			t.Errorf("format %q accepted", bad)
		}
	}
}

// failingRows fails after its rows, as a database cursor cut off midway.
type failingRows struct{ sliceRows }

func (f *failingRows) Err() error {
	if f.i > len(f.rows) {
		return errors.New("connection lost")
	}
	return nil
}

// TestXLSXContinuesOnFurtherSheets: past MaxSheetRows data rows (here 3)
// the workbook goes on to "Report 2", "Report 3", each with the header
// and frozen panes; every row is written once, in order. A report whose
// rows fail midway writes nothing at all.
func TestXLSXContinuesOnFurtherSheets(t *testing.T) {
	defer func(n int) { report.MaxSheetRows = n }(report.MaxSheetRows)
	report.MaxSheetRows = 3
	rows := &sliceRows{columns: []report.Column{{"n", "Number"}, {"name", "Name"}}}
	for i := range 7 {
		rows.rows = append(rows.rows, []any{i + 1, fmt.Sprintf("row %d", i+1)})
	}
	var out bytes.Buffer
	n, err := report.Write(&out, report.XLSX, rows)
	if err != nil || n != 7 {
		t.Fatalf("wrote %d rows: %v", n, err)
	}
	x, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Report,Report 2,Report 3" {
		t.Fatalf("sheets: %s", got)
	}
	var seen []string
	for _, sheet := range x.GetSheetList() {
		all, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) == 0 || strings.Join(all[0], ",") != "Number,Name" {
			t.Errorf("%s: header %v", sheet, all)
			continue
		}
		if len(all)-1 > 3 {
			t.Errorf("%s holds %d rows", sheet, len(all)-1)
		}
		for _, r := range all[1:] {
			seen = append(seen, r[0]+"="+r[1])
		}
		if panes, err := x.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: panes %+v (%v)", sheet, panes, err)
		}
	}
	if got := strings.Join(seen, " "); got != "1=row 1 2=row 2 3=row 3 4=row 4 5=row 5 6=row 6 7=row 7" {
		t.Errorf("rows across the sheets: %s", got)
	}
	// Exactly a sheet's worth stays on one sheet.
	out.Reset()
	rows.i, rows.rows = 0, rows.rows[:3]
	if _, err := report.Write(&out, report.XLSX, rows); err != nil {
		t.Fatal(err)
	}
	if x, err := excelize.OpenReader(&out); err != nil || len(x.GetSheetList()) != 1 {
		t.Errorf("3 rows: %v (%v)", x.GetSheetList(), err)
	}

	bad := &failingRows{sliceRows{columns: rows.columns, rows: rows.rows}}
	out.Reset()
	if _, err := report.Write(&out, report.XLSX, bad); err == nil || out.Len() != 0 {
		t.Errorf("failing rows: %v, %d bytes written", err, out.Len())
	}
}

// countingWriter counts the writes it is given.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestCSVWritesInLargePieces: a CSV download reaches its writer (a file,
// an HTTP response) a flush of rows at a time, not in csv.Writer's 4 KiB
// pieces, each a system call and an HTTP chunk.
func TestCSVWritesInLargePieces(t *testing.T) {
	t.Parallel()
	r := &sliceRows{columns: []report.Column{{"name", "Name"}, {"course", "Course"}, {"n", "N"}}}
	const rows = 10_000
	for i := range rows {
		r.rows = append(r.rows, []any{fmt.Sprintf("Person %06d with a fairly long name", i), "Fire safety and evacuation", i})
	}
	var w countingWriter
	n, err := report.Write(&w, report.CSV, r)
	if err != nil || n != rows {
		t.Fatalf("wrote %d rows: %v", n, err)
	}
	// 256 rows go out per flush (about 20 KiB here): 40 flushes, while 4 KiB
	// pieces would be about 170 writes.
	if max := rows/256 + 2; w.writes > max {
		t.Errorf("%d writes for %d bytes, want at most %d (one per flush)", w.writes, w.Len(), max)
	}
}
