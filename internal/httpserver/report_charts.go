package httpserver

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// Chart geometry, in SVG user units; the SVG scales to the page width.
const (
	chartWidth    = 640
	barLabelRight = 190 // labels end here, bars start at barLeft
	barLeft       = 200
	barMaxLength  = 290 // leaves room after a full bar for "100% (1234 of 1234)"
	barRowHeight  = 28
	barHeight     = 18
	maxLabelRunes = 28
	descItems     = 10
)

// barItem is one bar: Value out of Max, and the words written beside it.
type barItem struct {
	Label string
	Value int
	Max   int
	Text  string
}

// barChart draws one horizontal bar per item, each labelled with its value
// in words; the table carries the same numbers (and more columns).
func barChart(id, title, what string, items []barItem, head []string, rows [][]string) views.Chart {
	c := views.Chart{ID: id, Title: title, Width: chartWidth, Height: len(items)*barRowHeight + 16, TableHead: head, TableRows: rows}
	if len(items) == 0 {
		c.Empty = "Nothing to show yet: nobody is assigned a course."
		return c
	}
	c.Lines = append(c.Lines, views.ChartLine{X1: barLeft, Y1: 4, X2: barLeft, Y2: c.Height - 8, Class: "chart-axis"})
	var desc []string
	for i, it := range items {
		y := 8 + i*barRowHeight
		length := 0
		if it.Max > 0 {
			length = it.Value * barMaxLength / it.Max
		}
		c.Rects = append(c.Rects, views.ChartRect{X: barLeft, Y: y, W: length, H: barHeight, Class: "chart-bar"})
		c.Texts = append(c.Texts,
			views.ChartText{X: barLabelRight, Y: y + 14, Anchor: "end", Class: "chart-label", Text: shorten(it.Label)},
			views.ChartText{X: barLeft + length + 6, Y: y + 14, Anchor: "start", Class: "chart-value", Text: it.Text})
		if i < descItems {
			desc = append(desc, it.Label+": "+it.Text)
		}
	}
	c.Narrow = narrowBars(items)
	c.Desc = what + " " + strings.Join(desc, "; ") + "."
	if len(items) > descItems {
		c.Desc += fmt.Sprintf(" And %d more; the table lists every one.", len(items)-descItems)
	}
	return c
}

// Narrow chart geometry: drawn for a phone's width (about 340 CSS pixels),
// so its 13-unit labels are about 13 pixels there, each label on its own
// line above its bar.
const (
	narrowWidth     = 340
	narrowRow       = 46
	narrowBarMax    = 190 // leaves room after a full bar for "100% (1234 of 1234)"
	narrowBarHeight = 14
	narrowLabelRune = 44
)

// narrowBars draws items as a phone-width chart: a label line, then the
// bar with its value after it.
func narrowBars(items []barItem) *views.Chart {
	n := &views.Chart{Width: narrowWidth, Height: len(items)*narrowRow + 4}
	for i, it := range items {
		y := 2 + i*narrowRow
		length := 0
		if it.Max > 0 {
			length = it.Value * narrowBarMax / it.Max
		}
		label := it.Label
		if utf8.RuneCountInString(label) > narrowLabelRune {
			label = string([]rune(label)[:narrowLabelRune-1]) + "…"
		}
		n.Texts = append(n.Texts,
			views.ChartText{X: 2, Y: y + 14, Anchor: "start", Class: "chart-label", Text: label},
			views.ChartText{X: 2 + length + 6, Y: y + 33, Anchor: "start", Class: "chart-value", Text: it.Text})
		n.Rects = append(n.Rects, views.ChartRect{X: 2, Y: y + 21, W: length, H: narrowBarHeight, Class: "chart-bar"})
	}
	return n
}

// shorten keeps a bar's label inside the space before the bar; the table
// has it in full.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	return string([]rune(s)[:maxLabelRunes-1]) + "…"
}

// Trend chart geometry.
const (
	trendHeight = 250
	plotLeft    = 48
	plotRight   = 632
	plotTop     = 24
	plotBottom  = 204 // 100% is plotBottom-plotTop high
	columnWidth = 30
)

