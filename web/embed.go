// Package web holds what the browser gets: templ components in views/ and
// static assets (CSS, JavaScript, icons) in static/, embedded into the binary.
package web

import "embed"

// Static holds the files served under /static/.
//
//go:embed static
var Static embed.FS
