#!/usr/bin/env bash
# make-quick-reference.sh - print a course's one-page quick-reference sheet to PDF.
#
# Usage (from anywhere):
#   content/tools/make-quick-reference.sh [COURSE_DIR] [PAGE]
# COURSE_DIR defaults to content/social-media; PAGE is A4 (default) or letter.
#
# Input:   COURSE_DIR/quick-reference.md
# Output:  COURSE_DIR/quick-reference.pdf
#
# How: content/tools/mdhtml (a small Go program using goldmark, run with `go run` from the repository root)
# turns the Markdown into a standalone HTML page with a two-column print stylesheet; headless Chromium prints
# that page to PDF without headers or footers. The script fails if the PDF is not exactly one page, so the
# sheet always fits one printed A4 or Letter page: shorten the Markdown if it fails.
#
# Needs: Go (the module's toolchain), and the Debian packages chromium, fonts-dejavu-core and poppler-utils
# (pdfinfo, used for the page check):
#   apt-get install -y chromium fonts-dejavu-core poppler-utils
#
# Idempotent: the PDF is written to a temporary directory and moved into place only once it passed the check.
# (Chromium stamps the creation date into the PDF, so two runs are equal page for page, not byte for byte.)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
course=${1:-$here/../social-media}
course=$(cd "$course" && pwd)
page=${2:-A4}
in=$course/quick-reference.md
out=$course/quick-reference.pdf
[[ -f $in ]] || { echo "make-quick-reference: no $in" >&2; exit 1; }

chrome=""
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null; then chrome=$c; break; fi
done
[[ -n $chrome ]] || { echo "make-quick-reference: chromium is missing (apt-get install -y chromium)" >&2; exit 1; }
command -v pdfinfo >/dev/null || { echo "make-quick-reference: pdfinfo is missing (apt-get install -y poppler-utils)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$repo" && go run ./content/tools/mdhtml -page "$page" "$in" "$work/sheet.html")

mkdir -p "$work/profile"
"$chrome" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --user-data-dir="$work/profile" --no-pdf-header-footer \
	--print-to-pdf="$work/sheet.pdf" "file://$work/sheet.html" >"$work/chromium.log" 2>&1 || {
	cat "$work/chromium.log" >&2
	exit 1
}
[[ -s $work/sheet.pdf ]] || { cat "$work/chromium.log" >&2; echo "make-quick-reference: no PDF was printed" >&2; exit 1; }

pages=$(pdfinfo "$work/sheet.pdf" | awk '/^Pages:/ { print $2 }')
if [[ $pages != 1 ]]; then
	echo "make-quick-reference: the sheet is $pages pages; it must fit on one. Shorten $in." >&2
	exit 1
fi
mv -f "$work/sheet.pdf" "$out"
echo "make-quick-reference: wrote $out (1 page, $page, $(stat -c %s "$out") bytes)"
