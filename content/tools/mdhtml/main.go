// Command mdhtml renders a Markdown file to a standalone HTML page with a print stylesheet, so that a
// one-page sheet such as content/social-media/quick-reference.md can be printed to PDF by a headless
// browser (see content/tools/make-quick-reference.sh).
//
// Usage, from the repository root:
//
//	go run ./content/tools/mdhtml [-page A4|letter] [-columns 2] IN.md OUT.html
//
// The page title is the text of the first level-1 heading. Raw HTML in the Markdown is not rendered,
// as in the application. The output depends only on the input and the flags, so it is reproducible.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

const style = `
@page { size: %s; margin: 12mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.2pt;
  line-height: 1.36; color: #1b2a34; }
main { column-count: %d; column-gap: 8mm; column-fill: balance; }
h1 { column-span: all; margin: 0 0 2.5mm; padding: 3.5mm 4.5mm; font-size: 18pt; line-height: 1.2; color: #fff;
  background: #0b4f6c; border-bottom: 1.2mm solid #2a9d8f; }
h1 + p { column-span: all; margin: 0 0 3mm; color: #3c4b55; }
h1 + p + h2 { margin-top: 0; }
h2 { margin: 3.4mm 0 1.2mm; font-size: 12pt; color: #0b4f6c; break-after: avoid; }
p { margin: 0 0 1.4mm; }
ul, ol { margin: 0 0 1.4mm; padding-left: 4.2mm; }
li { margin: 0 0 0.7mm; }
h2 + p, h2 + ul, li { break-inside: avoid; }
strong { color: #0b4f6c; }
a { color: inherit; text-decoration: none; }
@media screen { body { max-width: 210mm; margin: 10mm auto; padding: 0 10mm; } }
`

func main() {
	page := flag.String("page", "A4", "page size for printing: A4 or letter")
	columns := flag.Int("columns", 2, "number of text columns")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: mdhtml [-page A4|letter] [-columns N] IN.md OUT.html")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 || (*page != "A4" && *page != "letter") || *columns < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *page, *columns); err != nil {
		fmt.Fprintln(os.Stderr, "mdhtml:", err)
		os.Exit(1)
	}
}

func run(in, out, page string, columns int) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	md := goldmark.New()
	doc := md.Parser().Parse(text.NewReader(src))
	title := firstHeading(doc, src)
	if title == "" {
		title = "Document"
	}
	var body bytes.Buffer
	if err := md.Renderer().Render(&body, src, doc); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
		html.EscapeString(title), fmt.Sprintf(style, page, columns))
	b.Write(body.Bytes())
	b.WriteString("</main>\n</body>\n</html>\n")
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

// firstHeading returns the plain text of the first level-1 heading.
func firstHeading(doc ast.Node, src []byte) string {
	var title string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level == 1 {
			title = plainText(h, src)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return title
}

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if t, ok := c.(*ast.Text); ok {
				b.Write(t.Segment.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