// trendChart draws one column per month: the share of people compliant in
// the month's last snapshot. A month without a snapshot says so.
func trendChart(id string, points []report.TrendPoint) views.Chart {
	c := views.Chart{ID: id, Title: "Compliance over the last 12 months", Width: chartWidth, Height: trendHeight,
		TableHead: []string{"Month", "Snapshot of", "Compliant", "People compliant", "Assigned", "Overdue or expired"}}
	span := plotBottom - plotTop
	for _, pct := range []int{0, 50, 100} {
		y := plotBottom - pct*span/100
		c.Lines = append(c.Lines, views.ChartLine{X1: plotLeft, Y1: y, X2: plotRight, Y2: y, Class: "chart-grid"})
		c.Texts = append(c.Texts, views.ChartText{X: plotLeft - 6, Y: y + 4, Anchor: "end", Class: "chart-tick", Text: strconv.Itoa(pct) + "%"})
	}
	slot := (plotRight - plotLeft) / max(1, len(points))
	var desc []string
	with := 0
	for i, p := range points {
		x := plotLeft + i*slot + (slot-columnWidth)/2
		mid := x + columnWidth/2
		month := p.Month.Format("Jan 2006")
		c.Texts = append(c.Texts, views.ChartText{X: mid, Y: plotBottom + 16, Anchor: "middle", Class: "chart-label", Text: p.Month.Format("Jan")})
		if i == 0 || p.Month.Month() == 1 {
			c.Texts = append(c.Texts, views.ChartText{X: mid, Y: plotBottom + 32, Anchor: "middle", Class: "chart-tick", Text: p.Month.Format("2006")})
		}
		if !p.HasData() {
			c.Texts = append(c.Texts, views.ChartText{X: mid, Y: plotBottom - 6, Anchor: "middle", Class: "chart-tick", Text: "–"})
			c.TableRows = append(c.TableRows, []string{month, "no snapshot", "", "", "", ""})
			continue
		}
		with++
		pct := p.Counts.Percent()
		h := pct * span / 100
		c.Rects = append(c.Rects, views.ChartRect{X: x, Y: plotBottom - h, W: columnWidth, H: h, Class: "chart-bar"})
		c.Texts = append(c.Texts, views.ChartText{X: mid, Y: plotBottom - h - 6, Anchor: "middle", Class: "chart-value", Text: strconv.Itoa(pct) + "%"})
		desc = append(desc, fmt.Sprintf("%s %d%%", month, pct))
		c.TableRows = append(c.TableRows, []string{month, p.Day.Format("2 January 2006"), strconv.Itoa(pct) + "%",
			strconv.Itoa(p.Counts.Compliant()), strconv.Itoa(p.Counts.Total()),
			strconv.Itoa(p.Counts[report.StatusOverdue] + p.Counts[report.StatusExpired])})
	}
	var items []barItem
	for _, p := range points {
		it := barItem{Label: p.Month.Format("January 2006"), Max: 100, Text: "no snapshot"}
		if p.HasData() {
			it.Value, it.Text = p.Counts.Percent(), strconv.Itoa(p.Counts.Percent())+"%"
		}
		items = append(items, it)
	}
	c.Narrow = narrowBars(items)
	switch with {
	case 0:
		c.Desc = "No snapshots yet: Onramp takes one a day, so the trend fills in from today."
	default:
		c.Desc = "Column chart of the share of people compliant (completed or exempt) at the end of each month, from the last snapshot taken that month: " +
			strings.Join(desc, "; ") + "."
		if with < len(points) {
			c.Desc += fmt.Sprintf(" %d of the %d months have no snapshot and show a dash.", len(points)-with, len(points))
		}
	}
	return c
}

// percentText is "87% (123 of 140)".
func percentText(counts report.Counts) string {
	return fmt.Sprintf("%d%% (%s of %s)", counts.Percent(), thousands(counts.Compliant()), thousands(counts.Total()))
}

// thousands writes 12345 as 12,345.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countsRow is a summary table's row: name, compliant %, then each standing.
func countsRow(name string, c report.Counts) []string {
	return []string{name, strconv.Itoa(c.Percent()) + "%", thousands(c[report.StatusCompleted]), thousands(c[report.StatusExempt]),
		thousands(c[report.StatusInProgress]), thousands(c[report.StatusNotStarted]), thousands(c[report.StatusOverdue]),
		thousands(c[report.StatusExpired]), thousands(c.Total())}
}

// countsHead heads countsRow's columns.
func countsHead(first string) []string {
	return []string{first, "Compliant", "Completed", "Exempt", "In progress", "Not started", "Overdue", "Expired", "Assigned"}
}
