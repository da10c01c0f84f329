package evidence

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// A4 portrait in points, and the margins every page keeps.
const (
	pageWidth    = 595.28
	pageHeight   = 841.89
	marginLeft   = 42.0
	marginRight  = 42.0
	marginTop    = 46.0
	marginBottom = 56.0
	contentWidth = pageWidth - marginLeft - marginRight
)

// document is a small flowing layout over gopdf: paragraphs that wrap,
// tables whose rows wrap and whose header repeats on every page they
// cross, and a footer with "Page N of M" added once the count is known.
type document struct {
	pdf *gopdf.GoPdf
	y   float64
	// footerLeft is printed at the bottom left of every page.
	footerLeft string
	err        error
}

func newDocument(title, subject, footer string) (*document, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: title, Subject: subject, Author: "Onramp", Creator: "Onramp"})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("PDF font: %w", err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("PDF font: %w", err)
	}
	d := &document{pdf: pdf, footerLeft: footer}
	d.newPage()
	return d, nil
}

func (d *document) newPage() {
	d.pdf.AddPage()
	d.y = marginTop
}

// fail keeps the first error; later drawing calls do nothing.
func (d *document) fail(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *document) font(bold bool, size float64) {
	name := "regular"
	if bold {
		name = "bold"
	}
	d.fail(d.pdf.SetFont(name, "", size))
}

// ensure starts a new page unless h points still fit on this one.
func (d *document) ensure(h float64) bool {
	if d.y+h > pageHeight-marginBottom {
		d.newPage()
		return true
	}
	return false
}

// wrap splits text into lines no wider than width in the current font,
// at spaces where it can.
func (d *document) wrap(text string, width float64) []string {
	text = strings.ReplaceAll(text, "\r", "")
	if strings.TrimSpace(text) == "" {
		return []string{""}
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		lines, err := d.pdf.SplitTextWithWordWrap(para, width)
		if err != nil && !errors.Is(err, gopdf.ErrEmptyString) {
			d.fail(err)
			return []string{para}
		}
		out = append(out, lines...)
	}
	return out
}

// text writes one line at x on the current line, in a font of size
// points, and does not move down. (gopdf's y for Text is the baseline.)
func (d *document) text(x, size float64, s string) {
	if d.err != nil || s == "" {
		return
	}
	d.pdf.SetXY(x, d.y+size)
	d.fail(d.pdf.Text(s))
}

// paragraph writes wrapped text across the content width.
func (d *document) paragraph(bold bool, size float64, gray uint8, s string, after float64) {
	d.indented(0, bold, size, gray, s, after)
}

// indented writes wrapped text starting indent points in.
func (d *document) indented(indent float64, bold bool, size float64, gray uint8, s string, after float64) {
	d.font(bold, size)
	d.pdf.SetTextColor(gray, gray, gray)
	lh := size * 1.35
	for _, line := range d.wrap(s, contentWidth-indent) {
		d.ensure(lh)
		d.text(marginLeft+indent, size, line)
		d.y += lh
	}
	d.y += after
	d.pdf.SetTextColor(0, 0, 0)
}

// heading keeps a heading with at least keep points of what follows.
func (d *document) heading(size float64, s string, keep float64) {
	d.ensure(size*1.4 + keep)
	d.paragraph(true, size, 20, s, size*0.3)
}

// field writes "Label: value" with the label in bold and the value wrapped
// in a column to its right.
func (d *document) field(label, value string) {
	const size, labelWidth = 9.0, 118.0
	if value == "" {
		return
	}
	d.font(false, size)
	lines := d.wrap(value, contentWidth-labelWidth)
	lh := size * 1.35
	d.ensure(lh * float64(min(len(lines), 3)))
	d.font(true, size)
	d.pdf.SetTextColor(70, 70, 70)
	d.text(marginLeft, size, label)
	d.pdf.SetTextColor(0, 0, 0)
	d.font(false, size)
	for i, line := range lines {
		if i > 0 {
			d.ensure(lh)
		}
		d.text(marginLeft+labelWidth, size, line)
		d.y += lh
	}
}

// column is one column of a table: its heading and its share of the width.
type column struct {
	Title string
	Width float64 // a fraction of the content width; the columns sum to 1
}

// table writes a table whose rows wrap within their cells; a row never
// splits across pages, and the header is repeated on each new page.
func (d *document) table(cols []column, rows [][]string) {
	const size, pad = 8.0, 3.0
	lh := size * 1.3
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.Width * contentWidth
	}
	header := func() {
		d.font(true, size)
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			lines[i] = d.wrap(c.Title, widths[i]-2*pad)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		d.pdf.SetFillColor(232, 237, 243)
		d.fail(d.pdf.Rectangle(marginLeft, d.y, marginLeft+contentWidth, d.y+h, "F", 0, 0))
		d.drawCells(widths, lines, pad, lh)
		d.y += h
	}
	// A header needs at least one row under it on the same page.
	d.ensure(4*lh + 4*pad)
	header()
	d.font(false, size)
	for _, row := range rows {
		lines := make([][]string, len(cols))
		n := 1
		for i := range cols {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			lines[i] = d.wrap(cell, widths[i]-2*pad)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		if d.ensure(h) {
			header()
			d.font(false, size)
		}
		d.drawCells(widths, lines, pad, lh)
		d.y += h
		d.pdf.SetStrokeColor(200, 205, 212)
		d.pdf.SetLineWidth(0.4)
		d.pdf.Line(marginLeft, d.y, marginLeft+contentWidth, d.y)
	}
	d.y += 8
}

func (d *document) drawCells(widths []float64, lines [][]string, pad, lh float64) {
	x := marginLeft
	for i, cell := range lines {
		for k, line := range cell {
			// Text's y is the baseline: one line height down, less the descent.
			d.pdf.SetXY(x+pad, d.y+pad+float64(k)*lh+lh*0.78)
			if line != "" && d.err == nil {
				d.fail(d.pdf.Text(line))
			}
		}
		x += widths[i]
	}
}

// finish adds the footers and writes the PDF.
func (d *document) finish(w io.Writer) error {
	if d.err != nil {
		return d.err
	}
	n := d.pdf.GetNumberOfPages()
	for i := 1; i <= n; i++ {
		if err := d.pdf.SetPage(i); err != nil {
			return err
		}
		d.font(false, 8)
		d.pdf.SetTextColor(90, 90, 90)
		d.pdf.SetXY(marginLeft, pageHeight-marginBottom+26)
		d.fail(d.pdf.Text(d.footerLeft))
		label := fmt.Sprintf("Page %d of %d", i, n)
		wl, err := d.pdf.MeasureTextWidth(label)
		d.fail(err)
		d.pdf.SetXY(pageWidth-marginRight-wl, pageHeight-marginBottom+26)
		d.fail(d.pdf.Text(label))
	}
	if d.err != nil {
		return d.err
	}
	return d.pdf.Write(w)
}
